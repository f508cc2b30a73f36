/**
 * The database a CLI command talks to: DATABASE_URL when set; otherwise the embedded server under
 * `<DATA_DIR>/pg` — reusing it when another process (a running `npm start`) already has it up, else starting it
 * for the duration of the command.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import { EMBEDDED_PASSWORD, startEmbeddedPostgres } from '../db/embedded.js';
import type { Logger } from '../logger.js';

export interface OpenedDatabase {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The URL of an embedded server already running on `dir` (postmaster.pid: pid, dir, start, port, …). */
export function runningEmbeddedUrl(dir: string): string | undefined {
  const pidFile = path.join(path.resolve(dir), 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return undefined;
  const lines = fs.readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!(pid > 0) || !(port > 0) || !alive(pid)) return undefined;
  return `postgres://postgres:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/postgres`;
}

export async function openDatabase(
  config: Config,
  logger: Logger,
  opts: { reuseRunning?: boolean } = {},
): Promise<OpenedDatabase> {
  if (config.databaseUrl) return { url: config.databaseUrl, embedded: false, stop: async () => {} };
  const dir = path.join(config.dataDir, 'pg');
  if (opts.reuseRunning ?? true) {
    const running = runningEmbeddedUrl(dir);
    if (running) {
      logger.info({ dir }, 'using the embedded PostgreSQL another process started');
      return { url: running, embedded: true, stop: async () => {} };
    }
  }
  const started = performance.now();
  const server = await startEmbeddedPostgres(dir, {
    persistent: true,
    log: (line) => logger.debug({ pg: line }),
  });
  logger.info(
    { dir, port: server.port, ms: Math.round(performance.now() - started) },
    'embedded PostgreSQL started',
  );
  return { url: server.url, embedded: true, stop: () => server.stop() };
}
