import { describe, expect, it } from 'vitest';
import { testDatabase } from '../helpers/db.js';

describe('per-file test database', () => {
  it('is a fresh database cloned from the migrated template', async () => {
    const t = await testDatabase();
    try {
      const { rows } = await t.pool.query<{ db: string }>('SELECT current_database() AS db');
      expect(rows[0]?.db).toBe(t.name);
      const m = await t.pool.query(
        `SELECT count(*)::int AS n FROM information_schema.schemata WHERE schema_name = 'drizzle'`,
      );
      expect(m.rows[0].n).toBe(1);
    } finally {
      await t.drop();
    }
  });
});
