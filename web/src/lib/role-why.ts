/**
 * Words for "why this role": an entitlement's source (src/accounts/roles/apply-entitled-role.ts sourceForAudit)
 * and an audit row's cause chain (src/accounts/roles/role-cause.ts). Both arrive as JSON; fields are read one by
 * one, and anything unknown is shown by its kind rather than guessed at.
 */
type Json = Record<string, unknown>;
const obj = (v: unknown): Json | null => (v && typeof v === 'object' ? (v as Json) : null);
const str = (v: unknown) => (typeof v === 'string' ? v : null);

export interface SubscriptionName {
  id: string;
  stripeSubscriptionId: string;
  planName: string | null;
}

/** Why the entitled role is what it is; `subscriptions` name the subscription a source points at. */
export function describeSource(source: unknown, subscriptions: readonly SubscriptionName[] = []): string {
  const s = obj(source);
  switch (str(s?.kind)) {
    case 'override':
      return `an admin override${str(s?.expiresAt) ? ' (with an expiry)' : ''}`;
    case 'subscription': {
      const id = str(s?.subscriptionId);
      const sub = subscriptions.find((x) => x.id === id);
      const name = sub
        ? `the ${sub.planName ?? 'unknown plan'} subscription (${sub.stripeSubscriptionId})`
        : `subscription ${id ?? ''}`;
      return `${name} is ${str(s?.status) ?? '?'}${str(s?.graceUntil) ? ', in its grace period' : ''}`;
    }
    case 'staff':
      return 'a staff role (never changed by billing)';
    case 'default':
      return 'no paying subscription: the free role';
    default:
      return str(s?.kind) ?? 'unknown';
  }
}

/** The `role` field of an audit row's before/after (a role change or an override). */
export function roleOf(v: unknown): string | null {
  return str(obj(v)?.role);
}

function step(x: Json): string {
  switch (str(x.kind)) {
    case 'stripe_event':
      return `Stripe ${str(x.type) ?? 'event'} (${str(x.id) ?? ''})`;
    case 'admin':
      return `${str(x.actorType) ?? 'admin'} ${str(x.actorId) ?? ''}: ${str(x.action) ?? ''}`;
    case 'job':
      return `job ${str(x.name) ?? ''}`;
    case 'subscription_change':
      return `subscription ${str(x.stripeId) ?? ''} ${str(x.from) ?? 'new'} → ${str(x.to) ?? '?'}`;
    case 'customer_link':
      return `customer ${str(x.stripeCustomerId) ?? ''} linked`;
    case 'customer_relink':
      return `customer ${str(x.stripeCustomerId) ?? ''} moved to this user`;
    case 'dunning_case':
      return 'dunning case';
    case 'role_override':
      return 'override';
    case 'role_sync_run':
      return `role sync ${str(x.id) ?? ''}`;
    case 'reconcile_run':
      return `reconciliation ${str(x.id) ?? ''}`;
    default:
      return str(x.kind) ?? '?';
  }
}

/** An audit row's cause as its chain of steps (src/accounts/roles/role-cause.ts causeChain), first cause first. */
export function describeCause(cause: unknown, actor: { type: string; id: string | null }): string {
  const chain = obj(cause)?.chain;
  if (Array.isArray(chain) && chain.length > 0)
    return chain
      .map(obj)
      .filter((x): x is Json => x !== null)
      .map(step)
      .join(' › ');
  return `by ${actor.type}${actor.id ? ` ${actor.id}` : ''}`;
}
