/**
 * Issue 13 / RELIABILITY 21 at each NAMED point of the webhook path: the app process (ingest and dispatcher in
 * one, test/helpers/app-process.ts) started with a crash point armed (src/failpoints.ts) SIGKILLs itself exactly
 * there — after the signature check, after the inbox INSERT committed, after the commit before the 200, in the
 * middle of a dispatcher batch (applied, not committed) — while a stream of deliveries arrives in Stripe's order,
 * each retried until it is answered 2xx. A new process, armed again at a random later hit, replaces each dead
 * one; after the last kill an unarmed one finishes. Then: every acknowledged event stored and applied once, no
 * 5xx, and the whole state (rows, movements, audit, outbox) equal to an uninterrupted run's.
 *
 * One run = one kill at the point (and the restart after it); CHAOS_RUNS runs per point (default 2), in scenarios
 * of KILLS kills on one database. The points off the webhook path (a Stripe call, a job, a notification send) are
 * kill9-points-effects.int.test.ts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { testDatabase, type TestDatabase } from '../../helpers/db.js';
import { startAppProcess, waitForDrain, type AppProcess } from '../../helpers/app-process.js';
import { billingSnapshot } from '../../helpers/billing-snapshot.js';
import { deliverWithRetries, uninterruptedSnapshot, type Answer } from '../../helpers/chaos-stream.js';
import { lifecycleStream, seedLifecycle, streamStart } from '../../story/lifecycle.js';
import { recordChaos } from '../../helpers/chaos-record.js';
import { prng } from '../../helpers/prng.js';

/** KILL9_POINT=name: only that point, CHAOS_RUNS kills at it (npm run chaos). Unset: every point CHAOS_RUNS times
 *  (default once), in one scenario, a process armed at the next point replacing each dead one. */
const ONLY = process.env.KILL9_POINT;
const RUNS = Number(process.env.CHAOS_RUNS ?? 1);
/** Kills per scenario (one database, one stream). */
const KILLS = ONLY ? 5 : 8;
const stream = lifecycleStream({ label: 'kpt', customers: 2, t0: streamStart(Date.now()) });

const ALL = ['ingest.after-verify', 'ingest.after-insert', 'ingest.after-commit', 'dispatch.mid-batch'];
const POINTS = ONLY ? [ONLY] : ALL;
/** Every kill to make, in order: the points in turn, RUNS times over. */
const PLAN = Array.from({ length: RUNS }, () => POINTS).flat();
const FAMILY = ONLY ? `kill9-${ONLY}` : 'kill9-points';

const apps: AppProcess[] = [];
const dbs: TestDatabase[] = [];
afterAll(async () => {
  for (const a of apps) await a.kill();
  for (const d of dbs) await d.drop();
}, 180_000);

describe(`kill -9 at ${POINTS.join(', ')} under a stream of deliveries`, () => {
  it(
    'every acknowledged event applied once, nothing doubled, the state of an uninterrupted run',
    async () => {
      const expected = await uninterruptedSnapshot(stream, 'kpt', dbs);
      const rnd = prng(ALL.indexOf(POINTS[0]!) * 7919 + RUNS);
      for (let scenario = 0, next = 0; next < PLAN.length; scenario++) {
        const arms = PLAN.slice(next, next + KILLS);
        const t = await testDatabase({ max: 4 });
        dbs.push(t);
        await seedLifecycle(t.pool, stream);
        // Armed at a random hit among the next few deliveries; a dispatcher takes the whole stream in two or three
        // batches (32 events each), so at its first or second.
        const armed = (k: number) =>
          `${arms[k]}@${1 + Math.floor(rnd() * (arms[k] === 'dispatch.mid-batch' ? 2 : 4))}`;
        const label = (k: number) => `kpt-${scenario}-${k}`;
        let app = await startAppProcess({ databaseUrl: t.url, label: label(0), failpoint: armed(0) });
        apps.push(app);
        const answers: Answer[] = [];
        let done = false;
        const delivered = deliverWithRetries(() => app, stream.events, answers, 1).finally(
          () => (done = true),
        );
        let killed = 0;
        // Each armed process dies at its point (the deliveries keep it busy); its successor is armed again until
        // this scenario's kills are done. A process whose point was not reached by the end is left running.
        const kills = arms.length;
        while (killed < kills) {
          while (!app.output().exited && !done) await new Promise((r) => setTimeout(r, 10));
          if (!app.output().exited) break;
          killed++;
          app = await startAppProcess({
            databaseUrl: t.url,
            label: label(killed),
            ...(killed < kills ? { failpoint: armed(killed) } : {}),
          });
          apps.push(app);
        }
        const acked = await delivered;
        // The last process may still be armed (its point not reached): a dispatcher point is reached while draining.
        for (;;) {
          const drained = waitForDrain(t.pool, 30_000).then(() => true);
          const died = new Promise<boolean>((resolve) => {
            const timer = setInterval(() => {
              if (app.output().exited) {
                clearInterval(timer);
                resolve(false);
              }
            }, 20);
            void drained.finally(() => clearInterval(timer));
          });
          if (await Promise.race([drained, died])) break;
          killed++;
          app = await startAppProcess({ databaseUrl: t.url, label: label(killed) });
          apps.push(app);
        }
        await new Promise((r) => setTimeout(r, 200));
        await waitForDrain(t.pool, 30_000);

        const { rows } = await t.pool.query<{ id: string }>(`SELECT id FROM stripe_events`);
        const stored = new Set(rows.map((r) => r.id));
        const lost = [...acked].filter((id) => !stored.has(id));
        const serverErrors = answers.filter((a) => a.status >= 500);
        const snapshot = await billingSnapshot(t.pool);
        recordChaos(FAMILY, {
          runs: killed,
          lost: lost.length,
          doubled: Math.max(0, snapshot.audit_log.length - expected.audit_log.length),
          serverErrors: serverErrors.length,
        });
        console.log(
          `kill -9 at ${arms.join(', ')} (scenario ${scenario}): ${killed} kills, ${answers.length} answers, ` +
            `${answers.filter((a) => a.status === 0).length} unanswered, ${acked.size} acknowledged`,
        );
        // Kills not reached (the stream ended first) are made in the next scenario.
        next += Math.max(1, Math.min(killed, arms.length));
        expect(killed).toBeGreaterThan(0);
        expect(lost).toEqual([]);
        expect(serverErrors).toEqual([]);
        expect(rows.length).toBe(stream.events.length);
        expect(snapshot).toEqual(expected);
        await app.stop();
        await t.drop();
        dbs.splice(dbs.indexOf(t), 1);
      }
    },
    // A process start takes 2-3 s on an idle machine and up to a minute on a loaded one.
    300_000 + PLAN.length * 60_000,
  );
});
