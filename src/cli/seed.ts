/**
 * `sertantai db seed`: the demo catalogue (three plans) and demo customers with subscriptions, created through the
 * app's own operations against the configured Stripe (the local sandbox when STRIPE_SECRET_KEY is unset).
 * Idempotent: run it as often as you like. `npm start` runs the same seed on every start (seedOnStart).
 */
import type { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import { createAuth } from '../accounts/auth.js';
import type { Deps } from '../deps.js';
import { seedDemo, type SeedReport } from '../billing/seed/seed-demo.js';
import { seedHistory } from '../billing/seed/seed-history.js';
import { buildDeps } from './build-deps.js';
import { localAuthSecret } from './local-secrets.js';
import { prepareStripe } from './start.js';
import { withDatabase } from './with-database.js';

function describe(r: SeedReport): string {
  return [
    `Plans created: ${r.plansCreated.join(', ') || 'none'}; already there: ${r.plansExisting.join(', ') || 'none'}`,
    `Demo users created: ${r.customersCreated.join(', ') || 'none'}`,
    `Subscriptions created: ${r.subscriptionsCreated.join('; ') || 'none'}`,
  ].join('\n');
}

/** Demo history users' emails end with this (seed-history.ts). */
const HISTORY_EMAIL_DOMAIN = '@history.demo.sertantai.test';

/**
 * The `npm start` hook: seeds the demo catalogue and customers on every start (a no-op once seeded); on a database
 * with no demo history yet, it also makes DEMO_HISTORY customers' year of history in the background (the reports
 * and console fill in as its webhooks are applied). A failure is logged, never fatal. Returns how to stop the
 * background part (a shutdown aborts it between steps).
 */
export async function seedOnStart(deps: Deps, app: FastifyInstance): Promise<{ stop(): Promise<void> }> {
  const none = { stop: async () => {} };
  if (deps.config.env === 'production') return none;
  if (!deps.config.stripe.secretKey) {
    deps.logger.warn('demo seed skipped: no Stripe configured (STRIPE_SECRET_KEY unset and no sandbox)');
    return none;
  }
  try {
    await seedDemo(deps, { auth: app.httpContext.auth, customers: true });
  } catch (err) {
    deps.logger.error({ err }, 'demo seed failed; run `sertantai db seed` to retry');
    return none;
  }
  const customers = deps.config.demoHistory;
  if (customers === 0) return none;
  const seeded = await deps.database.pool.query(`SELECT 1 FROM users WHERE email LIKE $1 LIMIT 1`, [
    `%${HISTORY_EMAIL_DOMAIN}`,
  ]);
  if (seeded.rows.length > 0) return none;
  const controller = new AbortController();
  const started = performance.now();
  deps.logger.info({ customers, months: 12 }, 'demo history: making it in the background');
  const running = seedHistory(deps, { customers, months: 12, signal: controller.signal }).then(
    (r) =>
      deps.logger.info(
        { ...r, ms: Math.round(performance.now() - started), aborted: controller.signal.aborted },
        'demo history made in Stripe; its webhooks are being applied',
      ),
    (err: unknown) => {
      if (!controller.signal.aborted) deps.logger.error({ err }, 'demo history failed');
    },
  );
  return {
    async stop() {
      controller.abort();
      await running;
    },
  };
}

export function registerSeedCommand(db: Command): void {
  db.command('seed')
    .description('Create the demo plans (and demo customers with subscriptions) in Stripe and the database')
    .option('--no-customers', 'only the plans')
    .option(
      '--customers <n>',
      'a history of N customers made on Stripe test clocks (issue 14) instead of the 3 demo customers; it reaches the ' +
        'database only by webhooks, so point STRIPE_SECRET_KEY/STRIPE_API_URL at the Stripe a running app listens to',
    )
    .option('--months <m>', 'how many months back the history starts (with --customers)', '12')
    .action(async (opts: { customers?: boolean | string; months: string }) => {
      await withDatabase(async ({ config: base, logger, url }) => {
        const stripe = await prepareStripe(base, logger);
        try {
          const config = stripe.config;
          if (!config.stripe.secretKey)
            throw new Error('STRIPE_SECRET_KEY is not set and no Stripe sandbox is running');
          const deps = buildDeps(config, { databaseUrl: url, logger, maxConnections: 4, maintenance: false });
          try {
            const auth = createAuth({
              config,
              db: deps.db,
              logger,
              secret: config.authSecret ?? localAuthSecret(config.dataDir),
            });
            if (typeof opts.customers === 'string') {
              const customers = Number(opts.customers);
              const months = Number(opts.months);
              if (!Number.isInteger(customers) || customers < 1)
                throw new Error('--customers: a positive integer');
              if (!Number.isInteger(months) || months < 1) throw new Error('--months: a positive integer');
              const started = performance.now();
              const r = await seedHistory(deps, { customers, months });
              console.log(
                `History made in Stripe: ${r.customers} customers over ${r.months} months on ${r.clocks} test clocks ` +
                  `in ${Math.round(performance.now() - started)} ms (${JSON.stringify(r.actions)}); the app applies ` +
                  `their webhooks as they arrive`,
              );
            } else {
              const report = await seedDemo(deps, { auth, customers: opts.customers });
              console.log(describe(report));
            }
          } finally {
            await deps.database.close();
          }
        } finally {
          await stripe.stop();
        }
      });
    });
}
