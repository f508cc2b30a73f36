/**
 * Writes an `mrr_movements` row when a subscription's monthly amount changes, in the caller's transaction (the
 * one that changes the subscription row). The kind is classified at the customer level (ChartMogul): the
 * customer's MRR in that currency before and after this change; reactivation if the customer churned before.
 * Idempotent: one movement per (subscription, cause event) — a replay can never double it.
 * Call it AFTER the subscription row carries its new `mrr_minor`.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { mrrMovements, subscriptions, type MovementKind } from '../billing/billing.tables.js';
import { classifyMovement } from './classify-movement.js';

export interface MrrChange {
  customerId: string;
  subscriptionId: string;
  currency: string;
  beforeMinor: number;
  afterMinor: number;
  at: Date;
  /** The Stripe event id, or `sync:<run>` for a reconciliation repair. */
  causeEventId: string;
}

export async function recordMrrMovement(tx: Executor, change: MrrChange): Promise<MovementKind | null> {
  const delta = change.afterMinor - change.beforeMinor;
  if (delta === 0) return null;
  const [totals] = await tx
    .select({ after: sql<string>`coalesce(sum(${subscriptions.mrrMinor}), 0)::text` })
    .from(subscriptions)
    .where(and(eq(subscriptions.customerId, change.customerId), eq(subscriptions.currency, change.currency)));
  const customerAfter = Number(totals?.after ?? 0);
  const customerBefore = customerAfter - delta;
  const [churned] = await tx
    .select({ one: sql<number>`1` })
    .from(mrrMovements)
    .where(and(eq(mrrMovements.customerId, change.customerId), eq(mrrMovements.kind, 'churn')))
    .limit(1);
  const kind = classifyMovement(customerBefore, customerAfter, !!churned);
  if (!kind) return null;
  const inserted = await tx
    .insert(mrrMovements)
    .values({
      customerId: change.customerId,
      subscriptionId: change.subscriptionId,
      at: change.at,
      currency: change.currency,
      mrrBeforeMinor: change.beforeMinor,
      mrrAfterMinor: change.afterMinor,
      deltaMinor: delta,
      kind,
      causeEventId: change.causeEventId,
    })
    .onConflictDoNothing()
    .returning({ id: mrrMovements.id });
  return inserted.length ? kind : null;
}
