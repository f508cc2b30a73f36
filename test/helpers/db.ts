/**
 * One fresh, migrated database per test file, cloned from the run's template (see test/global-setup.ts).
 * Usage: `const t = await testDatabase(); afterAll(() => t.drop());`
 */
import { inject } from 'vitest';
import pg from 'pg';
import { scanStoredSecrets } from './db-scan.js';
import crypto from 'node:crypto';
import { connect, type Database } from '../../src/db/client.js';

export interface TestDatabase extends Database {
  url: string;
  name: string;
  /** Superuser URL of the server (to create more databases or bypass the app's role in tests). */
  adminUrl: string;
  drop(): Promise<void>;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function createDatabaseFromTemplate(): Promise<{ url: string; name: string; adminUrl: string }> {
  const adminUrl = inject('pgAdminUrl');
  const template = inject('pgTemplate');
  const name = `t_${template.slice(5)}_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
        break;
      } catch (e) {
        // Two clones of one template at the same instant can collide; try again shortly.
        if (attempt >= 20 || !/being accessed by other users/.test(String(e))) throw e;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  } finally {
    await admin.end();
  }
  return { url: withDatabase(adminUrl, name), name, adminUrl };
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

export async function testDatabase(opts: { max?: number } = {}): Promise<TestDatabase> {
  const { url, name, adminUrl } = await createDatabaseFromTemplate();
  const database = connect(url, { max: opts.max ?? 10, applicationName: 'sertantai-test' });
  return {
    ...database,
    url,
    name,
    adminUrl,
    /** Scans every text column for stored secrets and card numbers (db-scan.ts), then drops the database; a leak
     *  fails the test file that stored it. */
    async drop() {
      const leaks = await scanStoredSecrets(database.pool).catch((e: unknown) => [
        { table: '?', column: '?', what: 'scan failed', text: String(e) },
      ]);
      await database.close().catch(() => {});
      await dropDatabase(adminUrl, name);
      if (leaks.length) {
        throw new Error(`stored secrets or card numbers:\n${leaks.map((l) => JSON.stringify(l)).join('\n')}`);
      }
    },
  };
}
