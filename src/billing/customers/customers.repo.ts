/**
 * The mirror of Stripe customers (and the cards seen on them). Shared by the customer.* / payment_method.* handlers
 * and reconciliation: `upsertCustomer(tx, customer, versionAt, eventId?)` applies a Stripe customer object if it is
 * newer than the row (src/billing/mirror/version-guard.ts), under a row lock, and says what changed.
 *
 * Linking (docs/DESIGN.md §4.4): a customer row always belongs to a user. `metadata.user_id` (the app sets it; older
 * fixtures use `app_user_id`) names the user; a customer created elsewhere is linked to the user whose VERIFIED
 * email equals the customer's; otherwise the customer is mirrored UNLINKED (`user_id` null): its subscriptions,
 * invoices and payments are mirrored and counted like any other (the revenue is real), nobody's role changes, and
 * the customer waits for its user — linkWaitingCustomer (link-waiting-customer.ts) links it when a user whose id
 * its metadata names, or whose verified email is its email, appears (sign-up, OAuth, email verification). A newer
 * object whose `metadata.user_id` names another user (who exists and has no customer) moves the customer to that
 * user.
 *
 * The first write of a customer (linked or not) makes the events of this customer that were parked because it was
 * not known yet due again at once (wakeParkedEvents): a subscription's events that arrived before
 * `customer.created` are applied in the very next batch, not after their backoff (30 s to an hour).
 * Every LINK — the first one, a relink to another user, an unlinked row linked again — is returned (`linked`), and
 * the edge that caused the write (a webhook handler, Checkout's fetch, reconciliation, or an operation's edge through
 * its OnCustomerLinked step) recomputes, in the same transaction, the entitled role of every user the link concerns
 * (recomputeLinkedRoles), its own cause (event, job, operation) first in the chain and the link after it: the user
 * has their role as soon as Stripe's order allows. Billing never recomputes a role itself.
 */
import { and, eq, sql, type SQL } from 'drizzle-orm';
import type Stripe from 'stripe';
import type { Executor, Tx } from '../../db/client.js';
import { selectRows } from '../../db/rows.js';
import { users } from '../../accounts/accounts.tables.js';
import { customers, paymentMethods } from '../billing.tables.js';
import { NotLinkableError } from '../../inbox/webhooks/types.js';
import { isNewer, type State, type Succession } from '../mirror/version-guard.js';
import { tieEvidence } from '../mirror/tie-evidence.js';
import { atRequired, idOf } from '../mirror/stripe-refs.js';
import { upsertMirrorRow } from '../mirror/upsert-mirror-row.js';
import type { CustomerLink } from '../../accounts/roles/role-cause.js';
import { wakeParkedEvents } from '../../inbox/webhooks/wake-parked-events.js';
import { reassignOpenCases } from '../../dunning/dunning.repo.js';

export type CustomerRow = typeof customers.$inferSelect;
export type PaymentMethodRow = typeof paymentMethods.$inferSelect;

export interface MirrorResult<Row> {
  /** `stale`: older than the row, nothing written. `unchanged`: newer but identical content (version bumped). */
  outcome: 'inserted' | 'updated' | 'unchanged' | 'stale';
  before: Row | null;
  row: Row | null;
}
export interface CustomerMirrorResult extends MirrorResult<CustomerRow> {
  /** Set when this write linked the customer to a user (first link, relink, or an unlinked row linked again):
   *  the caller recomputes the roles of the users it names (recomputeLinkedRoles) in the same transaction. */
  linked: CustomerLink | null;
}
/** The edge's step for a link an operation made (ensureCustomer, linkWaitingCustomer), run in the transaction that
 *  wrote the link: the role recompute of the users it names (accounts/roles/operation-roles.ts: recomputeOnLink). */
export type OnCustomerLinked = (tx: Tx, link: CustomerLink) => Promise<unknown>;

export const changed = (r: MirrorResult<unknown>) => r.outcome === 'inserted' || r.outcome === 'updated';

const CUSTOMER_FIELDS = [
  'userId',
  'email',
  'name',
  'country',
  'delinquent',
  'defaultPaymentMethodId',
  'defaultPmBrand',
  'defaultPmLast4',
  'defaultPmExpMonth',
  'defaultPmExpYear',
  'metadata',
  'deletedAt',
] as const satisfies readonly (keyof CustomerRow)[];

/** The fields compared for same-second succession (version-guard.ts), from the object and from the row. */
const objectState = (c: Stripe.Customer): State => ({
  email: c.email ?? null,
  name: c.name ?? null,
  delinquent: c.delinquent ?? false,
  'invoice_settings.default_payment_method': idOf(c.invoice_settings?.default_payment_method),
});
const rowState = (r: CustomerRow): State => ({
  email: r.email,
  name: r.name,
  delinquent: r.delinquent,
  'invoice_settings.default_payment_method': r.defaultPaymentMethodId,
});

