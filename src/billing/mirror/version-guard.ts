/**
 * The stale/tie rule for every mirrored row (contract between the pipeline and the handlers):
 *
 * An object from an event is applied to a row only if the event is NEWER than the last one applied:
 *   1. `event.created` > row.stripe_version_at → apply; < → stale.
 *   2. Same whole second: the object further along its lifecycle wins (`rank`, compared element by element:
 *      subscriptions by status incomplete < trialing < active < past_due < unpaid < paused < incomplete_expired <
 *      canceled; invoices draft < open < uncollectible < paid < void, then attempt_count; …).
 *   3. Same rank: the greater event id wins (arbitrary but deterministic: never arrival order). The same event
 *      twice is therefore never "newer" than itself — a duplicate changes nothing.
 *   A write without an event id (reconciliation, the app's own write) loses a full tie against an event and wins
 *   against another write without one only if strictly newer.
 *
 * Pure; the repositories read the row FOR UPDATE and ask `isNewer` before writing.
 */
import type { SubscriptionStatus } from '../billing.tables.js';

export interface Version {
  at: Date;
  eventId: string | null;
  rank?: readonly number[];
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
