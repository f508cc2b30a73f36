/**
 * The dunning sweep's steps at `now`, needing no event to arrive (the job edge, runDunningSweep in dunning.jobs.ts,
 * runs them in order and recomputes roles; dunning never touches roles):
 * - reminders: open cases whose reminder instant has come get the "grace ending" notification (once per case);
 * - grace expiry: open cases whose grace has run out are lost (`grace_expired`) and returned to the edge, which
 *   recomputes the user's role (cause: the job and the case) and, if it dropped, queues the "downgraded" notice. A
 *   case whose subscription is no longer past_due when its grace ends (the invoice was voided, or paid and the
 *   subscription is active again without an `invoice.paid` for this invoice) is closed as recovered (`manual`);
 * - backstop: a past_due subscription with NO open case holds its role on a provisional grace (loadEntitlements:
 *   its last change + grace days), which no case's expiry would ever end. findEndedProvisionalGraces names the users
 *   who still hold the role it grants once that grace has run out; the edge recomputes them.
 *
 * Each case is handled in its own transaction (the edge's) in which sweepDueCase first takes the customer's ordering
 * lock (the one the webhook dispatcher holds while applying that customer's events), so a sweep step never
 * interleaves with an event of the same customer; then the case row is locked and re-checked. Safe to run
 * concurrently and repeatedly.
 */
