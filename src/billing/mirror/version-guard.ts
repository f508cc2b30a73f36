/**
 * The stale/tie rule for every mirrored row (contract between the pipeline and the handlers):
 *
 * An object from an event is applied to a row only if the event is NEWER than the last one applied:
 *   1. `event.created` > row.stripe_version_at → apply; < → stale.
 *   2. Same whole second, both sides written by (different) events: SUCCESSION from the payloads first
 *      (`succeeds`). Event A succeeds state B when A is not a `*.created` (that is always an object's first state)
 *      and either B came from a `*.created`, or A's `data.previous_attributes` describe B: for every compared field
 *      (`state`, keyed by Stripe path, e.g. `status`, `invoice_settings.default_payment_method`) A's previous value
 *      — or A's own value when the field did not change in A — equals B's. The row side's `state` comes from the
 *      row's columns and its `created`/`previous` from the stored payload of the row's last event
 *      (stripe_events, read by `tieEvidence` only on a tie). If exactly one side succeeds the other it wins;
 *      otherwise (no previous_attributes, a mismatch, or both — a ping-pong) fall through to 3. So a card update
 *      in the portal (payment method changed, then past_due → active, same second) ends active in either order,
 *      and a customer.updated beats the customer.created of its second.
 *   3. The object further along its lifecycle wins (`rank`, compared element by element:
 *      subscriptions by status incomplete < trialing < active < past_due < unpaid < paused < incomplete_expired <
 *      canceled; invoices draft < open < uncollectible < paid < void, then attempt_count; …).
 *   4. Same rank: the greater event id wins (arbitrary but deterministic: never arrival order). The same event
 *      twice is therefore never "newer" than itself — a duplicate changes nothing (and is never a successor).
 *   A write without an event id (reconciliation, the app's own write) skips 2, loses a full tie against an event
 *   and wins against another write without one only if strictly newer.
 *
 * Pure; the repositories read the row FOR UPDATE and ask `isNewer` before writing.
 */
import type { SubscriptionStatus } from '../billing.tables.js';

/** The fields compared for succession, keyed by Stripe path (ids for references, unix seconds for times). */
export type State = Record<string, string | number | boolean | null>;

/** What an event's payload says about its place in a same-second sequence. */
export interface Succession {
  /** The event is a `*.created` (the object's first state). */
  created?: boolean;
  /** `data.previous_attributes`: the changed fields' values before this event. */
  previous?: Record<string, unknown> | null;
}

export interface Version extends Succession {
  at: Date;
  eventId: string | null;
  rank?: readonly number[];
  /** This side's values of the compared fields (see `succeeds`). */
  state?: State;
}

/** The succession evidence of an event (kept by the handler; read back from stripe_events for the row side). */
export function successionOf(event: {
  type: string;
  data?: { previous_attributes?: unknown } | null;
}): Succession {
  const prev = event.data?.previous_attributes;
  return {
    created: event.type.endsWith('.created'),
    previous: prev && typeof prev === 'object' ? (prev as Record<string, unknown>) : null,
  };
}

/** A value of previous_attributes at a dotted path: `{ present: false }` when that field did not change. */
function previousAt(prev: Record<string, unknown>, path: string): { present: boolean; value?: unknown } {
  let cur: unknown = prev;
  for (const key of path.split('.')) {
    if (cur === null) return { present: true, value: null }; // the whole parent was null before
    if (typeof cur !== 'object' || !Object.prototype.hasOwnProperty.call(cur, key)) return { present: false };
    cur = (cur as Record<string, unknown>)[key];
  }
  return { present: true, value: cur };
}

const scalar = (v: unknown): string | number | boolean | null => {
  if (v && typeof v === 'object' && typeof (v as { id?: unknown }).id === 'string')
    return (v as { id: string }).id;
  return v === undefined ? null : (v as string | number | boolean | null);
};

/** Whether event `a` is the direct successor of state `b` (same object, same second): see the module comment. */
export function succeeds(a: Version, b: Version): boolean {
  if (a.eventId === null || b.eventId === null || a.eventId === b.eventId) return false;
  if (a.created) return false;
  if (b.created) return true;
  if (!a.previous || !a.state || !b.state) return false;
  for (const [path, value] of Object.entries(b.state)) {
    const p = previousAt(a.previous, path);
    const before = p.present ? scalar(p.value) : (a.state[path] ?? null);
    if (before !== value) return false;
  }
  return true;
}

function compareRanks(a: readonly number[] = [], b: readonly number[] = []): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export function isNewer(incoming: Version, current: Version | null | undefined): boolean {
  if (!current) return true;
  const dt = incoming.at.getTime() - current.at.getTime();
  if (dt !== 0) return dt > 0;
  if (incoming.eventId !== null && incoming.eventId === current.eventId) return false;
  const forward = succeeds(incoming, current);
  if (forward !== succeeds(current, incoming)) return forward;
  const byRank = compareRanks(incoming.rank, current.rank);
  if (byRank !== 0) return byRank > 0;
  if (incoming.eventId === null) return false;
  if (current.eventId === null) return true;
  return incoming.eventId > current.eventId;
}

const SUBSCRIPTION_RANK: Record<SubscriptionStatus, number> = {
  incomplete: 0,
  trialing: 1,
  active: 2,
  past_due: 3,
  unpaid: 4,
  paused: 5,
  incomplete_expired: 6,
  canceled: 7,
};
export const subscriptionRank = (status: string): number[] => [
  SUBSCRIPTION_RANK[status as SubscriptionStatus] ?? -1,
];

const INVOICE_RANK: Record<string, number> = { draft: 0, open: 1, uncollectible: 2, paid: 3, void: 4 };
export const invoiceRank = (status: string, attemptCount: number): number[] => [
  INVOICE_RANK[status] ?? -1,
  attemptCount,
];

const INTENT_RANK: Record<string, number> = {
  requires_payment_method: 0,
  requires_confirmation: 1,
  requires_action: 2,
  processing: 3,
  requires_capture: 4,
  canceled: 5,
  succeeded: 6,
};
export const intentRank = (status: string): number[] => [INTENT_RANK[status] ?? -1];

const CHARGE_RANK: Record<string, number> = { pending: 0, failed: 1, succeeded: 2 };
/** A charge moves pending → failed|succeeded, then only its refunded amount grows. */
export const chargeRank = (status: string, amountRefunded: number): number[] => [
  CHARGE_RANK[status] ?? -1,
  amountRefunded,
];

const DISPUTE_RANK: Record<string, number> = {
  warning_needs_response: 0,
  warning_under_review: 1,
  needs_response: 2,
  under_review: 3,
  prevented: 4,
  warning_closed: 4,
  won: 4,
  lost: 4,
};
export const disputeRank = (status: string): number[] => [DISPUTE_RANK[status] ?? -1];

const REFUND_RANK: Record<string, number> = {
  pending: 0,
  requires_action: 0,
  succeeded: 1,
  failed: 1,
  canceled: 1,
};
export const refundRank = (status: string | null): number[] => [REFUND_RANK[status ?? ''] ?? -1];
