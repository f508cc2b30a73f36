/**
 * Issue 5 admin API through the real app (buildApp + guards): overrides, users list/detail, role history, stats,
 * the mismatch report, bulk sync (dry run = the exact diff; apply = a queued job with progress and one audit row per
 * change), time travel before/during/after a grace period, the notifications outbox, and a role change taking
 * effect on the user's next request (docs/RELIABILITY.md 28).
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- untyped JSON answers and fixture copies, asserted literally */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../../helpers/app.js';
import { adminSession, browserHeaders, memberSession, type Session } from '../../helpers/auth.js';
import {
  customerObject,
  DAY,
  event,
  invoiceObject,
  PRICES,
  subscriptionObject,
  T0,
} from '../../story/index.js';
import { addUser, applyEvents, seedRolesCatalogue } from '../../story/world.js';
import { roleJobs } from '../../../src/accounts/roles/roles.jobs.js';
import { ROLE_SYNC_JOB } from '../../../src/accounts/roles/sync-roles.js';
import { runDunningSweep } from '../../../src/dunning/dunning.jobs.js';

let h: TestApp;
let admin: Session;
let member: Session;
const R = T0 + 60 + 30 * DAY;

async function payingUser(id: string, cus: string, sub: string) {
  await addUser(h.deps, id, { provider: 'github' });
  await applyEvents(h.deps, [
    event('customer.created', customerObject(cus, id), T0),
    event(
      'customer.subscription.created',
      subscriptionObject({
        id: sub,
        customer: cus,
        price: PRICES.pro,
        status: 'active',
        periodStart: T0 + 60,
        periodEnd: R,
      }),
      T0 + 60,
    ),
    event(
      'invoice.paid',
      invoiceObject({
        id: `in_${sub}`,
        customer: cus,
        subscription: sub,
        status: 'paid',
        amountDue: 2900,
        created: T0 + 60,
      }),
      T0 + 61,
    ),
  ]);
}

const get = (url: string, s: Session = admin) =>
  h.app.inject({ method: 'GET', url, headers: browserHeaders(s) });
const send = (method: 'POST' | 'DELETE', url: string, payload: object, s: Session = admin) =>
  h.app.inject({ method, url, headers: browserHeaders(s), payload });

beforeAll(async () => {
  h = await testApp({ startQueue: true, label: 'roles-admin-api' });
  for (const def of roleJobs) await h.deps.queue.ensureQueue(def);
  await seedRolesCatalogue(h.deps.db);
  admin = await adminSession(h);
  member = await memberSession(h, 'mia@example.com');
  await payingUser('u_pay', 'cus_pay', 'sub_pay');
});
afterAll(() => h.close());

describe('access (docs/RELIABILITY.md 25)', () => {
  it('refuses anonymous (401) and members (403) on every roles route', async () => {
    const routes: Array<[string, string]> = [
      ['GET', '/api/admin/users'],
      ['GET', '/api/admin/users/u_pay'],
      ['GET', '/api/admin/users/u_pay/role-history'],
      ['GET', '/api/admin/users/u_pay/billing-state?at=2026-09-20T00:00:00Z'],
      ['POST', '/api/admin/users/u_pay/role-override'],
      ['DELETE', '/api/admin/users/u_pay/role-override'],
      ['GET', '/api/admin/roles/stats'],
      ['GET', '/api/admin/roles/mismatches'],
      ['POST', '/api/admin/roles/sync'],
      ['GET', '/api/admin/jobs/00000000-0000-0000-0000-000000000000'],
      ['GET', '/api/admin/notifications'],
    ];
    for (const [method, url] of routes) {
      const anon = await h.app.inject({
        method: method as 'GET',
        url,
        payload: method === 'GET' ? undefined : {},
      });
      expect([url, anon.statusCode]).toEqual([url, 401]);
      const m = await h.app.inject({
        method: method as 'GET',
        url,
        headers: browserHeaders(member),
        payload: method === 'GET' ? undefined : {},
      });
      expect([url, m.statusCode]).toEqual([url, 403]);
    }
  });
});