import { sql } from 'drizzle-orm';
import type { Executor, Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { enqueueNotification } from '../notifications/enqueue-notification.js';
import { lockOrderingKey } from '../inbox/webhooks/dispatch-event.js';
import { addStep, subscriptionContext, type DunningCaseRow } from './dunning.repo.js';
import { dunningCases } from './dunning.tables.js';
import { dunningStepDue } from './dunning-schedule.js';
import { portalLink } from './open-dunning-case.js';
import type { LostCase } from './on-invoice-payment-failed.js';

export const DUNNING_JOB = 'dunning.sweep';

/** An open case whose reminder or grace expiry may be due (re-checked under its lock by sweepDueCase). */
export type DueCase = {
  id: string;
  stripe_customer_id: string;
};

/** What the sweep did to one case, for the job edge: a lost case names its user (null: the customer is not linked)
 *  and what the "downgraded" notice needs; the edge recomputes the role (dunning never touches roles). */
export type SweepStep =
  { kind: 'reminded' | 'recovered' } | { kind: 'lost'; userId: string | null; lost: LostCase };

/** Open cases whose reminder instant or grace end has come at `now`, soonest first. */
export async function findDueCases(
  db: Executor,
  now: Date,
  opts: { limit: number; stripeCustomerIds?: string[] | undefined },
): Promise<DueCase[]> {
  const due = await db.execute<DueCase>(sql`
    SELECT d.id, c.stripe_customer_id FROM dunning_cases d JOIN customers c ON c.id = d.customer_id
    WHERE d.status = 'open'
      ${
        opts.stripeCustomerIds
          ? sql`AND c.stripe_customer_id IN (${sql.join(
              opts.stripeCustomerIds.map((id) => sql`${id}`),
              sql`, `,
            )})`
          : sql``
      }
      AND (d.grace_until <= ${now} OR (d.reminder_sent_at IS NULL AND d.reminder_at <= ${now}))
    ORDER BY LEAST(d.grace_until, COALESCE(d.reminder_at, d.grace_until)), d.id
    LIMIT ${opts.limit}`);
  return due.rows;
}

/**
 * One due case, in the caller's transaction: takes the customer's ordering lock, locks and re-checks the case, then
 * sends the reminder, closes it as recovered, or loses it. Returns what it did (null: nothing was due any more).
 */
export async function sweepDueCase(
  tx: Tx,
  deps: Pick<Deps, 'config'>,
  candidate: DueCase,
  now: Date,
): Promise<SweepStep | null> {
  await lockOrderingKey(tx, candidate.stripe_customer_id);
  const [c] = (await tx
    .select()
    .from(dunningCases)
    .where(sql`${dunningCases.id} = ${candidate.id} AND ${dunningCases.status} = 'open'`)
    .for('update')) as DunningCaseRow[];
  if (!c) return null;
  const kind = dunningStepDue(c, now);
  if (!kind) return null;
  const sub = await subscriptionContext(tx, { subscriptionId: c.subscriptionId });
  if (!sub) return null;
  const cause = `job:${DUNNING_JOB}`;

  if (kind === 'remind') {
    await tx.execute(
      sql`UPDATE dunning_cases SET reminder_sent_at = ${now}, updated_at = now() WHERE id = ${c.id}`,
    );
    await addStep(tx, { caseId: c.id, kind: 'reminder_sent', at: now, cause });
    if (c.userId) {
      await enqueueNotification(tx, {
        key: `grace_ending:${c.id}`,
        template: 'grace_ending',
        userId: c.userId,
        at: now,
        data: {
          planName: sub.planName,
          amountMinor: c.amountDueMinor || null,
          currency: c.currency,
          graceUntil: c.graceUntil.toISOString(),
          portalUrl: portalLink(deps.config),
        },
      });
    }
    return { kind: 'reminded' };
  }

  if (sub.status === 'active' || sub.status === 'trialing') {
    await tx.execute(sql`
      UPDATE dunning_cases SET status = 'recovered', recovered_at = ${now}, recovered_amount_minor = 0,
        recovered_by = 'manual', closed_by = ${cause},
        time_to_recover_seconds = ${Math.max(0, Math.round((now.getTime() - c.openedAt.getTime()) / 1000))},
        updated_at = now()
      WHERE id = ${c.id}`);
    await addStep(tx, {
      caseId: c.id,
      kind: 'recovered',
      at: now,
      cause,
      data: { by: 'manual', subscriptionStatus: sub.status },
    });
    return { kind: 'recovered' };
  }

  await tx.execute(sql`
    UPDATE dunning_cases SET status = 'lost', lost_at = ${now}, lost_reason = 'grace_expired', closed_by = ${cause},
      updated_at = now()
    WHERE id = ${c.id}`);
  await addStep(tx, { caseId: c.id, kind: 'lost', at: now, cause, data: { reason: 'grace_expired' } });
  return {
    kind: 'lost',
    userId: c.userId,
    lost: {
      caseId: c.id,
      planName: sub.planName,
      amountMinor: c.amountDueMinor || null,
      currency: c.currency,
      at: now,
    },
  };
}

/**
 * The backstop: users still holding the role of a past_due subscription that has no open dunning case and whose
 * provisional grace (stripe_version_at + the plan's grace days, else GRACE_DAYS; loadEntitlements' rule) is over
 * at `now`, and no active/trialing subscription or active override grants it. One query over the past_due rows
 * (subscriptions_status_idx), the open case probed through dunning_cases_one_open_uq; a user whose role already
 * fell is not found again. Each user once (with the Stripe customer whose ordering lock the edge takes before
 * recomputing: the recompute re-reads everything, so a row that changed meanwhile — case opened, payment in — is
 * simply right).
 */
export async function findEndedProvisionalGraces(
  deps: Pick<Deps, 'db' | 'config'>,
  now: Date,
  opts: { limit: number; stripeCustomerIds?: string[] | undefined },
): Promise<{ userId: string; stripeCustomerId: string }[]> {
  const stale = await deps.db.execute<{ user_id: string; stripe_customer_id: string }>(sql`
    SELECT c.user_id, c.stripe_customer_id
    FROM subscriptions s
    JOIN customers c ON c.id = s.customer_id
    JOIN users u ON u.id = c.user_id
    JOIN plans p ON p.id = s.plan_id
    WHERE s.status = 'past_due'
      ${
        opts.stripeCustomerIds
          ? sql`AND c.stripe_customer_id IN (${sql.join(
              opts.stripeCustomerIds.map((id) => sql`${id}`),
              sql`, `,
            )})`
          : sql``
      }
      AND u.role = p.grants_role AND p.grants_role <> 'member'
      AND s.stripe_version_at + COALESCE(p.grace_days, ${deps.config.graceDays}) * interval '24 hours' <= ${now}
      AND NOT EXISTS (SELECT 1 FROM dunning_cases d WHERE d.subscription_id = s.id AND d.status = 'open')
      -- Not a user whose role another source still grants (found again on every run, it would crowd the limit).
      AND NOT EXISTS (
        SELECT 1 FROM customers c2 JOIN subscriptions s2 ON s2.customer_id = c2.id JOIN plans p2 ON p2.id = s2.plan_id
        WHERE c2.user_id = u.id AND s2.status IN ('active', 'trialing') AND p2.grants_role = u.role)
      AND NOT EXISTS (
        SELECT 1 FROM role_overrides o
        WHERE o.user_id = u.id AND o.cleared_at IS NULL AND o.created_at <= ${now}
          AND (o.expires_at IS NULL OR o.expires_at > ${now}))
    ORDER BY s.stripe_version_at, s.id
    LIMIT ${opts.limit}`);
  const seen = new Set<string>();
  const out: { userId: string; stripeCustomerId: string }[] = [];
  for (const r of stale.rows) {
    if (seen.has(r.user_id)) continue;
    seen.add(r.user_id);
    out.push({ userId: r.user_id, stripeCustomerId: r.stripe_customer_id });
  }
  return out;
}
