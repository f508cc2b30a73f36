/**
 * Issue 5: one renewal's four dunning events — F `invoice.payment_failed`, P `customer.subscription.updated`
 * (active → past_due), I `invoice.paid`, A `customer.subscription.updated` (past_due → active) — applied in each of
 * their 24 arrival orders, with and without `latest_invoice` on the subscription payloads, then the subscription is
 * canceled. What docs/DESIGN.md §6 asks of every order:
 * - a case exists exactly when a failure was known before the payment: F applied before I, or P applied (not stale:
 *   before A) before I. Then it ends `recovered` by the payment (stripe_retry, the invoice, its amount), as in order;
 *   its opening instant (grace, time to recover) is the first failure: F's whenever F arrived before the payment
 *   (a case opened by P moves back to F's earlier failure), else P's.
 *   Otherwise nothing was ever unpaid from the user's point of view (the receipt came before any failure: a failure
 *   of a paid invoice changes nothing, docs/RELIABILITY.md 15, and a past_due older than the payment is already cured), so
 *   no case, no "payment failed";
 * - no "payment failed" is queued after the receipt of the renewal, and no "downgraded" ever (the cancellation
 *   ends a paid subscription, not a lost case);
 * - the role stays professional through all four events; the cancellation is its only downgrade.
 * Plus: a subscription back to active whose failed invoice the mirror already has as paid closes the case as
 * recovered with the step, before `invoice.paid` arrives.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- untyped JSON answers, asserted literally */
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  customerObject,
  DAY,
  event,
  invoiceObject,
  iso,
  PRICES,
  subscriptionObject,
  T0,
} from '../../story/index.js';
import { addUser, storyWorld, type StoryWorld } from '../../story/world.js';

let w: StoryWorld;
beforeAll(async () => {
  w = await storyWorld({
    label: 'roles-dunning-arrival-orders',
    start: iso(T0),
    maxConnections: 8,
    catalogue: 'roles',
  });
});
afterAll(() => w.close());

type Step = 'F' | 'P' | 'I' | 'A';
const STEPS: Step[] = ['F', 'P', 'I', 'A'];
const IN_ORDER = 'FPIA';

function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

const R = T0 + 60 + 30 * DAY; // the renewal instant
const AT: Record<Step, number> = { F: R + 10, P: R + 11, I: R + 3 * DAY, A: R + 3 * DAY + 1 };
const CANCEL_AT = R + 10 * DAY;

/** A paying user (first invoice paid, active) and the renewal's four events, keyed by step. */
async function renewalStory(n: string, withLatestInvoice: boolean) {
  const userId = `u_${n}`;
  const cus = `cus_${n}`;
  const subId = `sub_${n}`;
  await addUser(w.deps, userId);
  const sub = (status: Stripe.Subscription.Status, periodStart: number, latestInvoice: string) =>
    subscriptionObject({
      id: subId,
      customer: cus,
      price: PRICES.pro,
      status,
      created: T0 + 60,
      periodStart,
      periodEnd: periodStart + 30 * DAY,
      latestInvoice: withLatestInvoice ? latestInvoice : null,
      canceledAt: status === 'canceled' ? CANCEL_AT : null,
      endedAt: status === 'canceled' ? CANCEL_AT : null,
    });
  const invoice = (id: string, status: 'open' | 'paid', created: number, attempt: number, paidAt?: number) =>
    invoiceObject({
      id,
      customer: cus,
      subscription: subId,
      status,
      amountDue: 2900,
      attempt,
      created,
      paidAt,
    });
  await w.applyEach(
    event('customer.created', customerObject(cus, userId, { defaultPm: 'pm_1' }), T0),
    event('customer.subscription.created', sub('active', T0 + 60, `in_${n}1`), T0 + 60),
    event('invoice.paid', invoice(`in_${n}1`, 'paid', T0 + 60, 1), T0 + 61),
  );
  const renewal = `in_${n}2`;
  const events: Record<Step, Stripe.Event> = {
    F: event('invoice.payment_failed', invoice(renewal, 'open', R, 1), AT.F),
    P: event('customer.subscription.updated', sub('past_due', R, renewal), AT.P),
    I: event('invoice.paid', invoice(renewal, 'paid', R, 2, AT.I), AT.I),
    A: event('customer.subscription.updated', sub('active', R, renewal), AT.A),
  };
  const cancel = event('customer.subscription.deleted', sub('canceled', R, renewal), CANCEL_AT);
  return { userId, subId, renewal, events, cancel };
}

