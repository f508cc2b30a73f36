import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { testDatabase, type TestDatabase } from '../helpers/db.js';
import { appendAudit } from '../../src/audit/append-audit.js';
import { verifyAuditChain } from '../../src/audit/verify-audit-chain.js';
import { listAuditForSubject } from '../../src/audit/audit.repo.js';
import { runCli } from '../helpers/cli.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await testDatabase();
});
afterAll(() => t.drop());

describe('audit log', () => {
  it('chains rows: ids 1..n, each prev_hash is the previous hash, verify passes', async () => {
    const a = await appendAudit(t.db, {
      actorType: 'system',
      actorId: null,
      action: 'user.role_changed',
      subjectType: 'user',
      subjectId: 'u1',
      before: { role: 'member' },
      after: { role: 'professional' },
      cause: { eventId: 'evt_1' },
      requestId: 'req-1',
    });
    const b = await t.db.transaction((tx) =>
      appendAudit(tx, {
        actorType: 'user',
        actorId: 'u2',
        action: 'plan.created',
        subjectType: 'plan',
        subjectId: 'p1',
      }),
    );
    expect(a.id).toBe(1);
    expect(b.id).toBe(2);
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    const { rows } = await t.pool.query('SELECT prev_hash FROM audit_log WHERE id = 2');
    expect(rows[0].prev_hash).toBe(a.hash);
    expect(await verifyAuditChain(t.db)).toEqual({ ok: true, rows: 2, lastId: 2, lastHash: b.hash });
    const history = await listAuditForSubject(t.db, 'user', 'u1');
    expect(history.map((r) => [r.action, r.after])).toEqual([
      ['user.role_changed', { role: 'professional' }],
    ]);
  });

  it('a rolled-back transaction leaves no gap in the chain', async () => {
    await t.db
      .transaction(async (tx) => {
        await appendAudit(tx, {
          actorType: 'job',
          actorId: null,
          action: 'x',
          subjectType: 's',
          subjectId: '1',
        });
        throw new Error('roll back');
      })
      .catch(() => {});
    const c = await appendAudit(t.db, {
      actorType: 'job',
      actorId: null,
      action: 'y',
      subjectType: 's',
      subjectId: '1',
    });
    expect(c.id).toBe(3);
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
  });

  it('concurrent appends from 8 connections keep one unbroken chain', async () => {
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        t.db.transaction((tx) =>
          appendAudit(tx, {
            actorType: 'stripe',
            actorId: null,
            action: 'event.applied',
            subjectType: 'event',
            subjectId: `evt_${i}`,
          }),
        ),
      ),
    );
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true, rows: 43, lastId: 43 });
  });

  it('refuses UPDATE, DELETE and TRUNCATE through the app connection, and direct edits of the head', async () => {
    await expect(t.pool.query(`UPDATE audit_log SET reason = 'x' WHERE id = 1`)).rejects.toThrow(
      /append-only: UPDATE/,
    );
    await expect(t.pool.query(`DELETE FROM audit_log WHERE id = 1`)).rejects.toThrow(/append-only: DELETE/);
    await expect(t.pool.query(`TRUNCATE audit_log`)).rejects.toThrow(/append-only: TRUNCATE/);
    await expect(t.pool.query(`UPDATE audit_head SET last_id = 0`)).rejects.toThrow(
      /maintained by the audit_log trigger/,
    );
  });

  it(
    'detects an edit made as superuser with the triggers bypassed, naming the row (and so does the CLI)',
    { timeout: 120_000 },
    async () => {
      const intact = await runCli(['audit', 'verify'], { DATABASE_URL: t.url });
      expect(intact.code).toBe(0);
      expect(intact.stdout).toContain('Audit chain intact: 43 rows');
      const su = new pg.Client({ connectionString: t.url });
      await su.connect();
      try {
        await su.query(`SET session_replication_role = replica`);
        await su.query(`UPDATE audit_log SET after = '{"role":"admin"}' WHERE id = 2`);
      } finally {
        await su.end();
      }
      expect(await verifyAuditChain(t.db)).toEqual({
        ok: false,
        rows: 1,
        brokenId: 2,
        problem: "row 2's content does not match its hash",
      });
      const broken = await runCli(['audit', 'verify'], { DATABASE_URL: t.url });
      expect(broken.code).toBe(1);
      expect(broken.stderr).toContain("Audit chain BROKEN at row 2: row 2's content does not match its hash");
    },
  );

  it('detects a row deleted with the triggers bypassed', async () => {
    const su = new pg.Client({ connectionString: t.url });
    await su.connect();
    try {
      await su.query(`SET session_replication_role = replica`);
      await su.query(`UPDATE audit_log SET after = NULL WHERE id = 2`); // undo the previous test's edit
      expect((await verifyAuditChain(t.db)).ok).toBe(true);
      await su.query(`DELETE FROM audit_log WHERE id = 10`);
    } finally {
      await su.end();
    }
    expect(await verifyAuditChain(t.db)).toMatchObject({
      ok: false,
      brokenId: 11,
      problem: 'row 10 is missing before row 11',
    });
  });
});
