/**
 * `sertantai start` (= `npm start`): the whole product on one machine. Config → database (embedded when
 * DATABASE_URL is unset) → migrations → Stripe (the local sandbox when STRIPE_SECRET_KEY is unset) → deps →
 * workers → admin bootstrap → HTTP. SIGINT/SIGTERM stop everything in reverse order, the database last.
 *
 * `--role web` runs only the HTTP side (webhook ingest, API, console) and `--role worker` only the background side
 * (event dispatcher, jobs, audit sealer), so that N web and M worker processes share one database (docs/DESIGN.md §10) and,
 * on one machine, the acks and the dispatching each get a Node.js thread. Both need DATABASE_URL and
 * STRIPE_SECRET_KEY: the embedded database and the local sandbox belong to a single `sertantai start`.
 */
import { Option, type Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import type { Deps } from '../deps.js';
import { connect } from '../db/client.js';
import { freePort } from '../db/embedded.js';
import { runMigrations } from '../db/migrate.js';
import { appOrigin } from '../accounts/auth.js';
import { ensureAdmin } from '../accounts/ensure-admin.js';
import { startAuditSealer } from '../audit/seal-audit-log.js';
import { buildApp } from '../http/app.js';
import { startWorker, type DispatcherHandle } from '../jobs/start-worker.js';
import { handlers } from '../inbox/webhooks/handlers/index.js';
import { createLogger, type Logger } from '../logger.js';
import { buildDeps } from './build-deps.js';
import { ensureConsoleBuilt } from './build-console.js';
import { loadConfigOrExit } from './config.js';
import { openDatabase } from './database.js';
import { seedOnStart } from './seed.js';
import { DEMO_ADMIN_EMAIL, demoAdminPassword, localAuthSecret } from './local-secrets.js';
import { startSandboxForApp } from './sandbox.js';
import { startWorkerMetricsServer } from '../http/worker-metrics-server.js';

type Stop = () => Promise<void>;

/**
 * Stripe for this process. Returns the config to run with and how to stop what was started.
 * When STRIPE_SECRET_KEY is unset the local Stripe sandbox starts here (src/cli/sandbox.ts), and the returned
 * config points STRIPE_SECRET_KEY / STRIPE_API_URL / STRIPE_WEBHOOK_SECRET (and PORT, when it was 0) at it.
 */
export async function prepareStripe(
  config: Config,
  logger: Logger,
): Promise<{ config: Config; stop(): Promise<void> }> {
  if (config.stripe.secretKey) return { config, stop: async () => {} };
  return startSandboxForApp(config, logger);
}

/**
 * Background work in this process (job queue workers, webhook dispatcher). The job-queue engineer wires
 * `startWorker(deps, …)` (src/jobs/start-worker.ts) in here; it must return how to stop it.
 */
export async function startWorkers(
  deps: Deps,
  app: FastifyInstance,
): Promise<{ stop(): Promise<void>; dispatcher: DispatcherHandle }> {
  // pg-boss workers and cron for every registered job, and the Stripe event dispatcher (metrics on /metrics).
  const worker = await startWorker(deps, { handlers, registry: app.httpContext.metrics.registry });
  // Every worker process seals committed audit rows into the hash chain (src/audit/seal-audit-log.ts).
  const sealer = startAuditSealer(deps.db, deps.logger);
  return {
    dispatcher: worker.dispatcher,
    async stop() {
      await sealer.stop();
      await worker.stop();
    },
  };
}

/** Creates/promotes the configured admin, or (outside production) the demo admin; returns the login to print. */
async function bootstrapAdmin(
  deps: Deps,
  app: FastifyInstance,
): Promise<{ email: string; password: string } | null> {
  const ctx = { auth: app.httpContext.auth, db: deps.db };
  const { config } = deps;
  if (config.bootstrapAdmin) {
    await ensureAdmin(ctx, { ...config.bootstrapAdmin, source: 'BOOTSTRAP_ADMIN_EMAIL' });
    return { email: config.bootstrapAdmin.email, password: '(BOOTSTRAP_ADMIN_PASSWORD)' };
  }
  if (config.env === 'production') return null;
  const password = demoAdminPassword(config.dataDir);
  await ensureAdmin(ctx, { email: DEMO_ADMIN_EMAIL, password, name: 'Demo Admin', source: 'demo' });
  return { email: DEMO_ADMIN_EMAIL, password };
}

export const START_ROLES = ['all', 'web', 'worker'] as const;
export type StartRole = (typeof START_ROLES)[number];

/** Why `role` cannot run with `config`, or null. */
export function roleProblem(role: StartRole, config: Pick<Config, 'databaseUrl' | 'stripe'>): string | null {
  if (role === 'all') return null;
  if (!config.databaseUrl) {
    return `--role ${role} shares its database with other processes: set DATABASE_URL (the embedded database is for a single \`sertantai start\`)`;
  }
  if (!config.stripe.secretKey) {
    return `--role ${role} needs STRIPE_SECRET_KEY (the local Stripe sandbox is started only by a single \`sertantai start\`)`;
  }
  return null;
}

/** One migrator at a time: a web and a worker process starting together must not apply the same migration twice. */
const MIGRATION_LOCK = 7_305_214_001;

export async function start(opts: { role?: StartRole } = {}): Promise<void> {
  await run('start', opts.role ?? 'all');
}

/**
 * `sertantai serve`: the production entry — the same processes as `start` (web, worker or both) on the configured
 * database and Stripe, with no embedded database, no sandbox, no demo data and no demo admin (BOOTSTRAP_ADMIN_*
 * still applies), and the console served as built. Tests and benchmarks run it too. Machine-readable lines on
 * stdout: `{"port":n,"role":r}` once serving (a worker: its METRICS_PORT, else 0); SIGUSR1 pauses the event
 * dispatcher and answers `{"dispatcher":"paused"}`, SIGUSR2 resumes it and answers `{"dispatcher":"resumed","at":µs}`.
 */
export async function serve(opts: { role?: StartRole } = {}): Promise<void> {
  await run('serve', opts.role ?? 'all');
}

/** Why `sertantai serve` cannot run with `config`, or null: it sets nothing up, so the database and Stripe are given. */
export function serveProblem(config: Pick<Config, 'databaseUrl' | 'stripe'>): string | null {
  if (!config.databaseUrl) return 'set DATABASE_URL (`sertantai start` runs an embedded database)';
  if (!config.stripe.secretKey)
    return 'set STRIPE_SECRET_KEY (`sertantai start` runs the local Stripe sandbox)';
  return null;
}

async function run(mode: 'start' | 'serve', role: StartRole): Promise<void> {
  let config = loadConfigOrExit();
  const problem = mode === 'serve' ? serveProblem(config) : roleProblem(role, config);
  if (problem) {
    console.error(`sertantai ${mode}: ${problem}`);
    process.exit(2);
  }
  const logger = createLogger({ level: config.logLevel });
  const stops: { name: string; stop: Stop }[] = [];
  let stopping: Promise<void> | undefined;
  const shutdown = (signal: string, code = 0) => {
    stopping ??= (async () => {
      logger.info({ signal }, 'shutting down');
      for (const s of stops.reverse()) {
        try {
          await s.stop();
        } catch (err) {
          logger.error({ err, component: s.name }, 'error while stopping');
        }
      }
      logger.info('stopped');
      process.exit(code);
    })();
    return stopping;
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  // A stray failure stops everything in order (the embedded database too) and exits 1, instead of Node's bare
  // exit that leaves postgres running. Once stopping, a component torn down under an in-flight call (a query on a
  // closed pool) is logged like any error while stopping and does not turn a clean stop into a failed one.
  const onStray = (kind: string) => (err: unknown) => {
    if (stopping) {
      logger.error({ err, kind }, 'error while stopping');
      return;
    }
    logger.fatal({ err, kind }, 'stopping after an unhandled error');
    void shutdown(kind, 1);
  };
  process.on('unhandledRejection', onStray('unhandledRejection'));
  process.on('uncaughtException', onStray('uncaughtException'));

  try {
    const database = await openDatabase(config, logger, { reuseRunning: false });
    stops.push({ name: 'database', stop: database.stop });

    // One connection, so the session lock and the migrations share it.
    const migrator = connect(database.url, { max: 1 });
    try {
      await migrator.pool.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      await runMigrations(migrator.db);
      await migrator.pool.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    } finally {
      await migrator.close();
    }

    if (mode === 'start') {
      const stripe = await prepareStripe(config, logger);
      config = stripe.config;
      stops.push({ name: 'stripe', stop: stripe.stop });
    }
    // The port is chosen before listening: the sandbox's webhook endpoint and the auth origin (APP_URL's default) need it.
    if (config.port === 0) config = { ...config, port: await freePort() };
    if (!config.authSecret) config = { ...config, authSecret: localAuthSecret(config.dataDir) };

    const deps = buildDeps(config, { databaseUrl: database.url, logger });
    stops.push({ name: 'pool', stop: () => deps.database.close() });

    if (mode === 'start' && role !== 'worker') await ensureConsoleBuilt(logger);
    const app = await buildApp(deps);
    if (role !== 'web') {
      const workers = await startWorkers(deps, app);
      stops.push({ name: 'workers', stop: workers.stop });
      process.on('SIGUSR1', () => {
        void workers.dispatcher.pause().then(() => process.stdout.write('{"dispatcher":"paused"}\n'));
      });
      process.on('SIGUSR2', () => {
        workers.dispatcher.resume();
        // `at` (µs, the clock of V8's CPU profiles) lets a profile be cut where the drain starts.
        process.stdout.write(`{"dispatcher":"resumed","at":${process.hrtime.bigint() / 1000n}}\n`);
      });
    }
    if (role === 'worker') {
      // No API here: the web processes serve it (and seed and bootstrap the admin); METRICS_PORT opens /metrics,
      // /healthz and /readyz of this process.
      let port = 0;
      if (config.metricsPort !== null) {
        const metrics = await startWorkerMetricsServer({
          registry: app.httpContext.metrics.registry,
          pool: deps.database.pool,
          host: config.host,
          port: config.metricsPort,
        });
        stops.push({ name: 'metrics', stop: metrics.close });
        port = metrics.port;
        logger.info({ role, port }, 'serving metrics');
      }
      if (mode === 'serve') process.stdout.write(JSON.stringify({ port, role }) + '\n');
      else
        process.stdout.write(
          '\n  Sertantai Billing worker is running (dispatcher, jobs, audit sealer). Stop with Ctrl+C.\n\n',
        );
      return;
    }

    // Listen before seeding: the seed's Stripe calls emit webhooks that must find the endpoint up.
    await app.listen({ host: config.host, port: config.port });
    stops.push({ name: 'http', stop: () => app.close() });

    if (mode === 'serve') {
      if (config.bootstrapAdmin) await bootstrapAdmin(deps, app);
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      logger.info({ role, port }, 'serving');
      process.stdout.write(JSON.stringify({ port, role }) + '\n');
      return;
    }

    // Demo data for a fresh machine (plans, customers; a year of history in the background on a new database).
    const seeding = await seedOnStart(deps, app);
    stops.push({ name: 'demo history', stop: seeding.stop });
    const login = await bootstrapAdmin(deps, app);

    const url = appOrigin(config);
    const lines = [
      '',
      `  Sertantai Billing is running at ${url}${role === 'web' ? ' (web only: run `sertantai start --role worker` beside it)' : ''}`,
      `  Database: ${database.embedded ? `embedded PostgreSQL (${config.dataDir}/pg)` : 'DATABASE_URL'}`,
      login
        ? `  Admin login: ${login.email} / ${login.password}`
        : '  Admin login: none (set BOOTSTRAP_ADMIN_EMAIL)',
      '  Stop with Ctrl+C.',
      '',
    ];
    process.stdout.write(lines.join('\n') + '\n');
  } catch (err) {
    logger.error({ err }, `${mode} failed`);
    console.error(
      `${mode === 'start' ? 'Start' : 'Serve'} failed: ${err instanceof Error ? err.message : String(err)}`,
    );
    await shutdown(`${mode}-failed`, 1);
  }
}

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('Run the web server and workers (embedded PostgreSQL when DATABASE_URL is unset)')
    .addOption(
      new Option('--role <role>', 'web: HTTP only; worker: dispatcher and jobs only; all: both')
        .choices(START_ROLES)
        .default('all'),
    )
    .action((opts: { role: StartRole }) => start({ role: opts.role }));
  program
    .command('serve')
    .description(
      'Run the web server and workers on DATABASE_URL and STRIPE_SECRET_KEY, setting nothing up (production, tests, benchmarks)',
    )
    .addOption(
      new Option('--role <role>', 'web: HTTP only; worker: dispatcher and jobs only; all: both')
        .choices(START_ROLES)
        .default('all'),
    )
    .action((opts: { role: StartRole }) => serve({ role: opts.role }));
}