const casesOf = (stripeSub: string) =>
  w.q<any>(
    `SELECT d.* FROM dunning_cases d JOIN subscriptions s ON s.id = d.subscription_id
     WHERE s.stripe_subscription_id = $1 ORDER BY d.opened_at`,
    [stripeSub],
  );
const stepsOf = (caseId: string) =>
  w.q<{ kind: string }>(`SELECT kind FROM dunning_case_events WHERE case_id = $1 ORDER BY at, id`, [caseId]);
const templatesOf = (userId: string) =>
  w.q<{ key: string; template: string }>(`SELECT key, template FROM outbox WHERE user_id = $1`, [userId]);

/** The case fields docs/DESIGN.md §6 fixes whatever the order: how it ended, by what, for which invoice and amount. */
const outcome = (c: any, renewal: string) => ({
  status: c.status,
  stripe_invoice_id: c.stripe_invoice_id === renewal ? 'the renewal' : c.stripe_invoice_id,
  amount_due_minor: Number(c.amount_due_minor),
  currency: c.currency,
  recovered_by: c.recovered_by,
  recovered_amount_minor: Number(c.recovered_amount_minor),
  recovered_at: c.recovered_at.toISOString(),
  lost_reason: c.lost_reason,
});

/** Runs one order; returns the case (or null) for the in-order comparison. */
async function runOrder(order: Step[], withLatestInvoice: boolean) {
  const name = `${withLatestInvoice ? 'li' : 'nl'}${order.join('').toLowerCase()}`;
  const s = await renewalStory(name, withLatestInvoice);
  const pos = (x: Step) => order.indexOf(x);
  const pApplied = pos('P') < pos('A');
  const failureKnownFirst = pos('F') < pos('I') || (pApplied && pos('P') < pos('I'));
  const opener: Step | null = failureKnownFirst
    ? (['F', 'P'] as Step[])
        .filter((x) => pos(x) < pos('I') && (x === 'F' || pApplied))
        .sort((a, b) => pos(a) - pos(b))[0]!
    : null;

  // docs/DESIGN.md §6: grace from the first failure; F (R + 10) is earlier than P, so it counts whenever it was applied.
  const firstFailure: Step | null = opener && pos('F') < pos('I') ? 'F' : opener;

  let receiptSeen = false;
  for (const step of order) {
    const [r] = await w.applyEach(s.events[step]);
    // A past_due older than the applied active, or a failure of an invoice already paid, is stale (changes no row).
    const stale = (step === 'P' && !pApplied) || (step === 'F' && pos('I') < pos('F'));
    expect(r!.status, `${name}: ${step}`).toBe(stale ? 'stale' : 'processed');
    expect(await w.role(s.userId), `${name}: role after ${step}`).toBe('professional');
    const mail = await templatesOf(s.userId);
    if (receiptSeen) {
      // Nothing about a failure is queued once the user has the renewal's receipt.
      expect(
        mail.filter((m) => m.template === 'payment_failed').length,
        `${name}: payment_failed after the receipt (at ${step})`,
      ).toBe(failureKnownFirst ? 1 : 0);
    }
    receiptSeen = mail.some((m) => m.key === `receipt:${s.renewal}`);
  }

  const cases = await casesOf(s.subId);
  if (!opener) {
    expect(cases, `${name}: no case`).toEqual([]);
  } else {
    expect(cases, `${name}: one case`).toHaveLength(1);
    const c = cases[0];
    expect(outcome(c, s.renewal), name).toEqual({
      status: 'recovered',
      stripe_invoice_id: 'the renewal',
      amount_due_minor: 2900,
      currency: 'usd',
      recovered_by: 'stripe_retry',
      recovered_amount_minor: 2900,
      recovered_at: iso(AT.I),
      lost_reason: null,
    });
    const first = AT[firstFailure!];
    expect(c.opened_at.toISOString(), name).toBe(iso(first));
    expect(c.grace_until.toISOString(), name).toBe(iso(first + 7 * DAY));
    expect(Number(c.time_to_recover_seconds), name).toBe(AT.I - first);
    const kinds = (await stepsOf(c.id)).map((x) => x.kind);
    expect(
      kinds.filter((k) => k === 'opened'),
      name,
    ).toEqual(['opened']);
    expect(
      kinds.filter((k) => k === 'recovered'),
      name,
    ).toEqual(['recovered']);
    expect(kinds.at(-1), name).toBe('recovered');
  }
  const before = await casesOf(s.subId);

  // The subscription ends later: a paid episode is not lost and nobody is told they were downgraded for not paying.
  await w.applyEach(s.cancel);
  expect(await w.role(s.userId)).toBe('member');
  expect((await casesOf(s.subId)).map((c) => outcome(c, s.renewal))).toEqual(
    before.map((c) => outcome(c, s.renewal)),
  );
  const mail = (await templatesOf(s.userId)).map((m) => m.template).sort();
  expect(mail, name).toEqual(opener ? ['payment_failed', 'receipt', 'receipt'] : ['receipt', 'receipt']);
  expect(
    (await w.roleChanges(s.userId)).map((r) => [r.b, r.a, r.by]),
    name,
  ).toEqual([
    ['member', 'professional', 'customer.subscription.created'],
    ['professional', 'member', 'customer.subscription.deleted'],
  ]);
  return cases[0] ? outcome(cases[0], s.renewal) : null;
}

