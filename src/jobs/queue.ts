/**
 * The job queue: pg-boss 10 on the application's own database and connection pool (no Redis, no second store).
 *
 * Jobs are enqueued INSIDE the transaction that makes them necessary (`enqueue(tx, …)`), so a job exists exactly
 * when the write that needs it committed: pg-boss's `db` executor option is pointed at the transaction's client.
 *
 * Dedupe: in pg-boss 10 `singletonKey` only dedupes on queues whose policy is `short`, `singleton` or `stately`
 * (or together with `singletonSeconds`); on a `standard` queue two sends with one key are two jobs.
 */
import PgBoss from 'pg-boss';
import type pg from 'pg';
import type { Executor } from '../db/client.js';
import type { Logger } from '../logger.js';

export const PGBOSS_SCHEMA = 'pgboss';

export interface EnqueueOptions {
  startAfter?: Date;
  singletonKey?: string;
  /** Overrides of the queue's retry policy for this job. */
  retryLimit?: number;
  retryDelay?: number;
  retryBackoff?: boolean;
}

export interface QueueDefinition {
  name: string;
  policy?: PgBoss.QueuePolicy;
  retryLimit?: number;
  retryDelay?: number;
  retryBackoff?: boolean;
  expireInSeconds?: number;
}

export interface JobQueue {
  readonly boss: PgBoss;
  /** Creates pg-boss's schema if needed. Workers are registered by startWorker (src/jobs/start-worker.ts). */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Idempotent: creates the queue when missing. A job sent to a queue that does not exist is refused. */
  ensureQueue(def: QueueDefinition): Promise<void>;
  /**
   * Inserts a job through `executor` (the caller's transaction, or the database for a standalone job).
   * Returns the job id, or null when a singleton policy deduped it.
   */
  enqueue(
    executor: Executor | null,
    name: string,
    data: object,
    opts?: EnqueueOptions,
  ): Promise<string | null>;
}

/**
 * The pg client a Drizzle node-postgres transaction runs on. Drizzle keeps it as `tx.session.client` (not part of
 * its typed surface); test/int/jobs.int.test.ts proves that a job enqueued through it commits and rolls back with
 * the transaction, so a Drizzle upgrade that moves it fails a test instead of silently enqueuing outside the tx.
 */
export function clientOf(executor: Executor): pg.PoolClient | pg.Pool | pg.Client {
  const session = (executor as unknown as { session?: { client?: unknown } }).session;
  const client = session?.client as { query?: unknown } | undefined;
  if (!client || typeof client.query !== 'function') {
    throw new Error('cannot find the pg client of this Drizzle executor (drizzle-orm internals changed?)');
  }
  return client as pg.PoolClient;
}

function executorOf(client: { query: pg.Pool['query'] }): PgBoss.Db {
  return {
    executeSql: async (text: string, values: unknown[]) => {
      const res = await client.query(text, values as unknown[]);
      return { rows: res.rows };
    },
  };
}

/**
 * `maintenance`: run pg-boss's supervisor (expiry, archiving) and cron timekeeper in this process — true in
 * worker processes (and `sertantai start`), false in web-only processes, which only enqueue.
 */
export function createJobQueue(opts: { pool: pg.Pool; logger: Logger; maintenance: boolean }): JobQueue {
  const boss = new PgBoss({
    db: executorOf(opts.pool),
    schema: PGBOSS_SCHEMA,
    supervise: opts.maintenance,
    schedule: opts.maintenance,
    // Completed jobs are kept a day for inspection, then archived and deleted by pg-boss's maintenance.
    archiveCompletedAfterSeconds: 24 * 3600,
    deleteAfterDays: 7,
  });
  boss.on('error', (err: Error) => opts.logger.error({ err }, 'job queue error'));
  const known = new Set<string>();
  let started = false;

  return {
    boss,
    async start() {
      if (started) return;
      await boss.start();
      started = true;
    },
    async stop() {
      if (!started) return;
      started = false;
      await boss.stop({ graceful: true, close: false, wait: true, timeout: 10_000 });
    },
    async ensureQueue(def) {
      if (known.has(def.name)) return;
      const existing = await boss.getQueue(def.name);
      const { name, ...options } = def;
      if (!existing) {
        await boss.createQueue(name, { name, ...options });
      } else if (def.policy && existing.policy !== def.policy) {
        throw new Error(`queue ${name} exists with policy ${existing.policy}, not ${def.policy}`);
      }
      known.add(def.name);
    },
    async enqueue(executor, name, data, enqueueOpts = {}) {
      const options: PgBoss.SendOptions = {};
      if (executor) options.db = executorOf(clientOf(executor));
      if (enqueueOpts.startAfter) options.startAfter = enqueueOpts.startAfter;
      if (enqueueOpts.singletonKey) options.singletonKey = enqueueOpts.singletonKey;
      if (enqueueOpts.retryLimit !== undefined) options.retryLimit = enqueueOpts.retryLimit;
      if (enqueueOpts.retryDelay !== undefined) options.retryDelay = enqueueOpts.retryDelay;
      if (enqueueOpts.retryBackoff !== undefined) options.retryBackoff = enqueueOpts.retryBackoff;
      const id = await boss.send(name, data, options);
      if (id === null && !enqueueOpts.singletonKey) {
        // pg-boss inserts through a JOIN on its queue table: a missing queue silently inserts nothing.
        throw new Error(`job ${name} was not enqueued: is its queue registered (src/jobs/registry.ts)?`);
      }
      return id;
    },
  };
}
