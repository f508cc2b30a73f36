/**
 * Issue 13 / docs/RELIABILITY.md 21 under load: the app process (ingest and dispatcher in one) killed with SIGKILL again
 * and again while a stream of deliveries arrives, each delivery retried until it is answered 2xx, as
 * Stripe does, and a new process started after each kill. The kills fall wherever the process happens to be — in
 * a signature check, an inbox insert, a commit whose reply was not sent yet, a dispatcher batch, a job — and after
 * the last restart: every acknowledged event is stored and applied once, nothing is doubled (the state, audit and
 * outbox rows included, equals an uninterrupted run's), and no answer was a 5xx.
 *
 * The targeted kill points (mid-batch under a held lock) are worker-crash.int.test.ts; this is the random sweep.
 * CHAOS_RUNS scenarios (default 1), each with KILLS kills. Deliveries go one at a time, in Stripe's order: the
 * reference is an in-order run, and concurrent deliveries legitimately change which events are found stale and so
 * which audit rows exist (the mirrored rows converge either way: two-processes.int.test.ts, R19).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { testDatabase, type TestDatabase } from '../../helpers/db.js';
import { startAppProcess, waitForDrain, type AppProcess } from '../../helpers/app-process.js';
import { billingSnapshot } from '../../helpers/billing-snapshot.js';
import { deliverWithRetries, uninterruptedSnapshot, type Answer } from '../../helpers/chaos-stream.js';
import { lifecycleStream, seedLifecycle, streamStart } from '../../story/lifecycle.js';
import { recordChaos } from '../../helpers/chaos-record.js';
import { prng } from '../../helpers/prng.js';

const RUNS = Number(process.env.CHAOS_RUNS ?? 1);
const KILLS = 4;
const stream = lifecycleStream({ label: 'kill9', customers: 6, t0: streamStart(Date.now()) });

const apps: AppProcess[] = [];
const dbs: TestDatabase[] = [];
afterAll(async () => {
  for (const a of apps) await a.kill();
  for (const d of dbs) await d.drop();
});

describe('kill -9 again and again under a stream of deliveries', () => {
  it(
    'every acknowledged event applied once, nothing doubled, the state of an uninterrupted run',
    async () => {
      const expected = await uninterruptedSnapshot(stream, 'kill9', dbs);
      for (let run = 0; run < RUNS; run++) {
        const t = await testDatabase({ max: 4 });
        dbs.push(t);
        await seedLifecycle(t.pool, stream);
        const rnd = prng(run + 1);
        let app = await startAppProcess({ databaseUrl: t.url, label: `kill9-${run}-0` });
        apps.push(app);
        const answers: Answer[] = [];
        const delivered = deliverWithRetries(() => app, stream.events, answers, 1);
        let kills = 0;
        let done = false;
        void delivered.then(() => (done = true));
        while (kills < KILLS && !done) {
          // Once this process is taking deliveries (a 2xx since it started), somewhere in its next 0-300 ms.
          const since = answers.length;
          while (!done && !answers.slice(since).some((a) => a.status === 200)) {
            await new Promise((r) => setTimeout(r, 10));
          }
          await new Promise((r) => setTimeout(r, rnd() * 300));
          if (done) break;
          await app.kill();
          kills++;
          app = await startAppProcess({ databaseUrl: t.url, label: `kill9-${run}-${kills}` });
          apps.push(app);
        }
        const acked = await delivered;
        await waitForDrain(t.pool, 60_000);

        const { rows } = await t.pool.query<{ id: string }>(`SELECT id FROM stripe_events`);
        const stored = new Set(rows.map((r) => r.id));
        const lost = [...acked].filter((id) => !stored.has(id));
        const serverErrors = answers.filter((a) => a.status >= 500);
        const snapshot = await billingSnapshot(t.pool);
        recordChaos('kill9-stream', {
          runs: 1,
          lost: lost.length,
          doubled: snapshot.audit_log.length - expected.audit_log.length,
          serverErrors: serverErrors.length,
        });
        console.log(
          `kill -9 (run ${run}): ${kills} kills, ${answers.length} answers, ` +
            `${answers.filter((a) => a.status === 0).length} unanswered, ${acked.size} acknowledged`,
        );
        expect(lost).toEqual([]);
        expect(serverErrors).toEqual([]);
        expect(rows.length).toBe(stream.events.length);
        expect(snapshot).toEqual(expected);
        await app.stop();
      }
    },
    Math.max(240_000, RUNS * 90_000),
  );
});