describe('one renewal, its four dunning events in every arrival order', () => {
  for (const withLatestInvoice of [true, false]) {
    describe(withLatestInvoice ? 'with latest_invoice' : 'without latest_invoice', () => {
      let inOrder: ReturnType<typeof outcome> | null = null;
      beforeAll(async () => {
        // Stripe's order, the reference (run here so that each order below can be run alone with -t).
        inOrder = await runOrder([...IN_ORDER] as Step[], withLatestInvoice);
      });
      it(`in order (${IN_ORDER}): one case, recovered by the retry`, () => {
        expect(inOrder).not.toBeNull();
      });
      for (const order of permutations(STEPS).filter((p) => p.join('') !== IN_ORDER)) {
        it(`${order.join(' ')}`, async () => {
          const got = await runOrder(order, withLatestInvoice);
          // Where a case exists, it ends as the in-order run's (docs/DESIGN.md §6: payment recovers the case).
          if (got) expect(got).toEqual(inOrder);
        });
      }
    });
  }
});

describe('a subscription back to active with its failed invoice already paid closes the case', () => {
  it('invoice.payment_succeeded marks the invoice paid, the active update recovers the case; invoice.paid adds only the receipt', async () => {
    const s = await renewalStory('succ', true);
    await w.applyEach(s.events.F, s.events.P);
    await w.applyEach(event('invoice.payment_succeeded', s.events.I.data.object, AT.I));
    expect((await casesOf(s.subId))[0].status).toBe('open');
    await w.applyEach(s.events.A);
    const [c] = await casesOf(s.subId);
    expect(outcome(c, s.renewal)).toEqual({
      status: 'recovered',
      stripe_invoice_id: 'the renewal',
      amount_due_minor: 2900,
      currency: 'usd',
      recovered_by: 'stripe_retry',
      recovered_amount_minor: 2900,
      recovered_at: iso(AT.I),
      lost_reason: null,
    });
    expect(Number(c.time_to_recover_seconds)).toBe(AT.I - AT.F);
    expect(c.closed_by).toBe(s.events.A.id);
    await w.applyEach(s.events.I);
    expect((await stepsOf(c.id)).map((x) => x.kind)).toEqual(['opened', 'payment_failed', 'recovered']);
    expect(outcome((await casesOf(s.subId))[0], s.renewal)).toEqual(outcome(c, s.renewal));
    expect((await templatesOf(s.userId)).map((m) => m.template).sort()).toEqual([
      'payment_failed',
      'receipt',
      'receipt',
    ]);
    expect(await w.role(s.userId)).toBe('professional');
  });
});
