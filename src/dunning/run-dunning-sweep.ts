/**
 * runDunningSweep: the scheduled dunning job's work at `now`, needing no event to arrive:
 * - reminders: open cases whose reminder instant has come get the "grace ending" notification (once per case);
 * - grace expiry: open cases whose grace has run out are lost (`grace_expired`), the user's role is recomputed
 *   (cause: the job and the case) and, if it dropped, the "downgraded" notice is queued (once per case). A case
 *   whose subscription is no longer past_due when its grace ends (the invoice was voided, or paid and the
 *   subscription is active again without an `invoice.paid` for this invoice) is closed as recovered (`manual`);
 * - backstop: a past_due subscription with NO open case holds its role on a provisional grace (loadEntitlements:
 *   its last change + grace days), which no case's expiry would ever end. Once that grace has run out, the role of
 *   the user who still holds the role it grants is recomputed (cause: the job), so it falls to what entitledRole
 *   says. No case is opened and nothing is sent (docs/DESIGN.md §6 ties both to a payment failure, not to this repair);
 *   the audit row of the role change is the record.
 *
 * Each case is handled in its own transaction that first takes the customer's ordering lock (the one the webhook
 * dispatcher holds while applying that customer's events), so a sweep step never interleaves with an event of the
 * same customer; then the case row is locked and re-checked. Safe to run concurrently and repeatedly.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../deps.js';
import { applyEntitledRole } from '../accounts/roles/apply-entitled-role.js';
import { enqueueNotification } from '../notifications/enqueue-notification.js';
import { ORDERING_LOCK_CLASS } from '../inbox/webhooks/dispatch-event.js';
import { addStep, subscriptionContext, type DunningCaseRow } from './dunning.repo.js';
import { dunningCases } from './dunning.tables.js';
import { dunningStepDue } from './dunning-schedule.js';
import { notifyDowngraded } from '../notifications/notify-downgraded.js';
import { portalLink } from './open-dunning-case.js';

export const DUNNING_JOB = 'dunning.sweep';

export interface SweepResult {
  reminded: number;
  lost: number;
  recovered: number;
  downgraded: number;
  /** Roles lowered by the backstop (past_due without an open case, provisional grace over); absent when none. */
  backstop?: number;
}

export async function runDunningSweep(
  deps: Pick<Deps, 'db' | 'config' | 'clock'>,
  now: Date,
  opts: { limit?: number; jobId?: string | null; stripeCustomerIds?: string[] } = {},
): Promise<SweepResult> {
  const limit = opts.limit ?? 500;
  const result: SweepResult = { reminded: 0, lost: 0, recovered: 0, downgraded: 0 };
  const due = await deps.db.execute<{ id: string; stripe_customer_id: string }>(sql`
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
    LIMIT ${limit}`);
  for (const candidate of due.rows) {
    const step = await deps.db.transaction(async (tx) => {
      await tx.execute(
        sql`SELECT pg_advisory_xact_lock(${ORDERING_LOCK_CLASS}, hashtext(${candidate.stripe_customer_id}))`,
      );
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
        return 'reminded' as const;
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
        return 'recovered' as const;
      }

      await tx.execute(sql`
        UPDATE dunning_cases SET status = 'lost', lost_at = ${now}, lost_reason = 'grace_expired', closed_by = ${cause},
          updated_at = now()
        WHERE id = ${c.id}`);
      await addStep(tx, { caseId: c.id, kind: 'lost', at: now, cause, data: { reason: 'grace_expired' } });
      if (!c.userId) return 'lost' as const;
      const application = await applyEntitledRole(
        tx,
        c.userId,
        { kind: 'job', job: DUNNING_JOB, jobId: opts.jobId ?? null, dunningCaseId: c.id },
        now,
        { defaultGraceDays: deps.config.graceDays },
      );
      const sent = await notifyDowngraded(tx, deps, {
        caseId: c.id,
        userId: c.userId,
        application,
        planName: sub.planName,
        amountMinor: c.amountDueMinor || null,
        currency: c.currency,
        at: now,
      });
      return sent ? ('downgraded' as const) : ('lost' as const);
    });
    if (step === 'reminded') result.reminded++;
    else if (step === 'recovered') result.recovered++;
    else if (step === 'lost') result.lost++;
    else if (step === 'downgraded') {
      result.lost++;
      result.downgraded++;
    }
  }
  const fixed = await endProvisionalGraces(deps, now, { ...opts, limit });
  if (fixed > 0) result.backstop = fixed;
  return result;
}

/**
 * The backstop: users still holding the role of a past_due subscription that has no open dunning case and whose
 * provisional grace (stripe_version_at + the plan's grace days, else GRACE_DAYS; loadEntitlements' rule) is over
 * at `now`, and no active/trialing subscription or active override grants it. One query over the past_due rows
 * (subscriptions_status_idx), the open case probed through dunning_cases_one_open_uq; a user whose role already
 * fell is not found again. Each user is recomputed in its
 * own transaction under the customer's ordering lock; applyEntitledRole re-reads everything, so a row that
 * changed meanwhile (case opened, payment in) is simply right. Returns how many roles changed.
 */
async function endProvisionalGraces(
  deps: Pick<Deps, 'db' | 'config'>,
  now: Date,
  opts: { limit: number; jobId?: string | null; stripeCustomerIds?: string[] },
): Promise<number> {
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
  let changed = 0;
  const seen = new Set<string>();
  for (const r of stale.rows) {
    if (seen.has(r.user_id)) continue;
    seen.add(r.user_id);
    const application = await deps.db.transaction(async (tx) => {
      await tx.execute(
        sql`SELECT pg_advisory_xact_lock(${ORDERING_LOCK_CLASS}, hashtext(${r.stripe_customer_id}))`,
      );
      return applyEntitledRole(
        tx,
        r.user_id,
        { kind: 'job', job: DUNNING_JOB, jobId: opts.jobId ?? null },
        now,
        {
          defaultGraceDays: deps.config.graceDays,
        },
      );
    });
    if (application?.changed) changed++;
  }
  return changed;
}
