/**
 * Vitest global setup: picks the PostgreSQL server (DATABASE_URL, else an embedded one under .data/test-pg)
 * and builds one migrated template database per run; each test file clones it (test/helpers/db.ts).
 */
import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedServer } from '../src/db/embedded.js';
import { connect } from '../src/db/client.js';
import { runMigrations } from '../src/db/migrate.js';
import { withDatabase } from './helpers/db.js';
import { scanLogDir } from './helpers/log-scan.js';
import fs from 'node:fs';
import path from 'node:path';

let embedded: EmbeddedServer | undefined;
let adminUrl: string;
let template: string;
let logDir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  process.env.TZ = 'UTC';
  if (process.env.DATABASE_URL) {
    adminUrl = process.env.DATABASE_URL;
  } else {
    embedded = await startEmbeddedPostgres('.data/test-pg', { persistent: true });
    adminUrl = embedded.url;
  }
  const runId = `${process.pid}_${Date.now().toString(36)}`;
  template = `tmpl_${runId}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  // Leftovers of runs that were killed before their teardown: names carry the pid of the run that made them.
  const stale = await admin.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname ~ '^(tmpl|t)_[0-9]+_' AND NOT datistemplate`,
  );
  for (const { datname } of stale.rows) {
    const pid = Number(datname.split('_')[1]);
    if (!isAlive(pid)) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).catch(() => {});
  }
  await admin.query(`CREATE DATABASE "${template}"`);
  await admin.end();

  const url = withDatabase(adminUrl, template);
  const database = connect(url, { max: 2 });
  await runMigrations(database.db);
  await database.close();

  project.provide('pgAdminUrl', adminUrl);
  project.provide('pgTemplate', template);
  project.provide('pgRunId', runId);
  // Test apps write their logs here (test/helpers/log-capture.ts); teardown scans them for secrets.
  logDir = path.resolve('.data/test-logs', runId);
}

export async function teardown(): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const left = await admin.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2`,
    [template, `t\\_${template.slice(5)}\\_%`],
  );
  for (const { datname } of left.rows) {
    await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).catch(() => {});
  }
  await admin.end();
  await embedded?.stop();
  scanCapturedLogs();
}

/** Fails the run when a captured log line holds a password, session token, `sk_`, `whsec_` or Authorization. */
function scanCapturedLogs(): void {
  if (!logDir || !fs.existsSync(logDir)) return;
  const leaks = scanLogDir(logDir);
  if (leaks.length === 0) {
    fs.rmSync(logDir, { recursive: true, force: true });
    return;
  }
  const lines = leaks
    .slice(0, 20)
    .map((l) => `  ${l.file}:${l.line} (${l.what})\n    ${l.text.slice(0, 500)}`);
  const message = `Secrets found in ${leaks.length} captured log line(s):\n${lines.join('\n')}`;
  console.error(message);
  // Vitest reports a teardown error but still exits 0: set the exit code ourselves.
  process.exitCode = 1;
  throw new Error(message);
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplate: string;
    pgRunId: string;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
