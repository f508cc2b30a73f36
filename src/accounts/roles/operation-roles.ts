/**
 * The role steps an operation's edge (a route, the seed, the waiting-customer hook) hands to billing's operations,
 * which run them inside their own transactions at the point the edge order puts the role: after the mirror write,
 * before the operation's audit row. Billing never recomputes roles itself; it returns the change (a customer link, a
 * created subscription) to these steps.
 */
import type { Executor } from '../../db/client.js';
import type { Deps } from '../../deps.js';
import { applyEntitledRole, type RoleApplication } from './apply-entitled-role.js';
import { recomputeLinkedRoles } from './recompute-linked-roles.js';
import type { CustomerLink, RoleCause, SubscriptionChange } from './role-cause.js';

/** A customer the operation linked: every user the link names is recomputed in the linking transaction, `job` first
 *  in the cause chain and the link after it. */
export const recomputeOnLink =
  (deps: Pick<Deps, 'clock' | 'config'>, job: string) =>
  (tx: Executor, link: CustomerLink): Promise<RoleApplication[]> =>
    recomputeLinkedRoles(tx, link, {
      cause: { kind: 'job', job },
      now: deps.clock.now(),
      defaultGraceDays: deps.config.graceDays,
    });

/** ensureCustomer's link (checkout, portal, an admin subscription for a user, the seed): named as this job. */
export const ENSURE_CUSTOMER_JOB = 'billing.ensure_customer';
export const ensureCustomerRoles = (deps: Pick<Deps, 'clock' | 'config'>) =>
  recomputeOnLink(deps, ENSURE_CUSTOMER_JOB);

/** A waiting customer linked when its user appeared (`by`: user.created, user.email_verified): named as this job. */
export const waitingCustomerRoles = (deps: Pick<Deps, 'clock' | 'config'>, by: string) =>
  recomputeOnLink(deps, `billing.link_waiting_customer:${by}`);

/** A subscription the app created (admin, API key, seed): its webhooks usually arrive as same-second ties this write
 *  already made and change nothing, so the creating transaction recomputes the user's role. An admin or API key is
 *  the cause (with the reason they gave); any other actor is named as the job `subscription.create:<request id>`. */
export const recomputeOnSubscriptionCreated =
  (deps: Pick<Deps, 'clock' | 'config'>) =>
  (
    tx: Executor,
    created: {
      userId: string;
      subscription: SubscriptionChange;
      actor: { type: string; id: string | null; requestId: string };
      reason: string | undefined;
    },
  ): Promise<RoleApplication | null> => {
    const { actor } = created;
    const cause: RoleCause =
      actor.type === 'user' || actor.type === 'api_key'
        ? {
            kind: 'admin',
            actorType: actor.type,
            actorId: actor.id ?? 'unknown',
            action: 'subscription.created',
            reason: created.reason ?? 'subscription created',
            requestId: actor.requestId,
            subscription: created.subscription,
          }
        : { kind: 'job', job: `subscription.create:${actor.requestId}` };
    // GRACE_DAYS as every other recompute (this one alone used the built-in 7 days)
    return applyEntitledRole(tx, created.userId, cause, deps.clock.now(), {
      defaultGraceDays: deps.config.graceDays,
    });
  };

/** createSubscription's role steps: the customer ensureCustomer may link, then the created subscription. */
export const createSubscriptionRoles = (deps: Pick<Deps, 'clock' | 'config'>) => ({
  linked: ensureCustomerRoles(deps),
  created: recomputeOnSubscriptionCreated(deps),
});
