/**
 * `npm run bench:sync` — issue 18: reconciliation (`runSync`, the code `sertantai sync` and the daily
 * `billing.reconcile` job run) against the Stripe sandbox with its rate limit set to Stripe's live limit
 * (BENCH_RATE_LIMIT, default 100 requests/s), into a fresh database.
 *
 * The account: the demo catalogue (the app's plans, through seedDemo), then BENCH_CUSTOMERS customers (default
 * 10,000), each with a card and a subscription (BENCH_MONTHLY_SHARE monthly, default 0.7; the rest yearly), made
 * with the sandbox's clock frozen 40 days ago; the clock is then moved to now, so every monthly subscription renews
 * once inside the sync's 30-day window (a renewal invoice, paid, with its events). Populating goes through the
 * sandbox's API with the rate limit off (it is switched on through the control API afterwards), so it spends
 * none of the budget the sync is measured against.
 *
 * Measured: the wall time of one `runSync` (since = now − 30 days, as the CLI's default), the requests it made,
 * the 429s the sandbox answered (counted in the sandbox's responses), and the objects it listed and mirrored.
 *
 * The ceiling: Stripe's limit × the largest page, 100 req/s × 100 objects = 10,000 objects/s: no client can list
 * an account faster. `sync.ceilingShare` = objects/s ÷ that (a percentage). Objects, not requests: a request rate
 * could be raised by smaller pages or extra retrieves while the operator waits just as long (with full pages
 * the two are the same figure). Before the figures, every count is checked: customers, subscriptions, the
 * window's invoices and events in the database equal the sandbox's (the benchmark fails otherwise).
 *
 * Figures (one JSON line each, bench/_support.ts's shape, with extra fields on `sync.ceilingShare`).
 * DATABASE_URL selects the PostgreSQL server (a fresh database is created and dropped); else embedded PostgreSQL.
 * STRIPE_RATE_BUDGET (the app's own budget, default here = the limit) is passed to the app unchanged.
 */
import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import Stripe from 'stripe';
import { SandboxControl } from '../sandbox/control.js';
import { buildDeps } from '../src/cli/build-deps.js';
import { loadConfig } from '../src/config.js';
import { connect } from '../src/db/client.js';
import { runMigrations } from '../src/db/migrate.js';
import { createLogger } from '../src/logger.js';
import { listPlans } from '../src/billing/plans/plan-views.js';
import { seedDemo } from '../src/billing/seed/seed-demo.js';
import { handlers } from '../src/inbox/webhooks/handlers/index.js';
import { runSync, type SyncPass } from '../src/inbox/reconcile/run-sync.js';
import { printFigure, spawnReady, stopServer, withBenchDatabase } from './_support.js';

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 10_000);
const MONTHLY_SHARE = Number(process.env.BENCH_MONTHLY_SHARE ?? 0.7);
const RATE_LIMIT = Number(process.env.BENCH_RATE_LIMIT ?? 100);
const BUDGET = process.env.STRIPE_RATE_BUDGET ?? String(RATE_LIMIT);
/** The sync's window (`--since`), days: events and invoices created in it are listed. */
const WINDOW_DAYS = Number(process.env.BENCH_WINDOW_DAYS ?? 30);
/** runSync's `writers` (its default when unset). */
const WRITERS = process.env.BENCH_SYNC_WRITERS ? Number(process.env.BENCH_SYNC_WRITERS) : undefined;
const PAGE = 100;
const CEILING = RATE_LIMIT * PAGE; // objects per second
const DAY = 86_400;
/** A PostgreSQL text[] literal of Stripe ids (letters, digits and underscores only). */
const textArray = (ids: string[]) => `{${ids.join(',')}}`;
const nowUnix = () => Math.floor(Date.now() / 1000);

