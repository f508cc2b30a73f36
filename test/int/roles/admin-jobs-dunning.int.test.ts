/**
 * Issue 5, admin side through the real app (buildApp + guards):
 * - `GET /api/admin/jobs/:id`: one shape for every long-running admin job with a progress record — a role sync run
 *   (queued → finished) and reconciliation runs (finished; failed with its error), 404 `job_not_found`;
 * - the dunning API: the paged list (newest first, filters, list-param conventions), one case with its timeline,
 *   and the stats computed from the cases (whole history and a window), with every error path's stable code.
 * Stripe is substituted (reconciliation) by an account whose lists are given here; nothing of ours is.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- untyped JSON answers, asserted literally */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type Stripe from 'stripe';
import { testApp, type TestApp } from '../../helpers/app.js';
import { adminSession, browserHeaders, memberSession, type Session } from '../../helpers/auth.js';
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
import { addUser, applyEvents, seedRolesCatalogue } from '../../story/world.js';
import type { FakeClock } from '../../../src/clock.js';
import { roleJobs } from '../../../src/accounts/roles/roles.jobs.js';
import { ROLE_SYNC_JOB } from '../../../src/accounts/roles/sync-roles.js';
import { runDunningSweep } from '../../../src/dunning/dunning.jobs.js';
import { runSync } from '../../../src/inbox/reconcile/run-sync.js';
import { handlers } from '../../../src/inbox/webhooks/handlers/index.js';

let h: TestApp;
let admin: Session;
let member: Session;
const R = T0 + 60 + 30 * DAY; // 2026-10-13T00:01:00Z: renewals fail from here
const NOW = iso(R + 35 + 7 * DAY); // 2026-10-20T00:01:35Z

const get = (url: string, s: Session = admin) =>
  h.app.inject({ method: 'GET', url, headers: browserHeaders(s) });
const send = (url: string, payload: object, s: Session = admin) =>
  h.app.inject({ method: 'POST', url, headers: browserHeaders(s), payload });
const error = (r: { statusCode: number; json(): any }) => [r.statusCode, r.json().error.code];

async function payingUser(id: string, price: string = PRICES.pro) {
  await addUser(h.deps, id);
  await applyEvents(h.deps, [
    event('customer.created', customerObject(`cus_${id}`, id), T0),
    event(
      'customer.subscription.created',
      subscriptionObject({
        id: `sub_${id}`,
        customer: `cus_${id}`,
        price,
        status: 'active',
        periodStart: T0 + 60,
        periodEnd: R,
      }),
      T0 + 60,
    ),
  ]);
}

const pastDue = (id: string, at: number) =>
  event(
    'customer.subscription.updated',
    subscriptionObject({
      id: `sub_${id}`,
      customer: `cus_${id}`,
      price: PRICES.pro,
      status: 'past_due',
      periodStart: R,
      periodEnd: R + 30 * DAY,
      latestInvoice: `in_${id}_2`,
    }),
    at,
  );

function failed(id: string, at: number, amountDue: number, currency = 'usd') {
  const inv = invoiceObject({
    id: `in_${id}_2`,
    customer: `cus_${id}`,
    subscription: `sub_${id}`,
    status: 'open',
    amountDue,
    created: at,
  });
  inv.currency = currency;
  return event('invoice.payment_failed', inv, at);
}

function paid(id: string, at: number, amountDue: number, currency = 'usd') {
  const inv = invoiceObject({
    id: `in_${id}_2`,
    customer: `cus_${id}`,
    subscription: `sub_${id}`,
    status: 'paid',
    amountDue,
    attempt: 2,
    created: R,
    paidAt: at,
  });
  inv.currency = currency;
  return event('invoice.paid', inv, at);
}

/** A Stripe account for reconciliation: lists answered from these arrays (or a failure), one page each. */
function stripeAccount(lists: { customers?: object[]; failCustomers?: string } = {}): Stripe {
  const page = (data: object[]) => async () => ({ object: 'list', data, has_more: false });
  return {
    events: { list: page([]) },
    customers: {
      list: lists.failCustomers
        ? async () => {
            throw new Error(lists.failCustomers);
          }
        : page(lists.customers ?? []),
    },
    subscriptions: { list: page([]) },
    invoices: { list: page([]) },
  } as unknown as Stripe;
}

