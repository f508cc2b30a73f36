/**
 * Queries on dunning cases and their timeline. Repository functions take the executor first.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { selectRows } from '../db/rows.js';
import { dunningCaseEvents, dunningCases, type DunningStepKind } from './dunning.tables.js';

export type DunningCaseRow = typeof dunningCases.$inferSelect;

export async function findOpenCase(
  tx: Executor,
  subscriptionId: string,
  lock = false,
): Promise<DunningCaseRow | null> {
  const [row] = await selectRows(
    tx,
    dunningCases,
    and(eq(dunningCases.subscriptionId, subscriptionId), eq(dunningCases.status, 'open'))!,
    { forUpdate: lock },
  );
  return row ?? null;
}

/**
 * The subscription's open case, locked — or, when none is open, its latest case (also locked: harmless, as only
 * open cases have other writers): latest by opened_at, then created_at. One statement for both questions.
 */
export async function findOpenOrLatestCase(
  tx: Executor,
  subscriptionId: string,
): Promise<{ open: DunningCaseRow | null; latest: DunningCaseRow | null }> {
  const [row] = await selectRows(tx, dunningCases, eq(dunningCases.subscriptionId, subscriptionId), {
    orderBy: sql`(${dunningCases.status} = 'open') DESC, ${dunningCases.openedAt} DESC, ${dunningCases.createdAt} DESC`,
    limit: 1,
    forUpdate: true,
  });
  if (!row) return { open: null, latest: null };
  return row.status === 'open' ? { open: row, latest: null } : { open: null, latest: row };
}

/**
 * Adds a step to a case's timeline; false when this (case, kind, cause) is already there — the caller treats that
 * as "already applied" (a replayed event or a re-run job) and changes nothing else.
 */
export async function addStep(
  tx: Executor,
  step: { caseId: string; kind: DunningStepKind; at: Date; cause: string; data?: Record<string, unknown> },
): Promise<boolean> {
  const rows = await tx
    .insert(dunningCaseEvents)
    .values({ caseId: step.caseId, kind: step.kind, at: step.at, cause: step.cause, data: step.data ?? {} })
    .onConflictDoNothing()
    .returning({ id: dunningCaseEvents.id });
  return rows.length > 0;
}

export async function caseTimeline(tx: Executor, caseId: string) {
  return tx
    .select()
    .from(dunningCaseEvents)
    .where(eq(dunningCaseEvents.caseId, caseId))
    .orderBy(dunningCaseEvents.at, dunningCaseEvents.id);
}

/** The subscription, its customer's user and plan — what every dunning step needs. */
export interface SubscriptionContext {
  subscriptionId: string;
  stripeSubscriptionId: string;
  status: string;
  customerId: string;
  stripeCustomerId: string;
  userId: string | null;
  defaultPaymentMethodId: string | null;
  planName: string | null;
  planGraceDays: number | null;
}

/** The columns a SubscriptionContext is read from (subscriptionContextColumns, in any statement's select list). */
export type SubscriptionContextRow = {
  subscription_id: string;
  stripe_subscription_id: string;
  status: string;
  customer_id: string;
  stripe_customer_id: string;
  user_id: string | null;
  default_payment_method_id: string | null;
  plan_name: string | null;
  grace_days: number | null;
};

/** The select list of a SubscriptionContextRow over `subscriptions s`, `customers c` and `plans p`. */
export const subscriptionContextColumns = (s: string, c: string, p: string) =>
  sql.raw(`${s}.id AS subscription_id, ${s}.stripe_subscription_id, ${s}.status, ${c}.id AS customer_id,
           ${c}.stripe_customer_id, ${c}.user_id, ${c}.default_payment_method_id, ${p}.name AS plan_name,
           ${p}.grace_days`);

export const toSubscriptionContext = (r: SubscriptionContextRow): SubscriptionContext => ({
  subscriptionId: r.subscription_id,
  stripeSubscriptionId: r.stripe_subscription_id,
  status: r.status,
  customerId: r.customer_id,
  stripeCustomerId: r.stripe_customer_id,
  userId: r.user_id,
  defaultPaymentMethodId: r.default_payment_method_id,
  planName: r.plan_name,
  planGraceDays: r.grace_days,
});

export async function subscriptionContext(
  tx: Executor,
  by: { subscriptionId: string } | { stripeSubscriptionId: string },
): Promise<SubscriptionContext | null> {
  const where =
    'subscriptionId' in by
      ? sql`s.id = ${by.subscriptionId}`
      : sql`s.stripe_subscription_id = ${by.stripeSubscriptionId}`;
  const res = await tx.execute<SubscriptionContextRow>(sql`
    SELECT ${subscriptionContextColumns('s', 'c', 'p')}
    FROM subscriptions s
    JOIN customers c ON c.id = s.customer_id
    LEFT JOIN plans p ON p.id = s.plan_id
    WHERE ${where}`);
  const r = res.rows[0];
  return r ? toSubscriptionContext(r) : null;
}

/** A customer moved to another user (a relink, or a waiting customer linked): its open cases follow it, so their
 *  reminders, grace expiry and notices concern the new user. */
export async function reassignOpenCases(tx: Executor, customerId: string, userId: string): Promise<void> {
  await tx.execute(sql`
    UPDATE dunning_cases SET user_id = ${userId}, updated_at = now()
    WHERE customer_id = ${customerId} AND status = 'open'`);
}
