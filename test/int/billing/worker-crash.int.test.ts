/**
 * Issue 4 acceptance (docs/RELIABILITY.md 21, mid-job): the app + worker process killed with SIGKILL in the middle of
 * applying events, restarted, ends with exactly the state of an uninterrupted run of the same stream.
 *
 * Both runs use the real process (test/helpers/app-process.ts: HTTP ingest + event dispatcher) and the same
 * realistic stream (test/story/lifecycle.ts). To kill the worker truly half-way through a transaction,
 * without any hook in the app, the test takes a lock in its own connection on something a later step of the
 * handler needs (a table, or one user's row), delivers the next events while holding every customer's ordering key
 * (so the dispatcher claims them together, as one batch), lets the keys go, and waits until PostgreSQL shows the
 * worker's backend waiting on that lock with a transaction that has already written (it has an xid) and holding
 * the ordering key of every delivered event not yet applied. Then SIGKILL, release the lock, wait for the orphaned
 * backend to end, check that none of those events was applied in part, start a new process, go on.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { ORDERING_LOCK_CLASS } from '../../../src/inbox/webhooks/dispatch-event.js';
import { testDatabase, type TestDatabase } from '../../helpers/db.js';
import { deliverInOrder, startAppProcess, waitForDrain, type AppProcess } from '../../helpers/app-process.js';
import { billingSnapshot } from '../../helpers/billing-snapshot.js';
import { lifecycleStream, seedLifecycle, streamStart } from '../../story/lifecycle.js';

const stream = lifecycleStream({ label: 'crash', customers: 3, t0: streamStart(Date.now()) });

/** Index of the stream's event of `type` for customer `i` (the `nth` such, from 0) whose object has `status`. */
function find(i: number, type: string, o: { status?: string; nth?: number } = {}): number {
  const matches = stream.events
    .map((e, k) => ({ e, k }))
    .filter(({ e }) => {
      const obj = e.data.object as { customer?: string; id?: string; status?: string };
      return (
        e.type === type &&
        (obj.customer ?? obj.id) === stream.customers[i] &&
        (o.status === undefined || obj.status === o.status)
      );
    });
  const m = matches[o.nth ?? 0];
  if (!m) throw new Error(`no ${type} for customer ${i}`);
  return m.k;
}

/** Where to kill: the event that will block (the last one delivered before the kill) and the lock that blocks it. */
const KILLS = [
  {
    // Activation: invoice, payments and receipt of the batch written, the subscription row updated, then the MRR
    // movement blocks.
    target: find(0, 'customer.subscription.updated', { status: 'active' }),
    lock: `LOCK TABLE mrr_movements IN ACCESS EXCLUSIVE MODE`,
  },
  {
    // Renewal failure: the invoice row written, the dunning case blocks (also customer 0's failure, before it).
    target: find(1, 'invoice.payment_failed'),
    lock: `LOCK TABLE dunning_cases IN ACCESS EXCLUSIVE MODE`,
  },
  {
    // Upgrade: the subscription, its item and the expansion movement written, the user's role recompute blocks.
    target: find(2, 'customer.subscription.updated', { status: 'active', nth: 1 }),
    lock: `SELECT 1 FROM users WHERE id = '${stream.users[2]!.id}' FOR UPDATE`,
  },
  {
    // Cancellation: the churn movement and the role change written, the first audit row blocks.
    target: find(0, 'customer.subscription.deleted'),
    lock: `LOCK TABLE audit_log IN ACCESS EXCLUSIVE MODE`,
  },
];

const dbs: TestDatabase[] = [];
const apps: AppProcess[] = [];
afterAll(async () => {
  for (const a of apps) await a.kill();
  for (const d of dbs) await d.drop();
});

async function freshDatabase(): Promise<TestDatabase> {
  const t = await testDatabase({ max: 4 });
  dbs.push(t);
  await seedLifecycle(t.pool, stream);
  return t;
}

async function start(t: TestDatabase, label: string): Promise<AppProcess> {
  const app = await startAppProcess({ databaseUrl: t.url, label });
  apps.push(app);
  return app;
}

async function poll<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface Blocked {
  /** Backends of the worker waiting on the test's lock inside a transaction that has written. */
  pids: number[];
  /** Ordering keys those transactions hold. */
  keys: string[];
}

/** The worker's transactions blocked by the test's lock, once every delivered event is applied or held by one. */
async function blockedMidApply(pool: pg.Pool, ids: string[]): Promise<Blocked | undefined> {
  const { rows } = await pool.query<{ pid: number; keys: string[] | null; waiting: number }>(
    `WITH blocked AS (
       SELECT pid FROM pg_stat_activity
       WHERE datname = current_database() AND application_name = 'sertantai'
         AND wait_event_type = 'Lock' AND backend_xid IS NOT NULL),
     keys AS (
       SELECT DISTINCT b.pid, e.ordering_key FROM blocked b
       JOIN pg_locks l ON l.pid = b.pid AND l.locktype = 'advisory' AND l.granted AND l.classid = $2
       JOIN stripe_events e ON hashtext(e.ordering_key)::oid = l.objid AND e.id = ANY($1))
     SELECT b.pid, array_agg(k.ordering_key) FILTER (WHERE k.ordering_key IS NOT NULL) AS keys,
            (SELECT count(*)::int FROM stripe_events e
             WHERE e.id = ANY($1) AND e.status = 'pending'
               AND e.ordering_key NOT IN (SELECT ordering_key FROM keys)) AS waiting
     FROM blocked b LEFT JOIN keys k ON k.pid = b.pid GROUP BY b.pid`,
    [ids, ORDERING_LOCK_CLASS],
  );
  const holding = rows.filter((r) => r.keys?.length);
  if (holding.length === 0 || rows.some((r) => r.waiting > 0)) return undefined;
  return { pids: holding.map((r) => r.pid), keys: holding.flatMap((r) => r.keys!) };
}

