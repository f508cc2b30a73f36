/**
 * Roles in the docs/RELIABILITY.md 19 property run (issue 5), called from the shuffled-delivery property test's check with its own
 * generated lifecycles (reused, not copied). After all events of a run are applied, every grace period is let run
 * out (the dunning sweep far past the run, for this run's customers only), then for each user:
 * - the final role equals the oracle of the FINAL Stripe objects: `professional` (the fixture plan's role) when
 *   one of their subscriptions ends active or trialing, else `member` (a final past_due has had its grace run out;
 *   unpaid, incomplete, incomplete_expired and canceled grant nothing: docs/DESIGN.md §6); an admin stays `admin`;
 * - the role-change audit rows are one row per real transition: the first starts from the user's first role, each
 *   starts where the previous ended, none is a no-op, the last ends at the final role, each was caused by an event
 *   that was applied (never by a duplicate, a replay or a stale event) and no event caused two of them; an admin
 *   has none;
 * - the NUMBER of rows equals the oracle's number of real transitions whenever the dispatcher applied the
 *   customer's events in Stripe's order (every sample delivered in one chunk, and any other whose chunks happened
 *   to keep the order, duplicates dropped at ingest). The oracle then plays the customer's events in that order
 *   with the rules of docs/DESIGN.md §6 / issue 5, not the app's code: at each event that may change the role (a
 *   subscription change, a payment failure, a payment recovering its case) the role is the best of the
 *   subscriptions' — active/trialing grant `professional`, past_due grants it while `now < first failure + grace`
 *   — and each change counts once; the sweep then ends every grace. Out of order the intermediate history
 *   legitimately depends on what was known when (roles-dunning-disorder.int.test.ts), so only the chain is checked.
 */
import { expect } from 'vitest';
import type Stripe from 'stripe';
import type { Deps } from '../../src/deps.js';
import { runDunningSweep } from '../../src/dunning/dunning.jobs.js';

/** Far past every run's events (2027), yet within an int4 of seconds from them: time_to_recover_seconds is int. */
const SWEEP_AT = new Date('2060-01-01T00:00:00Z');

export interface RoleOracleInput {
  users: Array<{ id: string; admin?: boolean }>;
  finalSubs: Map<string, { id: string; status: string }>;
  /** Every event Stripe sent for the run, in Stripe's order. */
  events: Stripe.Event[];
  /** The deliveries as they were stored, chunk by chunk (each chunk applied before the next was stored). */
  chunks: Stripe.Event[][];
}

export interface RoleOracleStats {
  users: number;
  /** Users whose transition count was compared exactly (their events were applied in Stripe's order). */
  exact: number;
  admins: number;
}

const customerOf = (e: Stripe.Event): string => {
  const o = e.data.object as { object?: string; id?: string; customer?: unknown };
  return o.object === 'customer' ? String(o.id) : String(o.customer);
};
const byStripeOrder = (a: Stripe.Event, b: Stripe.Event) =>
  a.created - b.created || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Whether the dispatcher applied this customer's events in Stripe's order: it applies each chunk's newly stored
 * events of a key in (created, id) order once the customer is known, and a duplicate stores nothing. So the order
 * was kept exactly when concatenating each chunk's new events, sorted, gives the events sorted (customer.created,
 * the earliest, then comes first: nothing was parked).
 */
export function appliedInOrder(input: RoleOracleInput, customer: string): boolean {
  const seen = new Set<string>();
  const applied: string[] = [];
  for (const chunk of input.chunks) {
    const fresh = new Map<string, Stripe.Event>();
    for (const e of chunk) if (customerOf(e) === customer && !seen.has(e.id)) fresh.set(e.id, e);
    for (const e of [...fresh.values()].sort(byStripeOrder)) {
      seen.add(e.id);
      applied.push(e.id);
    }
  }
  const expected = input.events
    .filter((e) => customerOf(e) === customer)
    .sort(byStripeOrder)
    .map((e) => e.id);
  return applied.join() === expected.join();
}

type Case = {
  status: 'open' | 'recovered' | 'lost';
  openedAt: number;
  graceUntil: number;
  invoice: string | null;
};
type Sub = { status: string; versionAt: number; case: Case | null };

/**
 * The roles a user holds when the customer's events are applied in Stripe's order, then the sweep: the list of
 * roles after each real transition (its length is the number of role-change audit rows).
 */
