/**
 * Admin dunning cases: the list (`GET /api/admin/dunning?status=open|recovered|lost&page=&pageSize=`, newest first)
 * and one case with its timeline (`GET /api/admin/dunning/:id`). Each case comes with its user and customer (email),
 * its subscription and plan, the amount at risk, grace_until and its current step (the latest on its timeline).
 *
 * List parameters follow src/billing/operations/list-params.ts (page + limit, sort, order, status, currency,
 * createdFrom/createdTo on opened_at, q, customerId); `pageSize` is accepted as another name of `limit` (one or the
 * other). `q` matches the user's or customer's email (contains), or a Stripe customer / subscription / invoice id.
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../db/client.js';
import { notFound } from '../errors.js';
import { anyOf, equals, listTable, offsetPage, within } from '../db/list-query.js';
import {
  customerIs,
  listParams,
  pageOf,
  type ListParams,
  type Page,
} from '../billing/operations/list-params.js';
import { caseTimeline } from './dunning.repo.js';
import {
  DUNNING_STATUSES,
  DUNNING_STEP_KINDS,
  type DunningStatus,
  type DunningStepKind,
} from './dunning.tables.js';

const SORTABLE = ['opened_at', 'grace_until', 'amount'] as const;
type Sort = (typeof SORTABLE)[number];

export const dunningListParams = z
  .preprocess((q) => {
    if (!q || typeof q !== 'object' || !('pageSize' in q)) return q;
    const { pageSize, ...rest } = q as Record<string, unknown>;
    // Both names at once stays an unknown key for the strict schema: a 422, never a silent choice.
    return 'limit' in rest ? q : { ...rest, limit: pageSize };
  }, listParams(SORTABLE))
  .refine((p) => !p.status || p.status.every((s) => (DUNNING_STATUSES as readonly string[]).includes(s)), {
    message: `status must be one of ${DUNNING_STATUSES.join(', ')}`,
    path: ['status'],
  });

/** A case as the list shows it (also its OpenAPI schema); amounts are in the currency's minor unit. */
export const dunningCaseView = z.object({
  id: z.string(),
  status: z.enum(DUNNING_STATUSES),
  step: z.enum(DUNNING_STEP_KINDS).nullable(),
  openedAt: z.iso.datetime(),
  graceUntil: z.iso.datetime(),
  graceDays: z.number().int(),
  attempts: z.number().int(),
  /** The unpaid amount while the case is open; 0 once it is recovered or lost. */
  amountAtRisk: z.number().int(),
  amountDue: z.number().int(),
  currency: z.string(),
  lastFailure: z.object({
    at: z.iso.datetime(),
    code: z.string().nullable(),
    declineCode: z.string().nullable(),
  }),
  user: z.object({ id: z.string(), email: z.string() }).nullable(),
  customer: z.object({ id: z.string(), stripeCustomerId: z.string(), email: z.string().nullable() }),
  subscription: z.object({
    id: z.string(),
    stripeSubscriptionId: z.string(),
    status: z.string(),
    planKey: z.string().nullable(),
  }),
  invoice: z.object({ id: z.string().nullable(), stripeInvoiceId: z.string().nullable() }),
  reminderSentAt: z.iso.datetime().nullable(),
  recovered: z
    .object({
      at: z.iso.datetime(),
      amount: z.number().int().nullable(),
      by: z.string().nullable(),
      timeToRecoverSeconds: z.number().nullable(),
    })
    .nullable(),
  lost: z.object({ at: z.iso.datetime(), reason: z.string().nullable() }).nullable(),
});
export type DunningCaseView = z.infer<typeof dunningCaseView>;
export const dunningCasePage = pageOf(dunningCaseView);

type CaseRow = {
  id: string;
  status: DunningStatus;
  step: DunningStepKind | null;
  opened_at: Date;
  grace_until: Date;
  grace_days: number;
  attempts: number;
  amount_due_minor: number;
  currency: string;
  last_failure_at: Date;
  last_failure_code: string | null;
  last_decline_code: string | null;
  user_id: string | null;
  user_email: string | null;
  customer_id: string;
  stripe_customer_id: string;
  customer_email: string | null;
  subscription_id: string;
  stripe_subscription_id: string;
  subscription_status: string;
  plan_key: string | null;
  invoice_id: string | null;
  stripe_invoice_id: string | null;
  reminder_sent_at: Date | null;
  recovered_at: Date | null;
  recovered_amount_minor: number | null;
  recovered_by: string | null;
  time_to_recover_seconds: number | null;
  lost_at: Date | null;
  lost_reason: string | null;
};

const iso = (d: Date | string) => new Date(d).toISOString();

