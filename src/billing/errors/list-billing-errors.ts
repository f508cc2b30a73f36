/** Billing errors for admins: by status (default open), most recently seen first, keyset-paginated. */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../../db/client.js';
import { notFound } from '../../errors.js';
import { equals, keysetPage, listTable } from '../../db/list-query.js';
import { BILLING_ERROR_STATUSES, type BillingErrorStatus } from '../../inbox/inbox.tables.js';

export const billingErrorListParams = z
  .object({
    status: z.enum(BILLING_ERROR_STATUSES).default('open'),
    kind: z.string().trim().max(100).optional(),
    cursor: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();
export type BillingErrorListParams = z.infer<typeof billingErrorListParams>;

/** A billing error as the API shows it (also its OpenAPI schema). */
export const billingErrorView = z.object({
  id: z.string(),
  kind: z.string(),
  subject: z.string(),
  eventId: z.string().nullable(),
  message: z.string(),
  occurrences: z.number().int(),
  firstSeenAt: z.iso.datetime(),
  lastSeenAt: z.iso.datetime(),
  status: z.enum(BILLING_ERROR_STATUSES),
  resolutionNote: z.string().nullable(),
  resolvedBy: z.string().nullable(),
  resolvedAt: z.iso.datetime().nullable(),
  /** Events that failed into this error and are still waiting for it (status failed). */
  failedEvents: z.number().int(),
});
export type BillingErrorView = z.infer<typeof billingErrorView>;
export const billingErrorPage = z.object({
  items: z.array(billingErrorView),
  nextCursor: z.string().nullable(),
});

type Row = {
  id: string;
  kind: string;
  subject: string;
  event_id: string | null;
  message: string;
  occurrences: number;
  first_seen_at: Date;
  last_seen_at: Date;
  status: BillingErrorStatus;
  resolution_note: string | null;
  resolved_by: string | null;
  resolved_at: Date | null;
  failed_events: number;
};

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
const toView = (r: Row): BillingErrorView => ({
  id: r.id,
  kind: r.kind,
  subject: r.subject,
  eventId: r.event_id,
  message: r.message,
  occurrences: r.occurrences,
  firstSeenAt: new Date(r.first_seen_at).toISOString(),
  lastSeenAt: new Date(r.last_seen_at).toISOString(),
  status: r.status,
  resolutionNote: r.resolution_note,
  resolvedBy: r.resolved_by,
  resolvedAt: iso(r.resolved_at),
  failedEvents: Number(r.failed_events),
});

const ERRORS = listTable({
  select: sql`b.*, (SELECT count(*) FROM stripe_events e WHERE e.billing_error_id = b.id AND e.status = 'failed')::int
    AS failed_events`,
  from: sql`billing_errors b`,
  sort: { last_seen_at: sql`b.last_seen_at` },
  tieBreak: sql`b.id`,
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function listBillingErrors(
  db: Executor,
  p: BillingErrorListParams,
): Promise<{ items: BillingErrorView[]; nextCursor: string | null }> {
  const { rows, nextCursor } = await keysetPage<Row>(
    db,
    ERRORS,
    { at: sql`b.last_seen_at`, id: sql`b.id`, of: (r) => [r.last_seen_at, r.id], idPattern: UUID },
    p,
    [equals(sql`b.status`, p.status), equals(sql`b.kind`, p.kind)],
  );
  return { items: rows.map(toView), nextCursor };
}

export async function getBillingError(db: Executor, id: string): Promise<BillingErrorView> {
  if (!UUID.test(id)) throw notFound('Billing error', 'billing_error_not_found');
  const res = await db.execute<Row>(
    sql`SELECT ${ERRORS.select} FROM ${ERRORS.from} WHERE b.id = ${id}::uuid`,
  );
  const row = res.rows[0];
  if (!row) throw notFound('Billing error', 'billing_error_not_found');
  return toView(row);
}