export function inOrderTransitions(events: Stripe.Event[], graceDays: number): string[] {
  const grace = graceDays * 86_400;
  const subs = new Map<string, Sub>();
  const invoices = new Map<string, string>();
  let role = 'member';
  const history: string[] = [];
  const entitled = (now: number) => {
    for (const s of subs.values()) {
      if (s.status === 'active' || s.status === 'trialing') return 'professional';
      if (s.status !== 'past_due') continue;
      // Grace from the episode's first failure; a case just recovered by its payment (the subscription's
      // updated(active) follows it) keeps the role for grace days from the subscription's last change.
      const until = s.case && s.case.status !== 'recovered' ? s.case.graceUntil : s.versionAt + grace;
      if (now < until) return 'professional';
    }
    return 'member';
  };
  const recompute = (now: number) => {
    const next = entitled(now);
    if (next !== role) history.push(next);
    role = next;
  };
  const openCase = (s: Sub, at: number, invoice: string | null) => {
    s.case = { status: 'open', openedAt: at, graceUntil: at + grace, invoice };
  };

  for (const e of [...events].sort(byStripeOrder)) {
    const t = e.created;
    if (e.type.startsWith('invoice.')) {
      const inv = e.data.object as Stripe.Invoice;
      const sub = subs.get(String(inv.parent?.subscription_details?.subscription));
      const before = invoices.get(inv.id!);
      if (before !== 'paid') invoices.set(inv.id!, inv.status!);
      if (!sub) continue;
      if (e.type === 'invoice.payment_failed') {
        if (before === 'paid' || !['active', 'trialing', 'past_due'].includes(sub.status)) continue;
        if (sub.case?.status !== 'open') openCase(sub, t, inv.id!);
        recompute(t);
      } else if (e.type === 'invoice.paid') {
        const paidAt = inv.status_transitions?.paid_at ?? t;
        const c = sub.case;
        if (c?.status !== 'open') continue;
        if (c.invoice === null ? paidAt < c.openedAt : c.invoice !== inv.id) continue;
        c.status = 'recovered';
        recompute(t);
      }
      continue;
    }
    if (!e.type.startsWith('customer.subscription.')) continue;
    const obj = e.data.object as Stripe.Subscription;
    const sub = subs.get(obj.id) ?? { status: obj.status, versionAt: t, case: null };
    subs.set(obj.id, sub);
    sub.status = obj.status;
    sub.versionAt = t;
    if (obj.status === 'past_due' && sub.case?.status !== 'open' && sub.case?.status !== 'lost') {
      openCase(sub, t, null);
    }
    if (['canceled', 'unpaid', 'incomplete_expired'].includes(obj.status) && sub.case?.status === 'open') {
      sub.case.status = 'lost';
    }
    recompute(t);
  }
  // The sweep: every open case ends (recovered if its subscription is active again, else lost and the role
  // recomputed).
  let lost = false;
  for (const s of subs.values()) {
    if (s.case?.status !== 'open') continue;
    s.case.status = s.status === 'active' || s.status === 'trialing' ? 'recovered' : 'lost';
    lost ||= s.case.status === 'lost';
  }
  if (lost) recompute(Math.floor(SWEEP_AT.getTime() / 1000));
  return history;
}

export async function checkRolesAgainstOracle(
  deps: Deps,
  input: RoleOracleInput,
  run: number,
): Promise<RoleOracleStats> {
  const stats: RoleOracleStats = { users: input.users.length, exact: 0, admins: 0 };
  const customers = input.users.map((u) => u.id.replace(/^user_/, 'cus_'));
  await runDunningSweep(deps, SWEEP_AT, { stripeCustomerIds: customers });
  for (const u of input.users) {
    const customer = u.id.replace(/^user_/, 'cus_');
    const ci = /c(\d+)$/.exec(u.id)![1];
    const subs = [...input.finalSubs.values()].filter((s) => s.id.startsWith(`sub_r${run}c${ci}s`));
    const expected = u.admin
      ? 'admin'
      : subs.some((s) => s.status === 'active' || s.status === 'trialing')
        ? 'professional'
        : 'member';
    const { rows } = await deps.database.pool.query<{ role: string }>(
      `SELECT role FROM users WHERE id = $1`,
      [u.id],
    );
    expect([u.id, rows[0]?.role]).toEqual([u.id, expected]);

    const changes = await deps.database.pool.query<{
      b: string;
      a: string;
      event: string | null;
      status: string | null;
    }>(
      `SELECT a.before->>'role' AS b, a.after->>'role' AS a, a.cause->>'eventId' AS event, e.status
       FROM audit_log a LEFT JOIN stripe_events e ON e.id = a.cause->>'eventId'
       WHERE a.action = 'user.role_changed' AND a.subject_id = $1 ORDER BY a.id`,
      [u.id],
    );
    if (u.admin) {
      stats.admins++;
      expect([u.id, changes.rows]).toEqual([u.id, []]);
      continue;
    }
    let at = 'member';
    for (const c of changes.rows) {
      expect([u.id, c.b]).toEqual([u.id, at]);
      expect(c.a).not.toBe(c.b);
      if (c.event !== null) expect([u.id, c.event, c.status]).toEqual([u.id, c.event, 'processed']);
      at = c.a;
    }
    expect([u.id, at]).toEqual([u.id, expected]);
    const events = changes.rows.map((c) => c.event).filter((e) => e !== null);
    expect(new Set(events).size).toBe(events.length);

    const firstEventAt = Math.min(
      ...input.events.filter((e) => customerOf(e) === customer).map((e) => e.created),
    );
    // Events are judged at max(clock, event time): the exact count holds while the shared clock is before them.
    if (appliedInOrder(input, customer) && deps.clock.now().getTime() <= firstEventAt * 1000) {
      stats.exact++;
      const oracle = inOrderTransitions(
        input.events.filter((e) => customerOf(e) === customer),
        deps.config.graceDays,
      );
      expect([u.id, changes.rows.map((c) => c.a)]).toEqual([u.id, oracle]);
    }
  }
  return stats;
}