beforeAll(async () => {
  h = await testApp({ startQueue: true, label: 'admin-jobs-dunning' });
  for (const def of roleJobs) await h.deps.queue.ensureQueue(def);
  await seedRolesCatalogue(h.deps.db);
  admin = await adminSession(h);
  member = await memberSession(h, 'mo@example.com');

  // Four dunning stories: recovered by Stripe's retry (usd), recovered after a card update (eur), lost, still open.
  for (const id of ['ret', 'card', 'lost', 'open']) await payingUser(id);
  await applyEvents(h.deps, [
    failed('ret', R + 10, 2900),
    paid('ret', R + 10 + DAY, 2900),
    failed('card', R + 20, 4500, 'eur'),
    event('customer.updated', customerObject('cus_card', 'card', { defaultPm: 'pm_new' }), R + 20 + 2 * DAY),
    paid('card', R + 20 + 3 * DAY, 4500, 'eur'),
    failed('lost', R + 30, 2900),
    pastDue('lost', R + 31),
    failed('open', R + 40, 2900),
    pastDue('open', R + 41),
  ]);
  // Now: after the lost case's grace (it ends, a reminder for the open one goes), before the open one's.
  (h.clock as FakeClock).set(NOW);
  await runDunningSweep(h.deps, h.clock.now());
});
afterAll(() => h.close());

describe('access', () => {
  it('refuses anonymous (401) and members (403) on the jobs and dunning routes', async () => {
    for (const url of [
      '/api/admin/jobs/00000000-0000-0000-0000-000000000000',
      '/api/admin/dunning',
      '/api/admin/dunning/stats',
      '/api/admin/dunning/00000000-0000-0000-0000-000000000000',
    ]) {
      expect([url, (await h.app.inject({ method: 'GET', url })).statusCode]).toEqual([url, 401]);
      expect([url, (await get(url, member)).statusCode]).toEqual([url, 403]);
    }
  });
});

describe('GET /api/admin/jobs/:id', () => {
  it('a role sync run: queued, then finished with its result, in the one job shape', async () => {
    await h.t.pool.query(`UPDATE users SET role = 'enterprise' WHERE id = 'open'`);
    const apply = await send('/api/admin/roles/sync', { dryRun: false, reason: 'fix manual edit' });
    expect(apply.statusCode).toBe(202);
    const job = apply.json().job;
    expect(job).toEqual({
      id: job.id,
      kind: 'roles.sync',
      status: 'queued',
      progress: { done: 0, total: 1 },
      startedAt: null,
      finishedAt: null,
    });
    expect((await get(`/api/admin/jobs/${job.id}`)).json()).toEqual(job);

    const [queued] = await h.deps.queue.boss.fetch<{ runId: string }>(ROLE_SYNC_JOB);
    await roleJobs.find((j) => j.name === ROLE_SYNC_JOB)!.run(h.deps, queued!.data, { id: queued!.id });
    const done = await get(`/api/admin/jobs/${job.id}`);
    expect(done.statusCode).toBe(200);
    expect(done.json()).toEqual({
      id: job.id,
      kind: 'roles.sync',
      status: 'finished',
      progress: { done: 1, total: 1 },
      startedAt: '2026-10-20T00:01:35.000Z',
      finishedAt: '2026-10-20T00:01:35.000Z',
      result: {
        changed: 1,
        processed: 1,
        batchSize: 100,
        reason: 'fix manual edit',
        requestedBy: { type: 'user', id: admin.userId },
      },
    });
  });

  it('a reconciliation run: finished with its summary; a failed one with its error', async () => {
    const ok = await runSync(
      { ...h.deps, stripe: stripeAccount() },
      { since: new Date((R - DAY) * 1000), handlers, trigger: 'test', resume: false },
    );
    const okJob = await get(`/api/admin/jobs/${ok.runId}`);
    expect(okJob.statusCode).toBe(200);
    expect(okJob.json()).toEqual({
      id: ok.runId,
      kind: 'billing.reconcile',
      status: 'finished',
      progress: { done: 4, total: 4 },
      startedAt: '2026-10-20T00:01:35.000Z',
      finishedAt: '2026-10-20T00:01:35.000Z',
      result: {
        trigger: 'test',
        since: '2026-10-12T00:01:00.000Z',
        requests: 4,
        seen: { events: 0, customers: 0, subscriptions: 0, invoices: 0 },
        eventsRecovered: 0,
        corrections: 0,
      },
    });

    await expect(
      runSync(
        { ...h.deps, stripe: stripeAccount({ failCustomers: 'Stripe is unreachable' }) },
        { since: new Date((R - DAY) * 1000), handlers, trigger: 'test', resume: false },
      ),
    ).rejects.toThrow('Stripe is unreachable');
    const [failedRun] = (await h.t.pool.query(`SELECT id FROM sync_runs WHERE status = 'failed'`)).rows;
    expect((await get(`/api/admin/jobs/${failedRun.id}`)).json()).toEqual({
      id: failedRun.id,
      kind: 'billing.reconcile',
      status: 'failed',
      progress: { done: 1, total: 4 },
      startedAt: '2026-10-20T00:01:35.000Z',
      finishedAt: null,
      error: { message: 'Stripe is unreachable' },
    });
  });

  it('404 job_not_found for unknown ids of every kind and for ids no job could have', async () => {
    for (const id of [
      '6f1c2a64-4d0b-4a43-9c68-000000000000',
      'sync_1789257600_deadbeef',
      'nope',
      'x'.repeat(100),
    ]) {
      expect([id, ...error(await get(`/api/admin/jobs/${id}`))]).toEqual([id, 404, 'job_not_found']);
    }
  });
});