export async function findCustomerByStripeId(tx: Executor, stripeCustomerId: string, lock = false) {
  const [row] = await selectRows(tx, customers, eq(customers.stripeCustomerId, stripeCustomerId), {
    forUpdate: lock,
  });
  return row ?? null;
}

/** `(SELECT id FROM customers WHERE stripe_customer_id = …)`: the local id inside another statement (or null). */
export const customerIdOf = (stripeCustomerId: string | null) =>
  sql`(SELECT id FROM customers WHERE stripe_customer_id = ${stripeCustomerId})`;

/** The customer row for a Stripe customer id, or NotLinkableError('unknown_customer'). */
export async function requireCustomer(tx: Executor, stripeCustomerId: string | null): Promise<CustomerRow> {
  if (!stripeCustomerId) throw new NotLinkableError('unknown_customer', 'none');
  const row = await findCustomerByStripeId(tx, stripeCustomerId);
  if (!row) throw new NotLinkableError('unknown_customer', stripeCustomerId);
  return row;
}

/** The user a customer object names (the app sets `metadata.user_id`; older fixtures use `app_user_id`). */
const claimedUserOf = (c: Stripe.Customer): string | null =>
  c.metadata?.user_id ?? c.metadata?.app_user_id ?? null;

/** The user exists and has no other customer (a user has at most one: a second one needs a person to decide). */
async function linkable(tx: Executor, c: Stripe.Customer, userId: string): Promise<boolean> {
  const [u] = await tx.select({ id: users.id }).from(users).where(eq(users.id, userId));
  if (!u) return false;
  const [taken] = await tx
    .select({ id: customers.id })
    .from(customers)
    .where(and(eq(customers.userId, userId), sql`${customers.stripeCustomerId} <> ${c.id}`));
  return !taken;
}

/** The user a customer without one links to, or null: it is mirrored unlinked and waits for its user. */
async function linkUser(tx: Executor, c: Stripe.Customer): Promise<string | null> {
  const claimed = claimedUserOf(c);
  if (claimed && (await linkable(tx, c, claimed))) return claimed;
  if (c.email) {
    const [u] = await tx
      .select({ id: users.id })
      .from(users)
      .where(and(sql`lower(${users.email}) = lower(${c.email})`, eq(users.emailVerified, true)));
    if (u && (await linkable(tx, c, u.id))) return u.id;
  }
  return null;
}

/**
 * The user a newer customer object links to: a linked customer moves only when its `metadata.user_id` names
 * another user that can take it (a relink); an unlinked one (its user was deleted) is linked as a new customer is.
 */
async function userFor(tx: Executor, c: Stripe.Customer, before: CustomerRow | null): Promise<string | null> {
  if (!before?.userId) return linkUser(tx, c);
  const claimed = claimedUserOf(c);
  if (claimed && claimed !== before.userId && (await linkable(tx, c, claimed))) return claimed;
  return before.userId;
}

/** Insert-or-lock: returns the locked existing row, or null after which the caller inserts (ON CONFLICT retried). */
async function lockCustomer(tx: Executor, id: string) {
  return findCustomerByStripeId(tx, id, true);
}

/**
 * Applies a Stripe customer object. `deleted` marks it deleted (customer.deleted); deletion is sticky and wins a
 * same-second tie. Idempotent: the same object twice is `stale` the second time.
 */
export async function upsertCustomer(
  tx: Executor,
  c: Stripe.Customer,
  versionAt: Date,
  eventId: string | null = null,
  opts: { deleted?: boolean; succession?: Succession } = {},
): Promise<CustomerMirrorResult> {
  const linkPayments = (id: string) => sql`
    UPDATE payments SET customer_id = ${id} WHERE stripe_customer_id = ${c.id} AND customer_id IS NULL`;
  const r = await upsertMirrorRow(tx, customers, {
    subject: `customer ${c.id}`,
    lock: () => lockCustomer(tx, c.id),
    decide: async (before) => {
      const rank = [opts.deleted ? 1 : 0];
      if (
        before &&
        !isNewer(
          { at: versionAt, eventId, rank, state: objectState(c), ...opts.succession },
          {
            at: before.stripeVersionAt,
            eventId: before.stripeEventId,
            rank: [before.deletedAt ? 1 : 0],
            state: rowState(before),
            ...(await tieEvidence(tx, before, { at: versionAt, eventId })),
          },
        )
      )
        return null;
      const userId = await userFor(tx, c, before);
      const defaultPaymentMethodId = idOf(c.invoice_settings?.default_payment_method);
      return {
        values: {
          userId,
          stripeCustomerId: c.id,
          email: c.email ?? null,
          name: c.name ?? null,
          country: c.address?.country ?? null,
          delinquent: c.delinquent ?? false,
          defaultPaymentMethodId,
          metadata: c.metadata ?? {},
          createdAt: atRequired(c.created),
          deletedAt: before?.deletedAt ?? (opts.deleted ? versionAt : null),
          stripeVersionAt: versionAt,
          stripeEventId: eventId,
          updatedAt: sql`now()`,
          // The default card is derived in the same write: one round trip less per customer event.
          ...defaultCardColumns(c.id, defaultPaymentMethodId),
        },
        // Payments stored before their customer (or by a writer that raced its insert) get linked now; for an
        // existing row inside its UPDATE (one statement per customer event, not two).
        ...(before ? { alongUpdate: sql`linked AS (${linkPayments(before.id)})` } : {}),
        carry: userId,
      };
    },
    compared: CUSTOMER_FIELDS,
  });
  if (r.outcome === 'stale') return { ...r, linked: null };
  const { before, row, carry: userId } = r;
  if (!before) {
    await tx.execute(linkPayments(row.id));
    await wakeParkedEvents(tx, c.id);
  }
  let linked: CustomerLink | null = null;
  if (userId !== null && (before?.userId ?? null) !== userId) {
    linked = {
      customerId: row.id,
      stripeCustomerId: c.id,
      fromUserId: before?.userId ?? null,
      toUserId: userId,
    };
    if (before) await reassignOpenCases(tx, before.id, userId);
  }
  return { outcome: r.outcome, before, row, linked };
}

