/**
 * The stored-secrets scan (test/helpers/db-scan.ts) that runs when every test file's database is dropped finds what
 * it must: a Stripe key, a webhook secret, a recorded test secret and a card number planted in real columns. They
 * are removed again before this file's own database is dropped and scanned.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase, type TestDatabase } from '../helpers/db.js';
import { scanStoredSecrets } from '../helpers/db-scan.js';
import { recordSecret } from '../helpers/log-capture.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await testDatabase();
});
afterAll(() => t.drop());

describe('stored-secrets scan', () => {
  it('finds planted secrets and card numbers, naming table and column; nothing once they are gone', async () => {
    const recorded = 'recorded-password-Zq81!x';
    recordSecret(recorded);
    await t.pool.query(
      `INSERT INTO users (id, name, email, email_verified, role) VALUES
         ('u_leak1', 'Card 4242 4242 4242 4242', 'leak1@example.com', true, 'member'),
         ('u_leak2', 'sk_test_51Hleaked', 'leak2@example.com', true, 'member'),
         ('u_leak3', $1, 'leak3@example.com', true, 'member'),
         ('u_leak4', 'whsec_leakedsecret', 'leak4@example.com', true, 'member'),
         ('u_fine', 'Jenny 4242', 'fine@example.com', true, 'member')`,
      [`says ${recorded}`],
    );
    const leaks = await scanStoredSecrets(t.pool);
    expect(leaks.map((l) => [l.table, l.column, l.what]).sort()).toEqual(
      [
        ['users', 'name', 'Stripe secret or restricted key'],
        ['users', 'name', 'card number'],
        ['users', 'name', 'recorded test secret'],
        ['users', 'name', 'webhook secret'],
      ].sort(),
    );
    await t.pool.query(`DELETE FROM users WHERE id LIKE 'u_leak%'`);
    expect(await scanStoredSecrets(t.pool)).toEqual([]);
  });
});