describe('GET /api/admin/dunning', () => {
  it('lists cases newest first with user, customer, subscription, amount at risk, grace and step', async () => {
    const r = await get('/api/admin/dunning');
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect([body.page, body.limit, body.total]).toEqual([1, 50, 4]);
    expect(
      body.items.map((c: any) => [c.user.email, c.status, c.step, c.amountAtRisk, c.currency, c.graceUntil]),
    ).toEqual([
      ['open@example.com', 'open', 'reminder_sent', 2900, 'usd', '2026-10-20T00:01:40.000Z'],
      ['lost@example.com', 'lost', 'lost', 0, 'usd', '2026-10-20T00:01:30.000Z'],
      ['card@example.com', 'recovered', 'recovered', 0, 'eur', '2026-10-20T00:01:20.000Z'],
      ['ret@example.com', 'recovered', 'recovered', 0, 'usd', '2026-10-20T00:01:10.000Z'],
    ]);
    expect(body.items[0]).toMatchObject({
      status: 'open',
      openedAt: '2026-10-13T00:01:40.000Z',
      amountDue: 2900,
      attempts: 1,
      user: { id: 'open', email: 'open@example.com' },
      customer: { stripeCustomerId: 'cus_open', email: 'open@example.com' },
      subscription: { stripeSubscriptionId: 'sub_open', planKey: 'pro' },
      invoice: { stripeInvoiceId: 'in_open_2' },
      recovered: null,
      lost: null,
    });
    expect(body.items[2]).toMatchObject({
      amountDue: 4500,
      recovered: {
        at: '2026-10-16T00:01:20.000Z',
        amount: 4500,
        by: 'card_update',
        timeToRecoverSeconds: 259200,
      },
    });
    expect(body.items[1].lost).toEqual({ at: '2026-10-20T00:01:35.000Z', reason: 'grace_expired' });
  });

  it('filters by status, pages with page + pageSize (or limit), searches by email and Stripe id', async () => {
    const ids = async (q: string) =>
      (await get(`/api/admin/dunning?${q}`)).json().items.map((c: any) => c.user.id);
    expect(await ids('status=open')).toEqual(['open']);
    expect(await ids('status=recovered,lost')).toEqual(['lost', 'card', 'ret']);
    const p2 = (await get('/api/admin/dunning?page=2&pageSize=1')).json();
    expect([p2.items.map((c: any) => c.user.id), p2.page, p2.limit, p2.total]).toEqual([['lost'], 2, 1, 4]);
    expect(await ids('page=2&limit=3')).toEqual(['ret']);
    expect(await ids('order=asc&pageSize=2')).toEqual(['ret', 'card']);
    expect(await ids('sort=amount&currency=EUR')).toEqual(['card']);
    expect(await ids('q=CARD@example')).toEqual(['card']);
    expect(await ids('q=sub_ret')).toEqual(['ret']);
    expect(await ids('createdFrom=2026-10-13T00:01:25Z&createdTo=2026-10-13T00:01:35Z')).toEqual(['lost']);
  });

  it('refuses bad parameters with 422 invalid_request', async () => {
    for (const q of [
      'status=pending',
      'pageSize=0',
      'pageSize=201',
      'page=0',
      'page=abc',
      'pageSize=10&limit=10',
      'sort=email',
      'createdFrom=yesterday',
      'colour=red',
    ]) {
      expect([q, ...error(await get(`/api/admin/dunning?${q}`))]).toEqual([q, 422, 'invalid_request']);
    }
  });
});

