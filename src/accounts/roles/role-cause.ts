/**
 * Why a role is being recomputed: the cause chain written on the role-change audit row, and the audit actor it
 * maps to. Three families:
 * - a Stripe event: event id → (subscription change) → role change; actor `system` / `billing-roles` (the
 *   event's own audit row is the handler's), the event id in the cause;
 * - an admin action (override set/cleared, bulk sync): the admin (user or API key) and the reason they gave;
 * - a job (grace expiry, override expiry): the job's name and what it acted on.
 */
import type { AuditActorType } from '../../audit/audit.tables.js';

export interface SubscriptionChange {
  /** Local subscription id and its Stripe id. */
  id: string;
  stripeId: string;
  from: string | null;
  to: string;
}

/** A customer linked to a user: its first link (`fromUserId` null), or a move from one user to another (or to a user
 *  after its old one was deleted). Every user it names is recomputed. */
export interface CustomerLink {
  /** Local customer id and its Stripe id. */
  customerId: string;
  stripeCustomerId: string;
  fromUserId: string | null;
  toUserId: string;
}

export type RoleCause =
  | {
      kind: 'stripe_event';
      eventId: string;
      eventType: string;
      subscription?: SubscriptionChange | undefined;
      dunningCaseId?: string | undefined;
      customerLink?: CustomerLink | undefined;
    }
  | {
      kind: 'admin';
      actorType: 'user' | 'api_key';
      actorId: string;
      action: 'role_override.set' | 'role_override.cleared' | 'roles.sync' | 'subscription.created';
      reason: string;
      requestId?: string | null | undefined;
      overrideId?: string | undefined;
      syncRunId?: string | undefined;
      subscription?: SubscriptionChange | undefined;
      customerLink?: CustomerLink | undefined;
    }
  | {
      kind: 'job';
      job: string;
      jobId?: string | null | undefined;
      dunningCaseId?: string | undefined;
      overrideId?: string | undefined;
      syncRunId?: string | undefined;
      /** A reconciliation run (`sync_runs`), as opposed to a role sync run. */
      reconcileRunId?: string | undefined;
      customerLink?: CustomerLink | undefined;
    };

/** The audit actor of role changes caused by Stripe events (the event itself is in `cause`). */
export const ROLES_ACTOR = 'billing-roles';

export function auditActorOf(cause: RoleCause): { actorType: AuditActorType; actorId: string | null } {
  switch (cause.kind) {
    case 'stripe_event':
      // Not actor `stripe`/<event id>: that pair is the event's own single audit row (the handlers' contract).
      // The role change names the event in its cause chain instead.
      return { actorType: 'system', actorId: ROLES_ACTOR };
    case 'admin':
      return { actorType: cause.actorType, actorId: cause.actorId };
    case 'job':
      return { actorType: 'job', actorId: cause.job };
  }
}

/** A link's step of the chain: `customer_link` for a first link, `customer_relink` for a move between users. */
const linkStep = (link: CustomerLink) => ({
  kind: link.fromUserId === null ? 'customer_link' : 'customer_relink',
  ...link,
});

/** The chain as stored in audit_log.cause: the links from the first cause to the role change, in order. */
export function causeChain(cause: RoleCause): Array<Record<string, unknown>> {
  switch (cause.kind) {
    case 'stripe_event': {
      const chain: Array<Record<string, unknown>> = [
        { kind: 'stripe_event', id: cause.eventId, type: cause.eventType },
      ];
      if (cause.customerLink) chain.push(linkStep(cause.customerLink));
      if (cause.subscription) chain.push({ kind: 'subscription_change', ...cause.subscription });
      if (cause.dunningCaseId) chain.push({ kind: 'dunning_case', id: cause.dunningCaseId });
      return chain;
    }
    case 'admin': {
      const chain: Array<Record<string, unknown>> = [
        {
          kind: 'admin',
          actorType: cause.actorType,
          actorId: cause.actorId,
          action: cause.action,
          reason: cause.reason,
        },
      ];
      if (cause.overrideId) chain.push({ kind: 'role_override', id: cause.overrideId });
      if (cause.syncRunId) chain.push({ kind: 'role_sync_run', id: cause.syncRunId });
      if (cause.customerLink) chain.push(linkStep(cause.customerLink));
      if (cause.subscription) chain.push({ kind: 'subscription_change', ...cause.subscription });
      return chain;
    }
    case 'job': {
      const chain: Array<Record<string, unknown>> = [
        { kind: 'job', name: cause.job, jobId: cause.jobId ?? null },
      ];
      if (cause.dunningCaseId) chain.push({ kind: 'dunning_case', id: cause.dunningCaseId });
      if (cause.overrideId) chain.push({ kind: 'role_override', id: cause.overrideId });
      if (cause.syncRunId) chain.push({ kind: 'role_sync_run', id: cause.syncRunId });
      if (cause.reconcileRunId) chain.push({ kind: 'reconcile_run', id: cause.reconcileRunId });
      if (cause.customerLink) chain.push(linkStep(cause.customerLink));
      return chain;
    }
  }
}