describe('overrides', () => {
  it('set with expiry → professional on the next request of that user; clear → member; every change audited', async () => {
    expect((await get('/api/me', member)).json().role).toBe('member');
    const set = await send('POST', `/api/admin/users/${member.userId}/role-override`, {
      role: 'professional',
      reason: 'beta tester',
      expiresAt: '2026-12-31T00:00:00Z',
    });
    expect(set.statusCode).toBe(200);
    expect(set.json()).toMatchObject({
      role: 'professional',
      previousRole: 'member',
      override: { role: 'professional', reason: 'beta tester', expiresAt: '2026-12-31T00:00:00.000Z' },
    });
    // docs/RELIABILITY.md 28: the same session sees the new role on its next request (no cached role).
    expect((await get('/api/me', member)).json().role).toBe('professional');
    const detail = (await get(`/api/admin/users/${member.userId}`)).json();
    expect(detail).toMatchObject({
      role: 'professional',
      entitledRole: 'professional',
      override: { role: 'professional' },
      customer: null,
      subscriptions: [],
      dunning: [],
    });

    const cleared = await send('DELETE', `/api/admin/users/${member.userId}/role-override`, {
      reason: 'beta over',
    });
    expect(cleared.statusCode).toBe(200);
    expect(cleared.json()).toMatchObject({ role: 'member', previousRole: 'professional' });
    expect((await get('/api/me', member)).json().role).toBe('member');
    const again = await send('DELETE', `/api/admin/users/${member.userId}/role-override`, {
      reason: 'beta over',
    });
    expect([again.statusCode, again.json().error.code]).toEqual([404, 'override_not_found']);

    const history = (await get(`/api/admin/users/${member.userId}/role-history`)).json();
    expect(
      history.data.map((r: any) => [
        r.action,
        r.actor.type,
        r.before?.role ?? null,
        r.after?.role ?? null,
        r.reason,
      ]),
    ).toEqual([
      ['user.role_changed', 'user', 'member', 'professional', 'beta tester'],
      ['role_override.set', 'user', null, 'professional', 'beta tester'],
      ['user.role_changed', 'user', 'professional', 'member', 'beta over'],
      ['role_override.cleared', 'user', 'professional', 'professional', 'beta over'],
    ]);
    expect(history.data[0].actor.id).toBe(admin.userId);
  });

  it('refuses bad input (422), unknown users (404), staff (409)', async () => {
    const bad = await send('POST', `/api/admin/users/${member.userId}/role-override`, {
      role: 'admin',
      reason: 'nope',
    });
    expect([bad.statusCode, bad.json().error.code]).toEqual([422, 'invalid_request']);
    const past = await send('POST', `/api/admin/users/${member.userId}/role-override`, {
      role: 'enterprise',
      reason: 'late',
      expiresAt: '2020-01-01T00:00:00Z',
    });
    expect([past.statusCode, past.json().error.code]).toEqual([422, 'expires_in_past']);
    const missing = await send('POST', '/api/admin/users/nobody/role-override', {
      role: 'enterprise',
      reason: 'ghost',
    });
    expect([missing.statusCode, missing.json().error.code]).toEqual([404, 'user_not_found']);
    const staff = await send('POST', `/api/admin/users/${admin.userId}/role-override`, {
      role: 'member',
      reason: 'demote',
    });
    expect([staff.statusCode, staff.json().error.code]).toEqual([409, 'staff_role']);
  });
});

