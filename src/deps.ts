/**
 * The composition root: config, database, clock, logger and Stripe client are built once and passed down.
 * No module reaches for globals. Domains that need more (the job queue) extend `Deps` here.
 */
import type Stripe from 'stripe';
import type { Config } from './config.js';
import type { Clock } from './clock.js';
import type { Database, Db } from './db/client.js';
import type { Logger } from './logger.js';
import type { JobQueue } from './jobs/queue.js';

export interface Deps {
  config: Config;
  database: Database;
  db: Db;
  clock: Clock;
  logger: Logger;
  stripe: Stripe;
  /** pg-boss on the same database: `queue.enqueue(tx, name, data)` inside the transaction that needs the job. */
  queue: JobQueue;
}
