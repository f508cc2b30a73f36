/**
 * Builds the composition root (Deps) from a validated Config and a database URL: pool + Drizzle, job queue
 * (not started: `deps.queue.start()` is the caller's choice), Stripe client, clock, logger.
 */
import type { Config } from '../config.js';
import { systemClock, type Clock } from '../clock.js';
import { connect } from '../db/client.js';
import type { Deps } from '../deps.js';
import { createJobQueue } from '../jobs/queue.js';
import type { Logger } from '../logger.js';
import { createStripe } from '../billing/stripe/client.js';

/** Lets the app start before the Stripe sandbox is wired in: a syntactically valid test key that is never sent. */
export const PLACEHOLDER_STRIPE_KEY = 'sk_test_placeholder_not_a_real_key';

export function buildDeps(
  config: Config,
  opts: {
    databaseUrl: string;
    logger: Logger;
    clock?: Clock;
    maxConnections?: number;
    maintenance?: boolean;
  },
): Deps {
  const database = connect(opts.databaseUrl, { max: opts.maxConnections ?? config.databasePoolMax });
  const stripeConfig = config.stripe.secretKey
    ? config
    : { ...config, stripe: { ...config.stripe, secretKey: PLACEHOLDER_STRIPE_KEY } };
  return {
    config,
    database,
    db: database.db,
    clock: opts.clock ?? systemClock,
    logger: opts.logger,
    stripe: createStripe(stripeConfig),
    queue: createJobQueue({
      pool: database.pool,
      logger: opts.logger,
      maintenance: opts.maintenance ?? true,
    }),
  };
}