describe('users, stats, notifications', () => {
  it('lists users with stored and entitled role, filtered by query, role and provider', async () => {
    const all = (await get('/api/admin/users?limit=10')).json();
    expect(all.total).toBe(3);
    const pay = (await get('/api/admin/users?provider=github')).json();
    expect(pay.data.map((u: any) => [u.id, u.role, u.entitledRole, u.mismatch])).toEqual([
      ['u_pay', 'professional', 'professional', false],
    ]);
    expect((await get('/api/admin/users?query=MIA')).json().data.map((u: any) => u.email)).toEqual([
      'mia@example.com',
    ]);
    expect((await get('/api/admin/users?role=admin')).json().total).toBe(1);
    expect((await get('/api/admin/users?role=boss')).statusCode).toBe(422);
  });

  it('user detail: customer, subscriptions, entitlement source', async () => {
    const d = (await get('/api/admin/users/u_pay')).json();
    expect(d).toMatchObject({
      id: 'u_pay',
      role: 'professional',
      entitledRole: 'professional',
      signupProvider: 'github',
      override: null,
      customer: { stripeCustomerId: 'cus_pay' },
      subscriptions: [
        { stripeSubscriptionId: 'sub_pay', status: 'active', planKey: 'pro', grantsRole: 'professional' },
      ],
      dunning: [],
    });
    expect(d.entitlement.source).toMatchObject({ kind: 'subscription', status: 'active' });
    expect((await get('/api/admin/users/nobody')).statusCode).toBe(404);
  });

  it('stats: users by role, by provider with paid conversion', async () => {
    const s = (await get('/api/admin/roles/stats')).json();
    expect(s.byRole).toEqual({ admin: 1, member: 1, professional: 1 });
    expect(s.byProvider).toEqual([
      { provider: 'email', users: 1, paid: 0, paidConversion: 0 },
      { provider: 'github', users: 1, paid: 1, paidConversion: 1 },
    ]);
  });

  it('notifications outbox is visible to admins (no SMTP configured: kept pending)', async () => {
    const n = (await get('/api/admin/notifications?template=receipt')).json();
    expect(n.data.map((x: any) => [x.key, x.to, x.status, x.subject])).toEqual([
      ['receipt:in_sub_pay', 'u_pay@example.com', 'pending', 'Receipt INV-in_sub_pay: $29.00 paid'],
    ]);
  });
});

describe('mismatch report, dry run and apply', () => {
  it('finds roles changed directly in the database, classified; the dry run lists them; the job fixes them', async () => {
    await addUser(h.deps, 'u_hack');
    await h.t.pool.query(`UPDATE users SET role = 'enterprise' WHERE id = 'u_hack'`);
    await h.t.pool.query(`UPDATE users SET role = 'member' WHERE id = 'u_pay'`);
    const m = (await get('/api/admin/roles/mismatches')).json();
    expect(m.data.map((x: any) => [x.userId, x.storedRole, x.entitledRole, x.kind])).toEqual([
      ['u_hack', 'enterprise', 'member', 'upgraded_unpaid'],
      ['u_pay', 'member', 'professional', 'paid_not_upgraded'],
    ]);
    expect((await get('/api/admin/users?mismatch=true')).json().data.map((u: any) => u.id)).toEqual([
      'u_hack',
      'u_pay',
    ]);

    const dry = await send('POST', '/api/admin/roles/sync', { dryRun: true });
    expect(dry.json()).toEqual({
      dryRun: true,
      total: 2,
      diff: [
        {
          userId: 'u_hack',
          email: 'u_hack@example.com',
          from: 'enterprise',
          to: 'member',
          kind: 'upgraded_unpaid',
        },
        {
          userId: 'u_pay',
          email: 'u_pay@example.com',
          from: 'member',
          to: 'professional',
          kind: 'paid_not_upgraded',
        },
      ],
    });
    expect(
      await h.t.pool
        .query(
          `SELECT 1 FROM audit_log WHERE action = 'user.role_changed' AND cause->'chain'->0->>'action' = 'roles.sync'`,
        )
        .then((r) => r.rowCount),
    ).toBe(0);

    const apply = await send('POST', '/api/admin/roles/sync', {
      dryRun: false,
      reason: 'repair after manual edit',
      batchSize: 1,
    });
    expect(apply.statusCode).toBe(202);
    const job = apply.json().job;
    expect(job).toMatchObject({ kind: 'roles.sync', status: 'queued', progress: { done: 0, total: 2 } });
    // The worker's part: the queued pg-boss job, run by its definition.
    const [queued] = await h.deps.queue.boss.fetch<{ runId: string }>(ROLE_SYNC_JOB);
    expect(queued!.data).toEqual({ runId: job.id });
    await roleJobs.find((j) => j.name === ROLE_SYNC_JOB)!.run(h.deps, queued!.data, { id: queued!.id });

    const progress = (await get(`/api/admin/jobs/${job.id}`)).json();
    expect(progress).toMatchObject({
      status: 'finished',
      progress: { done: 2, total: 2 },
      result: { processed: 2, changed: 2, batchSize: 1 },
    });
    expect((await get('/api/admin/roles/mismatches')).json()).toEqual({ data: [], total: 0 });
    const rows = await h.t.pool.query(
      `SELECT subject_id, actor_type, actor_id, reason, before->>'role' AS b, after->>'role' AS a FROM audit_log
       WHERE action = 'user.role_changed' AND cause->'chain'->0->>'action' = 'roles.sync' ORDER BY subject_id`,
    );
    expect(rows.rows).toEqual([
      {
        subject_id: 'u_hack',
        actor_type: 'user',
        actor_id: admin.userId,
        reason: 'repair after manual edit',
        b: 'enterprise',
        a: 'member',
      },
      {
        subject_id: 'u_pay',
        actor_type: 'user',
        actor_id: admin.userId,
        reason: 'repair after manual edit',
        b: 'member',
        a: 'professional',
      },
    ]);
    expect((await get('/api/admin/jobs/6f1c2a64-4d0b-4a43-9c68-000000000000')).statusCode).toBe(404);
  });
});

