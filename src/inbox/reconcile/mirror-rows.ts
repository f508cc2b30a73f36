/**
 * Which mirror row a Stripe object lives in, its current content, and the difference between two versions of it
 * (for the drift report and the audit row of a repair). Bookkeeping columns (versions, updated_at) are not drift.
 */
import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';

export type MirrorKind =
  | 'customer'
  | 'subscription'
  | 'invoice'
  | 'payment_intent'
  | 'charge'
  | 'refund'
  | 'dispute'
  | 'product'
  | 'price'
  | 'payment_method';

const TABLES: Record<MirrorKind, { table: string; column: string }> = {
  customer: { table: 'customers', column: 'stripe_customer_id' },
  subscription: { table: 'subscriptions', column: 'stripe_subscription_id' },
  invoice: { table: 'invoices', column: 'stripe_invoice_id' },
  payment_intent: { table: 'payments', column: 'stripe_payment_intent_id' },
  charge: { table: 'payments', column: 'stripe_charge_id' },
  refund: { table: 'refunds', column: 'stripe_refund_id' },
  dispute: { table: 'disputes', column: 'stripe_dispute_id' },
  product: { table: 'plans', column: 'stripe_product_id' },
  price: { table: 'plan_prices', column: 'stripe_price_id' },
  payment_method: { table: 'payment_methods', column: 'stripe_payment_method_id' },
};

export function mirrorKindOf(objectType: unknown): MirrorKind | null {
  return typeof objectType === 'string' && objectType in TABLES ? (objectType as MirrorKind) : null;
}

export type RowSnapshot = Record<string, unknown> | null;

/** The row as JSON (snake_case columns), or null when we have none. */
export async function loadMirrorRow(db: Executor, kind: MirrorKind, stripeId: string): Promise<RowSnapshot> {
  const { table, column } = TABLES[kind];
  const res = await db.execute<{ row: Record<string, unknown> }>(
    sql`SELECT to_jsonb(t) AS row FROM ${sql.identifier(table)} t WHERE ${sql.identifier(column)} = ${stripeId}`,
  );
  return res.rows[0]?.row ?? null;
}

const BOOKKEEPING = new Set([
  'id',
  'updated_at',
  'stripe_version_at',
  'stripe_event_id',
  'intent_version_at',
  'intent_event_id',
  'charge_version_at',
  'charge_event_id',
]);

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

/** Field-by-field changes from `before` to `after` (a missing row is all-null). */
export function diffRows(before: RowSnapshot, after: RowSnapshot): FieldChange[] {
  if (!after) return [];
  const out: FieldChange[] = [];
  for (const [field, value] of Object.entries(after)) {
    if (BOOKKEEPING.has(field)) continue;
    const old = before ? before[field] : null;
    if (JSON.stringify(old ?? null) !== JSON.stringify(value ?? null))
      out.push({ field, before: old ?? null, after: value ?? null });
  }
  return out;
}