const secretKey = `sk_test_bench${crypto.randomBytes(16).toString('hex')}`;
const { child: sandboxChild, port } = await spawnReady('bench sandbox', ['bench/sync-sandbox-server.ts'], {
  SANDBOX_START: String(nowUnix() - 40 * DAY),
  SANDBOX_SECRET_KEY: secretKey,
});
const sandboxUrl = `http://127.0.0.1:${port}`;
const control = new SandboxControl(sandboxUrl);
const stripe = new Stripe(secretKey, {
  host: '127.0.0.1',
  port,
  protocol: 'http',
  telemetry: false,
  maxNetworkRetries: 0,
});

/** Runs `fn` over 0..n-1, `width` at a time. */
async function pool(n: number, width: number, fn: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

async function count(
  list: (p: { limit: number; starting_after?: string }) => Stripe.ApiListPromise<{ id: string }>,
) {
  const ids: string[] = [];
  for await (const o of list({ limit: 100 })) ids.push(o.id);
  return ids;
}

try {
  await withBenchDatabase('bench_sync', async ({ url }) => {
    const migrate = connect(url, { max: 2 });
    await runMigrations(migrate.db);
    await migrate.close();
    const config = loadConfig({
      ...process.env,
      NODE_ENV: 'development',
      DATABASE_URL: url,
      STRIPE_SECRET_KEY: secretKey,
      STRIPE_API_URL: sandboxUrl,
      STRIPE_RATE_BUDGET: BUDGET,
      STRIPE_WEBHOOK_SECRET: 'whsec_bench_0123456789abcdef',
      LOG_LEVEL: 'warn',
    });
    const logger = createLogger({ level: 'warn', destination: process.stderr });
    const deps = buildDeps(config, { databaseUrl: url, logger, maxConnections: 4, maintenance: false });
    try {
      // The account (rate limit off).
      const seedStart = performance.now();
      await seedDemo(deps, { customers: false });
      const prices = (await listPlans(deps.db)).flatMap((p) =>
        p.prices.map((x) => ({ id: x.stripePriceId, monthly: x.interval === 'month' })),
      );
      const monthly = prices.filter((p) => p.monthly);
      const yearly = prices.filter((p) => !p.monthly);
      await pool(CUSTOMERS, 4, async (i) => {
        const c = await stripe.customers.create({
          email: `bench${i}@sync.bench.sertantai.test`,
          name: `Bench ${i}`,
          address: { country: ['GB', 'US', 'DE', 'FR'][i % 4]! },
        });
        const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: c.id });
        const monthlyOne = (i * 0.6180339887) % 1 < MONTHLY_SHARE || yearly.length === 0;
        const list = monthlyOne ? monthly : yearly;
        await stripe.subscriptions.create({
          customer: c.id,
          items: [{ price: list[i % list.length]!.id }],
          default_payment_method: pm.id,
        });
      });
      // Forty days later (now): every monthly subscription renewed once, inside the window.
      await control.advanceClock({ to: nowUnix() - 60 });
      const since = new Date((nowUnix() - WINDOW_DAYS * DAY) * 1000);
      const sinceUnix = Math.floor(since.getTime() / 1000);
      const want = {
        customers: await count((p) => stripe.customers.list(p)),
        subscriptions: await count((p) => stripe.subscriptions.list({ ...p, status: 'all' })),
        invoices: await count((p) => stripe.invoices.list({ ...p, created: { gte: sinceUnix } })),
        events: await count((p) => stripe.events.list({ ...p, created: { gte: sinceUnix } })),
      };
      const seedS = (performance.now() - seedStart) / 1000;
      process.stderr.write(
        `bench:sync account ready in ${seedS.toFixed(1)} s: ${JSON.stringify(
          Object.fromEntries(Object.entries(want).map(([k, v]) => [k, v.length])),
        )}\n`,
      );

      // The measured run, the limit on.
      await control.settings({ rateLimitPerSecond: RATE_LIMIT });
      const passStart: Partial<Record<SyncPass, number>> = {};
      const t0 = performance.now();
      const report = await runSync(deps, {
        since,
        handlers,
        trigger: 'cli',
        resume: false,
        ...(WRITERS ? { writers: WRITERS } : {}),
        onProgress: ({ pass }) => {
          passStart[pass] ??= performance.now();
        },
      });
      const wallS = (performance.now() - t0) / 1000;
      await control.settings({ rateLimitPerSecond: null });
      const throttled = await control.rateLimited();

      // Every object mirrored.
      const have = async (q: ReturnType<typeof sql>) =>
        Number((await deps.db.execute<{ n: string }>(q)).rows[0]!.n);
      const got = {
        customers: await have(sql`SELECT count(*) AS n FROM customers`),
        subscriptions: await have(sql`SELECT count(*) AS n FROM subscriptions`),
        invoices: await have(
          sql`SELECT count(*) AS n FROM invoices WHERE stripe_invoice_id = ANY(${textArray(want.invoices)}::text[])`,
        ),
        events: await have(
          sql`SELECT count(*) AS n FROM stripe_events WHERE id = ANY(${textArray(want.events)}::text[])`,
        ),
      };
      const mismatched = Object.entries(got).filter(([k, n]) => n !== want[k as keyof typeof want].length);
      // On an empty database the events pass (first) meets customers the object passes mirror later: those events
      // are parked for the dispatcher's retry (reported as `parkedEvents`), the objects themselves must all be here.
      const unlinkableObjects = report.unlinkable.filter((u) => u.kind !== 'event');
      const parkedEvents = report.unlinkable.length - unlinkableObjects.length;
      if (mismatched.length || unlinkableObjects.length || !report.finished) {
        throw new Error(
          `bench:sync: not everything was mirrored: ${JSON.stringify({ got, unlinkable: unlinkableObjects.slice(0, 5), finished: report.finished })}`,
        );
      }

      const objects = Object.values(report.seen).reduce((a, b) => a + b, 0);
      const objectsPerS = objects / wallS;
      const requestsPerS = report.requests / wallS;
      const rows = CUSTOMERS;
      printFigure({ name: 'sync.wall', value: wallS, unit: 's', n: 1, rows });
      printFigure({ name: 'sync.objects', value: objects, unit: 'objects', n: 1, rows });
      printFigure({ name: 'sync.requests', value: report.requests, unit: 'requests', n: 1, rows });
      printFigure({ name: 'sync.throttled', value: throttled.count, unit: 'responses 429', n: 1, rows });
      printFigure({ name: 'sync.objectsPerSecond', value: objectsPerS, unit: 'objects/s', n: 1, rows });
      printFigure({ name: 'sync.requestsPerSecond', value: requestsPerS, unit: 'requests/s', n: 1, rows });
      const passes = [...Object.keys(passStart), 'end'] as (SyncPass | 'end')[];
      const passSeconds = Object.fromEntries(
        passes.slice(0, -1).map((pass, i) => {
          const next = passes[i + 1] === 'end' ? t0 + wallS * 1000 : passStart[passes[i + 1] as SyncPass]!;
          return [pass, Math.round((next - passStart[pass as SyncPass]!) / 100) / 10];
        }),
      );
      process.stdout.write(
        JSON.stringify({
          name: 'sync.ceilingShare',
          value: Math.round((objectsPerS / CEILING) * 1000) / 10,
          unit: '%',
          definition: `objects listed and mirrored per second ÷ (rate limit ${RATE_LIMIT} req/s × ${PAGE} objects per page = ${CEILING} objects/s)`,
          target: 80,
          objectsPerSecond: Math.round(objectsPerS),
          requestsPerSecond: Math.round(requestsPerS * 10) / 10,
          requestShare: Math.round((requestsPerS / RATE_LIMIT) * 1000) / 10,
          wallSeconds: Math.round(wallS * 10) / 10,
          requests: report.requests,
          throttled: throttled.count,
          retriedByApp: report.throttled,
          seen: report.seen,
          eventsRecovered: report.eventsRecovered,
          parkedEvents,
          passSeconds,
          mirrored: got,
          rateLimit: RATE_LIMIT,
          rateBudget: Number(BUDGET),
          writers: WRITERS ?? 'default',
          customers: CUSTOMERS,
          windowDays: WINDOW_DAYS,
        }) + '\n',
      );
    } finally {
      await deps.database.close();
    }
  });
} finally {
  await stopServer(sandboxChild);
}
