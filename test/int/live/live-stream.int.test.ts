/**
 * Issue 15 "Live" / issue 16: GET /api/admin/stream and GET /api/me/stream over LISTEN/NOTIFY, against two app
 * instances on one database (two web processes): a committed write reaches both; a rolled-back one reaches none;
 * a member hears only of their own rows; a reconnect with Last-Event-ID replays what it missed, or is told to
 * reload when it cannot be known.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../../helpers/app.js';
import { adminSession, memberSession, type Session } from '../../helpers/auth.js';
import { openSse, topicsOf, type SseClient } from '../../helpers/sse.js';

let a: TestApp;
let b: TestApp;
let urlA: string;
let urlB: string;
let admin: Session;
let member: Session;
let other: Session;
const streams: SseClient[] = [];

const open = async (base: string, path: string, s: Session | null, lastId?: string) => {
  const c = await openSse(`${base}${path}`, s ? { cookie: s.cookie } : {}, lastId);
  streams.push(c);
  return c;
};
const setRole = (userId: string, role: string) =>
  a.t.pool.query('UPDATE users SET role = $1 WHERE id = $2', [role, userId]);

beforeAll(async () => {
  a = await testApp({ label: 'live-a' });
  b = await testApp({ label: 'live-b', database: a.t });
  urlA = await a.app.listen({ port: 0, host: '127.0.0.1' });
  urlB = await b.app.listen({ port: 0, host: '127.0.0.1' });
  admin = await adminSession(a);
  member = await memberSession(a, 'live-member@example.com');
  other = await memberSession(a, 'live-other@example.com');
});
afterAll(async () => {
  for (const s of streams) s.close();
  await b.close();
  await a.close();
});

describe('GET /api/admin/stream', () => {
  it('refuses anonymous (401) and members (403) with JSON errors, not a stream', async () => {
    const anon = await open(urlA, '/api/admin/stream', null);
    expect(anon.status).toBe(401);
    const m = await open(urlA, '/api/admin/stream', member);
    expect(m.status).toBe(403);
    expect(m.contentType).toContain('application/json');
  });

  it('a committed write reaches the streams of both processes, named by topic', async () => {
    const onA = await open(urlA, '/api/admin/stream', admin);
    const onB = await open(urlB, '/api/admin/stream', admin);
    expect(onA.status).toBe(200);
    expect(onA.contentType).toContain('text/event-stream');
    await setRole(other.userId, 'enterprise');
    const [ea, eb] = await Promise.all([
      onA.next((e) => topicsOf(e).includes('users')),
      onB.next((e) => topicsOf(e).includes('users')),
    ]);
    expect(topicsOf(ea)).toEqual(['users']);
    // Both processes received the same notification: the same id, whichever a browser reconnects to.
    expect(ea.id).toBeDefined();
    expect(eb.id).toBe(ea.id);
    // The admin stream never names a user (those notices are the account page's).
    expect(onA.events.flatMap(topicsOf).some((t) => t.startsWith('user:'))).toBe(false);
  });

  it('one transaction touching several tables is one event; a rolled-back write is none', async () => {
    const s = await open(urlA, '/api/admin/stream', admin);
    const c = await a.t.pool.connect();
    try {
      await c.query('BEGIN');
      await c.query("UPDATE users SET name = 'Rolled Back' WHERE id = $1", [other.userId]);
      await c.query('ROLLBACK');
      await c.query('BEGIN');
      await c.query("UPDATE users SET name = 'Committed' WHERE id = $1", [other.userId]);
      await c.query(
        "INSERT INTO admin_api_keys (id, name, key_hash, prefix) VALUES ('k1', 'live', 'h', 'p')",
      );
      await c.query('COMMIT');
    } finally {
      c.release();
    }
    const e = await s.next();
    expect(topicsOf(e)).toEqual(['settings', 'users']);
    // Nothing else arrives: the rolled-back UPDATE sent no notification.
    await new Promise((r) => setTimeout(r, 400));
    expect(s.events.length).toBe(1);
  });

  it('a reconnect with Last-Event-ID replays what it missed, on the other process too; an unknown id resets', async () => {
    const first = await open(urlA, '/api/admin/stream', admin);
    await setRole(other.userId, 'professional');
    const seen = await first.next((e) => topicsOf(e).includes('users'));
    first.close();
    // While disconnected: a plan-catalogue write.
    await a.t.pool.query(
      "INSERT INTO plans (key, name, grants_role) VALUES ('live-plan', 'Live', 'professional')",
    );
    await new Promise((r) => setTimeout(r, 300)); // both processes have heard it
    const resumed = await open(urlB, '/api/admin/stream', admin, seen.id);
    const replay = await resumed.next();
    expect(topicsOf(replay)).toEqual(['plans']);

    const lost = await open(urlA, '/api/admin/stream', admin, '1:never-sent');
    const reset = await lost.next();
    expect(reset.event).toBe('reset');
  });
});

describe('GET /api/me/stream', () => {
  it("tells a member of their own role change and nobody else's", async () => {
    const mine = await open(urlA, '/api/me/stream', member);
    const theirs = await open(urlB, '/api/me/stream', other);
    expect(mine.status).toBe(200);
    await setRole(member.userId, 'professional');
    const e = await mine.next();
    expect(topicsOf(e)).toEqual(['me']);
    await new Promise((r) => setTimeout(r, 400));
    expect(theirs.events).toEqual([]);
  });

  it("tells a member of their customer's subscription changes", async () => {
    const mine = await open(urlA, '/api/me/stream', member);
    await a.t.pool.query(
      `INSERT INTO customers (user_id, stripe_customer_id, created_at, stripe_version_at)
       VALUES ($1, 'cus_live_1', now(), now())`,
      [member.userId],
    );
    await mine.next((e) => topicsOf(e).includes('me'));
    const before = mine.events.length;
    await a.t.pool.query(
      `INSERT INTO subscriptions (stripe_subscription_id, customer_id, status, currency, created_at, stripe_version_at)
       SELECT 'sub_live_1', id, 'active', 'usd', now(), now() FROM customers WHERE stripe_customer_id = 'cus_live_1'`,
    );
    const e = await mine.next(undefined, { from: before });
    expect(topicsOf(e)).toEqual(['me']);
  });

  it('refuses anonymous (401)', async () => {
    const anon = await open(urlA, '/api/me/stream', null);
    expect(anon.status).toBe(401);
  });
});