describe('time travel (billing-state?at=)', () => {
  it('rebuilds the role before, during and after a grace period from stored history', async () => {
    await payingUser('u_tt', 'cus_tt', 'sub_tt');
    await applyEvents(h.deps, [
      event(
        'invoice.payment_failed',
        invoiceObject({
          id: 'in_tt2',
          customer: 'cus_tt',
          subscription: 'sub_tt',
          status: 'open',
          amountDue: 2900,
          created: R,
        }),
        R + 10,
      ),
      event(
        'customer.subscription.updated',
        subscriptionObject({
          id: 'sub_tt',
          customer: 'cus_tt',
          price: PRICES.pro,
          status: 'past_due',
          periodStart: R,
          periodEnd: R + 30 * DAY,
          latestInvoice: 'in_tt2',
        }),
        R + 11,
      ),
    ]);
    await runDunningSweep(h.deps, new Date((R + 10 + 7 * DAY) * 1000));
    expect((await get('/api/admin/users/u_tt')).json().role).toBe('member');

    const at = async (iso: string) => (await get(`/api/admin/users/u_tt/billing-state?at=${iso}`)).json();
    const before = await at('2026-10-12T00:00:00Z');
    expect(before).toMatchObject({ entitledRole: 'professional', recordedRole: 'professional' });
    expect(before.subscriptions.map((s: any) => [s.stripeSubscriptionId, s.status, s.dunning])).toEqual([
      ['sub_tt', 'active', null],
    ]);

    const during = await at('2026-10-16T00:00:00Z');
    expect(during).toMatchObject({ entitledRole: 'professional', recordedRole: 'professional' });
    expect(during.subscriptions[0]).toMatchObject({
      status: 'past_due',
      graceUntil: '2026-10-20T00:01:10.000Z',
      dunning: { state: 'open' },
    });
    expect(during.entitlement.source).toMatchObject({
      kind: 'subscription',
      status: 'past_due',
      graceUntil: '2026-10-20T00:01:10.000Z',
    });

    const after = await at('2026-10-21T00:00:00Z');
    expect(after).toMatchObject({ entitledRole: 'member', recordedRole: 'member' });
    expect(after.subscriptions[0]).toMatchObject({ status: 'past_due', dunning: { state: 'lost' } });

    const beforeCustomer = await at('2026-09-01T00:00:00Z');
    expect(beforeCustomer).toMatchObject({
      entitledRole: 'member',
      recordedRole: 'member',
      subscriptions: [],
    });
    expect((await get('/api/admin/users/u_tt/billing-state?at=yesterday')).statusCode).toBe(422);
  });
});
