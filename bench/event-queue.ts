/**
 * `npm run bench event-queue` — the departure from docs/DESIGN.md §4.1 measured side by side (bench/RESULTS.md): the webhook
 * event as its own queue entry (`stripe_events` IS the queue: one group-committed INSERT per delivery, today's
 * design) against docs/DESIGN.md's "insert into stripe_events and enqueue its pg-boss job in one transaction".
 * Both store BENCH_EVENTS (default 5,000) events at BENCH_CONCURRENCY (default 10,50) concurrent deliveries, in
 * process (no HTTP: only the queue's cost differs), then take every stored item off the queue: the dispatcher's
 * claim (advisory-locked scan of due rows, status UPDATE, batches of 32) against pg-boss's fetch + complete
 * (batches of 32). No handler runs in either, so the figures are the queue's own ceiling.
 * DATABASE_URL selects the server (a fresh database is created and dropped); else embedded PostgreSQL.
 */
import PgBoss from 'pg-boss';
import { sql } from 'drizzle-orm';
import { connect } from '../src/db/client.js';
import { runMigrations } from '../src/db/migrate.js';
import { clientOf } from '../src/jobs/queue.js';
import { printFigure, withBenchDatabase } from './_support.js';
import { createInboxWriter } from '../src/inbox/webhooks/ingest-writer.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 5_000);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '10,50').split(',').map(Number);
const QUEUE = 'stripe-event';
const figure = (name: string, value: number, unit: string, n = EVENTS) =>
  printFigure({ name, value, unit, n, rows: 0 });

const payload = (id: string) =>
  JSON.stringify({
    id,
    object: 'event',
    type: 'customer.updated',
    created: 1_800_000_000,
    data: { object: { id: 'cus_1' } },
  });

/** Runs `work(i)` for i < EVENTS with `c` in flight; returns events per second. */
async function drive(c: number, work: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: c }, async () => {
      while (next < EVENTS) await work(next++);
    }),
  );
  return EVENTS / ((performance.now() - started) / 1000);
}

async function main({ url }: { url: string }): Promise<void> {
  const database = connect(url, { max: 60 });
  const boss = new PgBoss({ connectionString: url, max: 60, supervise: false, schedule: false });
  boss.on('error', () => {});
  try {
    await runMigrations(database.db);
    await boss.start();
    await boss.createQueue(QUEUE);
    const inbox = createInboxWriter(database.pool);
    const row = (id: string) => ({
      id,
      type: 'customer.updated',
      apiVersion: null,
      livemode: false,
      created: 1_800_000_000,
      orderingKey: 'cus_1' + id.slice(-3),
      objectId: 'cus_1',
      payload: payload(id),
      receivedAt: new Date(),
      status: 'pending' as const,
      note: null,
    });

    for (const c of CONCURRENCY) {
      // Today: storing is enqueuing (group commit across concurrent deliveries).
      const inboxRate = await drive(c, (i) => inbox.store(row(`evt_q${c}a_${i}`)));
      figure(`event_queue.store.inbox.c${c}`, inboxRate, 'events/s');

      // docs/DESIGN.md §4.1 literally: the event row and its pg-boss job in one transaction per delivery.
      const bossRate = await drive(c, async (i) => {
        const id = `evt_q${c}b_${i}`;
        await database.db.transaction(async (tx) => {
          await tx.execute(sql`
            INSERT INTO stripe_events (id, type, livemode, created_at, ordering_key, object_id, payload, received_at,
                                       status, available_at)
            VALUES (${id}, 'customer.updated', false, to_timestamp(1800000000), ${'cus_1' + id.slice(-3)}, 'cus_1',
                    ${payload(id)}::json, now(), 'skipped', now())
            ON CONFLICT (id) DO NOTHING`);
          const client = clientOf(tx);
          await boss.send(
            QUEUE,
            { eventId: id },
            {
              db: { executeSql: async (text, values) => ({ rows: (await client.query(text, values)).rows }) },
            },
          );
        });
      });
      figure(`event_queue.store.inbox_plus_pgboss_job.c${c}`, bossRate, 'events/s');
    }

    // Taking items off: the dispatcher's claim vs pg-boss fetch + complete, 4 workers each, batches of 32.
    const claimStarted = performance.now();
    let claimed = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (;;) {
          const n = await database.db.transaction(async (tx) => {
            const keys = await tx.execute<{ ordering_key: string }>(sql`
              SELECT c.ordering_key FROM (
                SELECT ordering_key FROM stripe_events WHERE status = 'pending' AND available_at <= now()
                ORDER BY available_at LIMIT 512) c
              WHERE pg_try_advisory_xact_lock(1936, hashtext(c.ordering_key)) LIMIT 32`);
            if (keys.rows.length === 0) return 0;
            const done = await tx.execute(sql`
              UPDATE stripe_events SET status = 'processed', attempts = attempts + 1, processed_at = now()
              WHERE id IN (SELECT id FROM stripe_events
                           WHERE ordering_key IN (${sql.join(
                             keys.rows.map((k) => sql`${k.ordering_key}`),
                             sql`, `,
                           )}) AND status = 'pending'
                           ORDER BY created_at, id LIMIT 32)`);
            return done.rowCount ?? 0;
          });
          if (n === 0) return;
          claimed += n;
        }
      }),
    );
    figure(
      'event_queue.take.inbox_claim',
      claimed / ((performance.now() - claimStarted) / 1000),
      'events/s',
      claimed,
    );

    const fetchStarted = performance.now();
    let fetched = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (;;) {
          const jobs = await boss.fetch(QUEUE, { batchSize: 32 });
          if (!jobs || jobs.length === 0) return;
          await boss.complete(
            QUEUE,
            jobs.map((j) => j.id),
          );
          fetched += jobs.length;
        }
      }),
    );
    figure(
      'event_queue.take.pgboss_fetch_complete',
      fetched / ((performance.now() - fetchStarted) / 1000),
      'events/s',
      fetched,
    );
  } finally {
    await boss.stop({ graceful: false, wait: true }).catch(() => {});
    await database.close();
  }
}

await withBenchDatabase('bench_queue', main);