describe('worker crash', () => {
  it('SIGKILL mid-apply at four points of a subscription lifecycle, restarted: the state of an uninterrupted run', async () => {
    const started = Date.now();
    const reference = await freshDatabase();
    const crashed = await freshDatabase();

    // The uninterrupted run, side by side with the crashed one.
    const uninterrupted = (async () => {
      const app = await start(reference, 'uninterrupted');
      await deliverInOrder(app, reference.pool, stream.events);
      await app.stop();
    })();

    let app = await start(crashed, 'crash-0');
    let next = 0;
    const rolledBack: number[] = [];
    for (const [n, kill] of KILLS.entries()) {
      expect(kill.target).toBeGreaterThanOrEqual(next);
      const chunk = stream.events.slice(next, kill.target + 1);
      const ids = chunk.map((e) => e.id);
      // The restarted worker first applies what the killed one left: the next locks are taken on a quiet database
      // (else the test's two connections and a worker could wait on each other unseen by PostgreSQL).
      await waitForDrain(crashed.pool);
      const locker = await crashed.pool.connect();
      const keys = await crashed.pool.connect();
      try {
        await locker.query(`SET lock_timeout = '10s'`);
        await keys.query(`SET lock_timeout = '10s'`);
        await locker.query('BEGIN');
        await locker.query(kill.lock);
        // Every customer's ordering key held while the chunk is delivered: the worker claims it as one batch.
        await keys.query(`SELECT pg_advisory_lock($1, hashtext(k)) FROM unnest($2::text[]) k`, [
          ORDERING_LOCK_CLASS,
          stream.customers,
        ]);
        for (const e of chunk) expect(await app.deliver(e)).toBe(200);
        await keys.query(`SELECT pg_advisory_unlock_all()`);

        const blocked = await poll(`kill point ${n}: the worker blocked mid-apply`, () =>
          blockedMidApply(crashed.pool, ids),
        );
        const target = chunk.at(-1)!;
        const targetKey = (target.data.object as { customer: string }).customer;
        expect(blocked.keys).toContain(targetKey);

        await app.kill();
        await locker.query('ROLLBACK');
        // The orphaned backends finish their statement, find their client gone and roll back.
        await poll(`kill point ${n}: the killed worker's backends gone`, async () => {
          const r = await crashed.pool.query(`SELECT 1 FROM pg_stat_activity WHERE pid = ANY($1)`, [
            blocked.pids,
          ]);
          return r.rowCount === 0 ? true : undefined;
        });
        // Nothing of the killed transactions committed: every delivered event of a blocked key is still pending
        // and untried.
        const held = await crashed.pool.query<{ id: string; status: string; attempts: number }>(
          `SELECT id, status, attempts FROM stripe_events WHERE id = ANY($1) AND ordering_key = ANY($2) ORDER BY id`,
          [ids, blocked.keys],
        );
        expect(held.rows.length).toBeGreaterThan(0);
        expect(held.rows.filter((r) => r.status !== 'pending' || r.attempts !== 0)).toEqual([]);
        expect(held.rows.map((r) => r.id)).toContain(target.id);
        rolledBack.push(held.rows.length);
      } finally {
        await locker.query('ROLLBACK').catch(() => {});
        locker.release();
        await keys.query(`SELECT pg_advisory_unlock_all()`).catch(() => {});
        keys.release();
      }
      app = await start(crashed, `crash-${n + 1}`);
      next = kill.target + 1;
    }
    for (const e of stream.events.slice(next)) expect(await app.deliver(e)).toBe(200);
    await waitForDrain(crashed.pool);
    await app.stop();
    await uninterrupted;

    const expected = await billingSnapshot(reference.pool);
    const actual = await billingSnapshot(crashed.pool);
    // The reference is the story it should be (so equality is not between two empty states).
    expect(expected.users).toEqual([
      { email: `${stream.users[0]!.id}@example.com`, role: 'member', user_id: stream.users[0]!.id },
      { email: `${stream.users[1]!.id}@example.com`, role: 'professional', user_id: stream.users[1]!.id },
      { email: `${stream.users[2]!.id}@example.com`, role: 'enterprise', user_id: stream.users[2]!.id },
    ]);
    expect(expected.mrr_movements.map((m) => (m as { kind: string }).kind).sort()).toEqual([
      'churn',
      'expansion',
      'expansion',
      'new',
      'new',
      'new',
    ]);
    expect(actual).toEqual(expected);
    console.log(
      `worker-crash: ${stream.events.length} events, ${KILLS.length} kills, rolled back ${rolledBack.join('/')} ` +
        `events per kill, ${Date.now() - started} ms`,
    );
  }, 120_000);
});
