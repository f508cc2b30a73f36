/** Runs a CLI action against the configured database (embedded when DATABASE_URL is unset), then closes it. */
import type { Config } from '../config.js';
import { connect, type Database } from '../db/client.js';
import { createLogger, type Logger } from '../logger.js';
import { loadConfigOrExit } from './config.js';
import { openDatabase } from './database.js';

export interface CliContext {
  config: Config;
  logger: Logger;
  url: string;
  database: Database;
}

export async function withDatabase<T>(fn: (ctx: CliContext) => Promise<T>): Promise<T> {
  const config = loadConfigOrExit();
  const logger = createLogger({
    level: config.logLevel === 'info' ? 'warn' : config.logLevel,
    destination: process.stderr,
  });
  const opened = await openDatabase(config, logger);
  const database = connect(opened.url, { max: 4, applicationName: 'sertantai-cli' });
  try {
    return await fn({ config, logger, url: opened.url, database });
  } finally {
    await database.close();
    await opened.stop();
  }
}
