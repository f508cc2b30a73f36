/**
 * The process under test for bench/webhooks.ts: the real app (buildApp) and, in the same process as
 * `sertantai start` runs them, the worker (dispatcher + jobs). Prints `{"port": n}` once listening.
 */
import { loadConfig } from '../src/config.js';
import { buildDeps } from '../src/cli/build-deps.js';
import { buildApp } from '../src/http/app.js';
import { createLogger } from '../src/logger.js';
import { startWorker } from '../src/jobs/start-worker.js';
import { handlers } from '../src/billing/webhooks/handlers/index.js';

const config = loadConfig();
const logger = createLogger({ level: 'warn' });
const deps = buildDeps(config, { databaseUrl: config.databaseUrl!, logger, maxConnections: 30 });
const app = await buildApp(deps, { defaultMetrics: false });
const worker = await startWorker(deps, {
  handlers,
  jobs: [],
  concurrency: Number(process.env.BENCH_WORKERS ?? 4),
});
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
process.stdout.write(JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 }) + '\n');
const stop = async () => {
  await app.close();
  await worker.stop();
  await deps.database.close();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
