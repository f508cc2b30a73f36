/**
 * Issue 13 / docs/RELIABILITY.md 20 under load: PostgreSQL stopped and started again while a stream of deliveries keeps
 * arriving at the app process. Deliveries are sent in Stripe's order, each retried until it is answered 2xx (one at a
 * time: the reference is an in-order run, and concurrent deliveries legitimately change which events are found
 * stale and so which audit rows exist). While the database is down every answer is a 503 (never a 2xx, never a crash); every
 * delivery ever answered 2xx is stored (none acknowledged without its commit); after the restart everything
 * converges to exactly the state of an uninterrupted run of the same stream on another database.
 *
 * The chaos side runs on its own embedded PostgreSQL (started, stopped and started again on the same port by this
 * test); the reference run uses the shared test server.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../../src/db/embedded.js';
import { connect } from '../../../src/db/client.js';
import { runMigrations } from '../../../src/db/migrate.js';
import type { TestDatabase } from '../../helpers/db.js';
import { startAppProcess, waitForDrain, type AppProcess } from '../../helpers/app-process.js';
import { billingSnapshot } from '../../helpers/billing-snapshot.js';
import { deliverWithRetries, uninterruptedSnapshot, type Answer } from '../../helpers/chaos-stream.js';
import { lifecycleStream, seedLifecycle, streamStart } from '../../story/lifecycle.js';
import { recordChaos } from '../../helpers/chaos-record.js';

/** Scenarios per run of this file: 1 in `npm test`, more from the chaos runner (CHAOS_RUNS). */
const RUNS = Number(process.env.CHAOS_RUNS ?? 1);

const stream = lifecycleStream({ label: 'pgdown', customers: 6, t0: streamStart(Date.now()) });

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgdown-'));
let server: EmbeddedServer | undefined;
const apps: AppProcess[] = [];
const dbs: TestDatabase[] = [];
afterAll(async () => {
  for (const a of apps) await a.kill();
  for (const d of dbs) await d.drop();
  await server?.stop().catch(() => {});
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('PostgreSQL stopped and started under a stream of deliveries', () => {
  it(
    '503 while down, no 2xx without a commit, the same final state as an uninterrupted run',
    async () => {
      const expected = await uninterruptedSnapshot(stream, 'pgdown', dbs);
      server = await startEmbeddedPostgres(dir, { persistent: true });
      const port = server.port;
      for (let run = 0; run < RUNS; run++) {
        // Each run: its own database on the chaos server, the stop at another point of the stream, for another while.
        const at = 0.2 + 0.5 * ((run * 0.618) % 1);
        const downMs = 1000 + ((run * 977) % 2000);
        await chaosRun(run, port, at, downMs, expected);
      }
    },
    Math.max(240_000, RUNS * 60_000),
  );
});

async function chaosRun(
  run: number,
  port: number,
  at: number,
  downMs: number,
  expected: Awaited<ReturnType<typeof billingSnapshot>>,
) {
  const admin = new pg.Client({ connectionString: server!.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE chaos_${run}`);
  await admin.end();
  const url = server!.url.replace(/\/postgres$/, `/chaos_${run}`);
  const migrate = connect(url, { max: 2 });
  await runMigrations(migrate.db);
  const seedPool = new pg.Pool({ connectionString: url, max: 2 });
  await seedLifecycle(seedPool, stream);
  await seedPool.end();
  await migrate.close();

  const app = await startAppProcess({ databaseUrl: url, label: `pgdown-chaos-${run}` });
  apps.push(app);
  const answers: Answer[] = [];

  // Part of the stream, then the database stops while the rest keeps arriving.
  const cut = Math.floor(stream.events.length * at);
  const acked = await deliverWithRetries(() => app, stream.events.slice(0, cut), answers, 1);
  await server!.stop();
  const downFrom = Date.now();
  const rest = deliverWithRetries(() => app, stream.events.slice(cut), answers, 1);
  await new Promise((r) => setTimeout(r, downMs));
  server = await startEmbeddedPostgres(dir, { persistent: true, port });
  const downUntil = Date.now();
  const settled = await Promise.race([rest, new Promise<null>((r) => setTimeout(() => r(null), 60_000))]);
  if (!settled) {
    throw new Error(
      `run ${run}: deliveries not acknowledged 60 s after the restart: ${JSON.stringify(answers.slice(-4))}\n` +
        JSON.stringify(app.output()),
    );
  }
  for (const id of settled) acked.add(id);

  const pool = new pg.Pool({ connectionString: url, max: 2 });
  try {
    await waitForDrain(pool, 60_000);
    const { rows } = await pool.query<{ id: string }>(`SELECT id FROM stripe_events`);
    const stored = new Set(rows.map((r) => r.id));
    const snapshot = await billingSnapshot(pool);
    // While it was down (answers sent a moment after the stop and before the restart): 503 only; never a 5xx
    // other than 503, and the process never died (0 = no answer).
    const whileDown = answers.filter((a) => a.at > downFrom + 200 && a.at < downUntil);
    const serverErrors = answers.filter((a) => a.status !== 503 && (a.status < 200 || a.status >= 300));
    const lost = [...acked].filter((id) => !stored.has(id));
    recordChaos('postgres-down', {
      runs: 1,
      lost: lost.length,
      doubled: rows.length - stored.size,
      serverErrors: serverErrors.length + whileDown.filter((a) => a.status !== 503).length,
    });
    expect(whileDown.length).toBeGreaterThan(5);
    expect([...new Set(whileDown.map((a) => a.status))]).toEqual([503]);
    expect(serverErrors).toEqual([]);
    // Every acknowledged delivery is stored, once; the state is the uninterrupted run's.
    expect(lost).toEqual([]);
    expect(rows.length).toBe(stream.events.length);
    expect(snapshot).toEqual(expected);
  } finally {
    await pool.end();
  }
  const byStatus = Object.fromEntries(
    [...new Set(answers.map((a) => a.status))].map((st) => [
      st,
      answers.filter((a) => a.status === st).length,
    ]),
  );
  console.log(
    `postgres down (run ${run}, at ${Math.round(at * 100)} %, ${downMs} ms): ${answers.length} answers ` +
      `${JSON.stringify(byStatus)}, ${acked.size} acknowledged`,
  );
  await app.stop();
}