/**
 * The customer's default card, derived from the cards seen (payment_method.attached/detached) and the customer's
 * `invoice_settings.default_payment_method`: that card if known and attached, else the newest attached card.
 * Only brand / last4 / expiry are ever stored. As column values of a write to the customer's row: `defaultPm` is
 * the default payment method the row will have (the customer's own write passes its new value; refreshDefaultCard
 * the row's column), so the customer's write needs no second statement.
 */
function defaultCardColumns(stripeCustomerId: string, defaultPm: SQL | string | null) {
  const pick = (column: 'brand' | 'last4' | 'exp_month' | 'exp_year') => sql`(
    SELECT p.${sql.raw(column)} FROM payment_methods p
    WHERE p.stripe_customer_id = ${stripeCustomerId} AND p.detached_at IS NULL AND p.type = 'card'
    ORDER BY (p.stripe_payment_method_id = ${defaultPm}) DESC NULLS LAST, p.created_at DESC,
             p.stripe_payment_method_id DESC
    LIMIT 1)`;
  return {
    defaultPmBrand: pick('brand'),
    defaultPmLast4: pick('last4'),
    defaultPmExpMonth: pick('exp_month'),
    defaultPmExpYear: pick('exp_year'),
  };
}

/** Recomputes the customer's default card after its cards changed (payment_method.* events). */
export async function refreshDefaultCard(tx: Executor, stripeCustomerId: string): Promise<void> {
  await tx
    .update(customers)
    .set(defaultCardColumns(stripeCustomerId, sql`${customers.defaultPaymentMethodId}`))
    .where(eq(customers.stripeCustomerId, stripeCustomerId));
}

const PM_FIELDS = ['stripeCustomerId', 'brand', 'last4', 'expMonth', 'expYear', 'detachedAt'] as const;

/**
 * Applies a payment method (payment_method.attached / updated / detached). Detached cards keep the customer they
 * belonged to (the payload's `customer` is null) so that customer's default card can be recomputed.
 */
export async function upsertPaymentMethod(
  tx: Executor,
  pm: Stripe.PaymentMethod,
  versionAt: Date,
  eventId: string | null = null,
  opts: { detached?: boolean } = {},
): Promise<MirrorResult<PaymentMethodRow>> {
  const r = await upsertMirrorRow(tx, paymentMethods, {
    subject: `payment method ${pm.id}`,
    lock: async () =>
      (
        await selectRows(tx, paymentMethods, eq(paymentMethods.stripePaymentMethodId, pm.id), {
          forUpdate: true,
        })
      )[0] ?? null,
    decide: (before) => {
      const detached = opts.detached || (!pm.customer && !!before?.stripeCustomerId);
      if (
        before &&
        !isNewer(
          { at: versionAt, eventId, rank: [detached ? 1 : 0] },
          { at: before.stripeVersionAt, eventId: before.stripeEventId, rank: [before.detachedAt ? 1 : 0] },
        )
      )
        return null;
      return {
        values: {
          stripePaymentMethodId: pm.id,
          stripeCustomerId: idOf(pm.customer) ?? before?.stripeCustomerId ?? null,
          type: pm.type,
          brand: pm.card?.brand ?? null,
          last4: pm.card?.last4 ?? null,
          expMonth: pm.card?.exp_month ?? null,
          expYear: pm.card?.exp_year ?? null,
          detachedAt: detached ? (before?.detachedAt ?? versionAt) : null,
          createdAt: atRequired(pm.created),
          stripeVersionAt: versionAt,
          stripeEventId: eventId,
          updatedAt: sql`now()`,
        },
        carry: null,
      };
    },
    compared: PM_FIELDS,
  });
  if (r.outcome !== 'stale' && r.row.stripeCustomerId) await refreshDefaultCard(tx, r.row.stripeCustomerId);
  return r;
}
