/**
 * Starts the background side of a process: pg-boss (schema, maintenance, cron), one pg-boss worker per job
 * definition, the cron schedules, and the Stripe event dispatcher. `sertantai start` calls it next to the web
 * server; a worker-only process calls it alone. Any number of worker processes may run against one database.
 */
import type { Registry } from 'prom-client';
import type { Deps } from '../deps.js';
import {
  createDispatchMetrics,
  startDispatcher,
  type Dispatcher,
  type DispatcherOptions,
} from '../inbox/webhooks/dispatch-loop.js';
import type { HandlerMap } from '../inbox/webhooks/types.js';
import { jobDefinitions as registeredJobs, type JobDefinition } from './registry.js';

export interface WorkerOptions {
  handlers: HandlerMap;
  /** Defaults to every registered job (src/jobs/registry.ts). */
  jobs?: JobDefinition[];
  /** Event dispatcher loops in this process (default WEBHOOK_WORKERS, 4). */
  concurrency?: number;
  maxAttempts?: number;
  /** Where the dispatcher's metrics go (the web app's registry when both run in one process). */
  registry?: Registry;
}

/** The event dispatcher of a worker process, for an operator (SIGUSR1/SIGUSR2 of `sertantai serve`) or a benchmark. */
export interface DispatcherHandle {
  /** Stops taking batches; resolves once the batches in flight are committed. Events keep arriving and are stored. */
  pause(): Promise<void>;
  /** Starts the loops again (no-op when running). */
  resume(): void;
}

export interface Worker {
  dispatcher: DispatcherHandle;
  stop(): Promise<void>;
}

/** The jobs `config.jobs` names (JOBS): every registered one, none, or a list — an unknown name is an error naming it. */
export function selectJobs(all: JobDefinition[], wanted: 'all' | string[]): JobDefinition[] {
  if (wanted === 'all') return all;
  const unknown = wanted.filter((name) => !all.some((j) => j.name === name));
  if (unknown.length > 0) {
    throw new Error(
      `JOBS names unknown jobs: ${unknown.join(', ')} (known: ${all.map((j) => j.name).join(', ')}, or all / none)`,
    );
  }
  return all.filter((j) => wanted.includes(j.name));
}

export async function startWorker(deps: Deps, opts: WorkerOptions): Promise<Worker> {
  const jobs = opts.jobs ?? selectJobs(registeredJobs, deps.config.jobs);
  const { boss } = deps.queue;
  await deps.queue.start();

  for (const def of jobs) {
    await deps.queue.ensureQueue(def);
    await boss.work<object>(
      def.name,
      { batchSize: def.batchSize ?? 1, pollingIntervalSeconds: 1 },
      async (batch) => {
        for (const job of batch) await def.run(deps, job.data, { id: job.id });
      },
    );
  }
  // Cron: schedules not defined any more are removed, so a renamed job does not keep firing.
  const crons = jobs.filter((j) => j.cron);
  for (const def of crons)
    await boss.schedule(def.name, def.cron as string, def.cronData ?? {}, { tz: 'UTC' });
  for (const s of await boss.getSchedules()) {
    if (!crons.some((j) => j.name === s.name)) await boss.unschedule(s.name);
  }

  const dispatcherOptions: DispatcherOptions = {
    handlers: opts.handlers,
    concurrency: opts.concurrency ?? deps.config.webhooks.workers,
    yieldToIngest: deps.config.webhooks.yieldToIngest,
  };
  if (opts.maxAttempts !== undefined) dispatcherOptions.maxAttempts = opts.maxAttempts;
  if (opts.registry) dispatcherOptions.metrics = createDispatchMetrics(opts.registry);
  let dispatcher: Dispatcher | undefined = startDispatcher(deps, dispatcherOptions);
  let pausing: Promise<void> | undefined;
  deps.logger.info(
    { jobs: jobs.map((j) => j.name), concurrency: dispatcherOptions.concurrency },
    'worker started',
  );

  const handle: DispatcherHandle = {
    async pause() {
      const d = dispatcher;
      dispatcher = undefined;
      if (d) pausing = d.stop();
      await pausing;
    },
    resume() {
      dispatcher ??= startDispatcher(deps, dispatcherOptions);
    },
  };
  return {
    dispatcher: handle,
    async stop() {
      await handle.pause();
      for (const def of jobs) await boss.offWork(def.name);
      await deps.queue.stop();
    },
  };
}
