/**
 * Every test app logs to a file under `.data/test-logs/<run id>/`; the global teardown scans those files
 * (test/helpers/log-scan.ts) and fails the run if any line holds a secret. Secrets a test creates at run time
 * (passwords, session tokens, API keys) are recorded with `recordSecret` so the scan looks for them too.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { expect, inject } from 'vitest';
import { destination as pinoDestination } from 'pino';
import { createLogger, type Logger } from '../../src/logger.js';

export const TEST_LOG_ROOT = '.data/test-logs';
export const SECRETS_FILE = 'secrets.list';

export function testLogDir(): string {
  let runId: string;
  try {
    runId = inject('pgRunId');
  } catch {
    runId = 'adhoc';
  }
  const dir = path.resolve(TEST_LOG_ROOT, runId);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Remembers a secret value (password, token, key) so the teardown fails the run if a log line contains it. */
export function recordSecret(value: string): void {
  if (value.length < 8) return;
  fs.appendFileSync(path.join(testLogDir(), SECRETS_FILE), value.replace(/\n/g, ' ') + '\n');
}

/** A logger writing synchronously to a fresh file in the run's log directory. */
export function testLogger(label = 'app'): { logger: Logger; file: string } {
  const test = (currentTestPath() ?? 'test').split('/').pop()!.replace(/\.ts$/, '');
  const file = path.join(testLogDir(), `${test}.${label}.${crypto.randomBytes(3).toString('hex')}.log`);
  const destination = pinoDestination({ dest: file, sync: true, mkdir: true });
  return {
    logger: createLogger({ level: 'debug', destination: destination as unknown as NodeJS.WritableStream }),
    file,
  };
}

/** A writable file for a child process's stdout/stderr (e.g. a spawned `sertantai start`). */
export function testLogFile(label: string): string {
  return path.join(testLogDir(), `${label}.${crypto.randomBytes(3).toString('hex')}.log`);
}

function currentTestPath(): string | undefined {
  try {
    return expect.getState().testPath;
  } catch {
    return undefined;
  }
}
