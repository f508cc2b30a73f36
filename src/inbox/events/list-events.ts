/**
 * The Stripe events log for admins: newest first, filtered by type and/or status, keyset-paginated by
 * (received_at, id) so a page is cheap at any depth and stable while new events arrive.
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../../db/client.js';
import { equals, keysetPage, listTable } from '../../db/list-query.js';
import { STRIPE_EVENT_STATUSES, type StripeEventStatus } from '../inbox.tables.js';

export const eventListParams = z
  .object({
    type: z
      .string()
      .trim()
      .regex(/^[a-z_.*]{1,100}$/)
      .optional(),
    status: z.enum(STRIPE_EVENT_STATUSES).optional(),
    cursor: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();
export type EventListParams = z.infer<typeof eventListParams>;

/** An event in the log (also its OpenAPI schema). */
export const eventSummary = z.object({
  id: z.string(),
  type: z.string(),
  status: z.enum(STRIPE_EVENT_STATUSES),
  note: z.string().nullable(),
  livemode: z.boolean(),
  objectId: z.string().nullable(),
  orderingKey: z.string(),
  createdAt: z.iso.datetime(),
  receivedAt: z.iso.datetime(),
  processedAt: z.iso.datetime().nullable(),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  availableAt: z.iso.datetime(),
  billingErrorId: z.string().nullable(),
  /** When retention dropped the stored payload (EVENT_PAYLOAD_RETENTION_DAYS); null while it is kept. */
  payloadPrunedAt: z.iso.datetime().nullable(),
});
export type EventSummary = z.infer<typeof eventSummary>;
export const eventPage = z.object({ items: z.array(eventSummary), nextCursor: z.string().nullable() });

type Row = {
  id: string;
  type: string;
  status: StripeEventStatus;
  note: string | null;
  livemode: boolean;
  object_id: string | null;
  ordering_key: string;
  created_at: Date;
  received_at: Date;
  processed_at: Date | null;
  attempts: number;
  last_error: string | null;
  available_at: Date;
  billing_error_id: string | null;
  payload_pruned_at: Date | null;
};

export const EVENT_SUMMARY_COLUMNS = sql.raw(
  'id, type, status, note, livemode, object_id, ordering_key, created_at, received_at, processed_at, attempts, last_error, available_at, billing_error_id, payload_pruned_at',
);

export function toSummary(r: Row): EventSummary {
  return {
    id: r.id,
    type: r.type,
    status: r.status,
    note: r.note,
    livemode: r.livemode,
    objectId: r.object_id,
    orderingKey: r.ordering_key,
    createdAt: new Date(r.created_at).toISOString(),
    receivedAt: new Date(r.received_at).toISOString(),
    processedAt: r.processed_at ? new Date(r.processed_at).toISOString() : null,
    attempts: r.attempts,
    lastError: r.last_error,
    availableAt: new Date(r.available_at).toISOString(),
    billingErrorId: r.billing_error_id,
    payloadPrunedAt: r.payload_pruned_at ? new Date(r.payload_pruned_at).toISOString() : null,
  };
}
export type EventRow = Row;

const EVENTS = listTable({
  select: EVENT_SUMMARY_COLUMNS,
  from: sql`stripe_events`,
  sort: { received_at: sql`received_at` },
  tieBreak: sql`id`,
});

export async function listEvents(
  db: Executor,
  p: EventListParams,
): Promise<{ items: EventSummary[]; nextCursor: string | null }> {
  const { rows, nextCursor } = await keysetPage<Row>(
    db,
    EVENTS,
    { at: sql`received_at`, id: sql`id`, of: (r) => [r.received_at, r.id] },
    p,
    [
      // `invoice.*` matches a family.
      p.type?.endsWith('.*') ? sql`type LIKE ${p.type.slice(0, -1) + '%'}` : equals(sql`type`, p.type),
      equals(sql`status`, p.status),
    ],
  );
  return { items: rows.map(toSummary), nextCursor };
}
