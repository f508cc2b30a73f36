/**
 * The process under test for bench/webhooks.ts: the real app (buildApp) and, in the same process as
 * `sertantai start` runs them, the worker (dispatcher + jobs). Prints `{"port": n}` once listening.
 * BENCH_ROLE=web runs only the HTTP app, BENCH_ROLE=worker only the worker (it prints `{"port": 0}` when ready),
 * as `sertantai start --role web|worker` does.
 */
import { loadConfig } from '../src/config.js';
import { buildDeps } from '../src/cli/build-deps.js';
import { buildApp } from '../src/http/app.js';
import { createLogger } from '../src/logger.js';
import { startWorker } from '../src/jobs/start-worker.js';
import { handlers } from '../src/inbox/webhooks/handlers/index.js';
import { startDispatcher } from '../src/inbox/webhooks/dispatch-loop.js';

const config = loadConfig();
const logger = createLogger({ level: 'warn' });
const deps = buildDeps(config, { databaseUrl: config.databaseUrl!, logger, maxConnections: 30 });
const app = await buildApp(deps, { defaultMetrics: false });
// pg-boss as `sertantai start` runs it (handlers enqueue follow-up jobs), the event dispatcher on its own so that
// BENCH_PHASED (bench/webhooks.ts) can stop it (SIGUSR1) and start it (SIGUSR2), each answered on stdout.
const role = process.env.BENCH_ROLE ?? 'all';
const worker = role === 'web' ? undefined : await startWorker(deps, { handlers, jobs: [], concurrency: 0 });
const startLoops = () =>
  role === 'web'
    ? undefined
    : startDispatcher(deps, {
        handlers,
        concurrency: Number(process.env.BENCH_WORKERS ?? config.webhooks.workers),
        yieldToIngest: config.webhooks.yieldToIngest,
      });
let dispatcher: ReturnType<typeof startDispatcher> | undefined = startLoops();
process.on('SIGUSR1', () => {
  const d = dispatcher;
  dispatcher = undefined;
  void (d ? d.stop() : Promise.resolve()).then(() => process.stdout.write('{"dispatcher":"stopped"}\n'));
});
process.on('SIGUSR2', () => {
  dispatcher ??= startLoops();
  // `at` (µs, the clock of V8's CPU profiles) lets a BENCH_CPU_PROF profile be cut at the start of the drain.
  process.stdout.write(`{"dispatcher":"started","at":${process.hrtime.bigint() / 1000n}}\n`);
});
if (role !== 'worker') await app.listen({ host: '127.0.0.1', port: 0 });
const address = role === 'worker' ? null : app.server.address();
process.stdout.write(
  JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 }) + '\n',
);
const stop = async () => {
  await app.close();
  await dispatcher?.stop();
  await worker?.stop();
  await deps.database.close();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