describe('GET /api/admin/dunning/:id', () => {
  it('one case with its timeline, oldest step first', async () => {
    const [{ id }] = (
      await h.t.pool.query(`SELECT d.id FROM dunning_cases d WHERE d.stripe_invoice_id = 'in_card_2'`)
    ).rows;
    const r = await get(`/api/admin/dunning/${id}`);
    expect(r.statusCode).toBe(200);
    const c = r.json();
    expect(c).toMatchObject({ id, status: 'recovered', user: { id: 'card' }, currency: 'eur' });
    expect(c.timeline.map((s: any) => [s.kind, s.at])).toEqual([
      ['opened', '2026-10-13T00:01:20.000Z'],
      ['payment_failed', '2026-10-13T00:01:20.000Z'],
      ['recovered', '2026-10-16T00:01:20.000Z'],
    ]);
    expect(c.timeline[2].data).toMatchObject({ by: 'card_update', amountMinor: 4500, currency: 'eur' });
  });

  it('404 dunning_case_not_found for an unknown or malformed id', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'nope']) {
      expect([id, ...error(await get(`/api/admin/dunning/${id}`))]).toEqual([
        id,
        404,
        'dunning_case_not_found',
      ]);
    }
  });
});

describe('GET /api/admin/dunning/stats', () => {
  it('computes opened, recovered, lost, rate, amounts by currency, median time and steps from the cases', async () => {
    const all = await get('/api/admin/dunning/stats');
    expect(all.statusCode).toBe(200);
    expect(all.json()).toEqual({
      from: null,
      to: null,
      opened: 4,
      open: 1,
      recovered: 2,
      lost: 1,
      recoveryRate: 0.6667,
      recoveredAmount: [
        { currency: 'eur', amount: 4500 },
        { currency: 'usd', amount: 2900 },
      ],
      medianTimeToRecoverSeconds: 172800,
      recoveriesByStep: { stripe_retry: 1, card_update: 1, manual: 0 },
    });
    const window = await get('/api/admin/dunning/stats?from=2026-10-13T00:01:15Z&to=2026-10-13T00:01:35Z');
    expect(window.json()).toEqual({
      from: '2026-10-13T00:01:15.000Z',
      to: '2026-10-13T00:01:35.000Z',
      opened: 2,
      open: 0,
      recovered: 1,
      lost: 1,
      recoveryRate: 0.5,
      recoveredAmount: [{ currency: 'eur', amount: 4500 }],
      medianTimeToRecoverSeconds: 259200,
      recoveriesByStep: { stripe_retry: 0, card_update: 1, manual: 0 },
    });
    const empty = (await get('/api/admin/dunning/stats?from=2027-01-01&to=2027-02-01')).json();
    expect(empty).toMatchObject({
      opened: 0,
      recoveryRate: null,
      recoveredAmount: [],
      medianTimeToRecoverSeconds: null,
    });
  });

  it('refuses a reversed range (422 invalid_range) and bad parameters (422 invalid_request)', async () => {
    expect(error(await get('/api/admin/dunning/stats?from=2026-11-01&to=2026-10-01'))).toEqual([
      422,
      'invalid_range',
    ]);
    expect(error(await get('/api/admin/dunning/stats?from=2026-10-01&to=2026-10-01'))).toEqual([
      422,
      'invalid_range',
    ]);
    for (const q of ['from=soon', 'to=2026-13-01', 'currency=usd']) {
      expect([q, ...error(await get(`/api/admin/dunning/stats?${q}`))]).toEqual([q, 422, 'invalid_request']);
    }
  });
});
