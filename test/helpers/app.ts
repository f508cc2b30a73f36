/**
 * `testApp()`: a real app (buildApp) on its own migrated database, with its logs captured to a file under
 * `.data/test-logs/` (scanned for secrets at the end of the run), a FakeClock, and a placeholder Stripe key
 * unless you pass one. Reuse it for every HTTP integration test:
 *
 *   const h = await testApp();                     // or testApp({ env: { STRIPE_API_URL: sandbox.url } })
 *   afterAll(() => h.close());
 *   const res = await h.app.inject({ method: 'GET', url: '/healthz' });
 *
 * Two apps on one database (two "processes"): `const b = await testApp({ database: a.t })`.
 */
import type { FastifyInstance } from 'fastify';
import { FakeClock, type Clock } from '../../src/clock.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { Deps } from '../../src/deps.js';
import { buildApp, type AppOptions } from '../../src/http/app.js';
import { buildDeps } from '../../src/cli/build-deps.js';
import { testDatabase, type TestDatabase } from './db.js';
import { testLogger } from './log-capture.js';

export const TEST_APP_URL = 'http://app.test';
export const TEST_AUTH_SECRET = 'test-auth-secret-0123456789abcdef0123456789';

export interface TestAppOptions {
  /** Extra environment (parsed by the real loadConfig). */
  env?: Record<string, string | undefined>;
  clock?: Clock;
  app?: AppOptions;
  /** Share a database with another test app (it is not dropped by this app's close()). */
  database?: TestDatabase;
  /** Start the job queue (pg-boss) before building the app. */
  startQueue?: boolean;
  label?: string;
}

export interface TestApp {
  app: FastifyInstance;
  deps: Deps;
  config: Config;
  t: TestDatabase;
  clock: Clock;
  logFile: string;
  close(): Promise<void>;
}

export function testConfig(env: Record<string, string | undefined> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'debug',
    APP_URL: TEST_APP_URL,
    AUTH_SECRET: TEST_AUTH_SECRET,
    ...env,
  });
}

/** What every test harness builds first: its own migrated database, the real Deps on it, a clock, captured logs. */
export interface TestDeps<C extends Clock> {
  t: TestDatabase;
  config: Config;
  deps: Deps;
  clock: C;
  logFile: string;
  /** Stops the job queue, closes the pool, and drops the database unless it was given. */
  close(): Promise<void>;
}

export async function testDeps<C extends Clock = FakeClock>(
  opts: {
    env?: Record<string, string | undefined>;
    clock?: C;
    database?: TestDatabase;
    label?: string;
    /** Connections of the app's pool and of the test's own pool (default 10). */
    maxConnections?: number;
  } = {},
): Promise<TestDeps<C>> {
  const maxConnections = opts.maxConnections ?? 10;
  const t = opts.database ?? (await testDatabase({ max: maxConnections }));
  const config = testConfig(opts.env);
  const { logger, file } = testLogger(opts.label ?? 'app');
  const clock = opts.clock ?? (new FakeClock('2026-01-15T12:00:00Z') as unknown as C);
  const deps = buildDeps(config, { databaseUrl: t.url, logger, clock, maxConnections, maintenance: false });
  return {
    t,
    config,
    deps,
    clock,
    logFile: file,
    async close() {
      await deps.queue.stop();
      await deps.database.close();
      if (!opts.database) await t.drop();
    },
  };
}

export async function testApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const base = await testDeps<Clock>(opts);
  const { deps } = base;
  if (opts.startQueue) await deps.queue.start();
  const app = await buildApp(deps, { defaultMetrics: false, ...opts.app });
  await app.ready();
  return {
    ...base,
    app,
    async close() {
      await app.close();
      await base.close();
    },
  };
}