const CASE_COLUMNS = sql`d.id, d.status, st.kind AS step, d.opened_at, d.grace_until, d.grace_days, d.attempts,
  d.amount_due_minor, d.currency, d.last_failure_at, d.last_failure_code, d.last_decline_code,
  u.id AS user_id, u.email AS user_email,
  c.id AS customer_id, c.stripe_customer_id, c.email AS customer_email,
  s.id AS subscription_id, s.stripe_subscription_id, s.status AS subscription_status, p.key AS plan_key,
  d.invoice_id, d.stripe_invoice_id, d.reminder_sent_at,
  d.recovered_at, d.recovered_amount_minor, d.recovered_by, d.time_to_recover_seconds, d.lost_at, d.lost_reason`;

const CASES = listTable<Sort>({
  select: CASE_COLUMNS,
  // LEFT JOINs to customers and subscriptions: the rows of inner joins (both NOT NULL references), but joins the
  // capped count can drop when no filter names them (as list-subscriptions.ts).
  from: sql`dunning_cases d
    LEFT JOIN customers c ON c.id = d.customer_id
    LEFT JOIN subscriptions s ON s.id = d.subscription_id
    LEFT JOIN plans p ON p.id = s.plan_id
    LEFT JOIN users u ON u.id = d.user_id
    LEFT JOIN LATERAL (
      SELECT e.kind FROM dunning_case_events e WHERE e.case_id = d.id ORDER BY e.at DESC, e.id DESC LIMIT 1
    ) st ON true`,
  sort: { opened_at: sql`d.opened_at`, grace_until: sql`d.grace_until`, amount: sql`d.amount_due_minor` },
  tieBreak: sql`d.id`,
  search: {
    contains: [sql`u.email`, sql`c.email`],
    equals: [sql`c.stripe_customer_id`, sql`s.stripe_subscription_id`, sql`d.stripe_invoice_id`],
  },
});

function view(r: CaseRow): DunningCaseView {
  return {
    id: r.id,
    status: r.status,
    step: r.step,
    openedAt: iso(r.opened_at),
    graceUntil: iso(r.grace_until),
    graceDays: r.grace_days,
    attempts: r.attempts,
    amountAtRisk: r.status === 'open' ? r.amount_due_minor : 0,
    amountDue: r.amount_due_minor,
    currency: r.currency,
    lastFailure: { at: iso(r.last_failure_at), code: r.last_failure_code, declineCode: r.last_decline_code },
    user: r.user_id ? { id: r.user_id, email: r.user_email as string } : null,
    customer: { id: r.customer_id, stripeCustomerId: r.stripe_customer_id, email: r.customer_email },
    subscription: {
      id: r.subscription_id,
      stripeSubscriptionId: r.stripe_subscription_id,
      status: r.subscription_status,
      planKey: r.plan_key,
    },
    invoice: { id: r.invoice_id, stripeInvoiceId: r.stripe_invoice_id },
    reminderSentAt: r.reminder_sent_at ? iso(r.reminder_sent_at) : null,
    recovered: r.recovered_at
      ? {
          at: iso(r.recovered_at),
          amount: r.recovered_amount_minor,
          by: r.recovered_by,
          timeToRecoverSeconds: r.time_to_recover_seconds,
        }
      : null,
    lost: r.lost_at ? { at: iso(r.lost_at), reason: r.lost_reason } : null,
  };
}

export async function listDunningCases(db: Executor, p: ListParams<Sort>): Promise<Page<DunningCaseView>> {
  const { rows, total, totalExact } = await offsetPage<CaseRow, Sort>(db, CASES, p, [
    anyOf(sql`d.status`, p.status),
    equals(sql`d.currency`, p.currency),
    ...within(sql`d.opened_at`, p.createdFrom, p.createdTo),
    anyOf(sql`p.key`, p.plan),
    customerIs(p.customerId),
  ]);
  return { items: rows.map(view), page: p.page, limit: p.limit, total, totalExact };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One case with its timeline (oldest step first); 404 `dunning_case_not_found`. */
export async function getDunningCase(db: Executor, id: string) {
  if (!UUID.test(id)) throw notFound('Dunning case', 'dunning_case_not_found');
  const res = await db.execute<CaseRow>(sql`SELECT ${CASE_COLUMNS} FROM ${CASES.from} WHERE d.id = ${id}`);
  const row = res.rows[0];
  if (!row) throw notFound('Dunning case', 'dunning_case_not_found');
  const steps = await caseTimeline(db, id);
  return {
    ...view(row),
    timeline: steps.map((s) => ({ at: s.at.toISOString(), kind: s.kind, cause: s.cause, data: s.data })),
  };
}
