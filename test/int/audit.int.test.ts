import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { testDatabase, type TestDatabase } from '../helpers/db.js';
import { appendAudit } from '../../src/audit/append-audit.js';
import { deferWrites } from '../../src/db/deferred-writes.js';
import { sealAllAuditRows, sealAuditLog } from '../../src/audit/seal-audit-log.js';
import { verifyAuditChain } from '../../src/audit/verify-audit-chain.js';
import { listAuditForSubject } from '../../src/audit/audit.repo.js';
import { runCli } from '../helpers/cli.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await testDatabase();
});
afterAll(() => t.drop());

async function asSuperuserBypassingTriggers(statements: string[]): Promise<void> {
  const su = new pg.Client({ connectionString: t.url });
  await su.connect();
  try {
    await su.query(`SET session_replication_role = replica`);
    for (const s of statements) await su.query(s);
  } finally {
    await su.end();
  }
}

describe('audit log', () => {
  it('rows enter unsealed; the sealer chains them: positions 1..n, each prev_hash is the previous hash', async () => {
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
        // An inserter cannot forge chain columns: they are reset on insert.
        ...({ seq: 99, hash: 'f'.repeat(64) } as object),
      }),
    );
    expect(a).toBeUndefined();
    expect(b).toBeUndefined();
    expect((await t.pool.query(`SELECT id, action FROM audit_log ORDER BY id`)).rows).toEqual([
      { id: 1, action: 'user.role_changed' },
      { id: 2, action: 'plan.created' },
    ]);
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true, rows: 0, pending: 2 });

    expect(await sealAuditLog(t.db)).toBe(2);
    const { rows } = await t.pool.query('SELECT id, seq, prev_hash, hash FROM audit_log ORDER BY seq');
    expect(rows.map((r) => Number(r.seq))).toEqual([1, 2]);
    expect(rows[0].prev_hash).toBe('0'.repeat(64));
    expect(rows[1].prev_hash).toBe(rows[0].hash);
    expect(rows[0].hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await verifyAuditChain(t.db)).toEqual({
      ok: true,
      rows: 2,
      pending: 0,
      lastSeq: 2,
      lastHash: rows[1].hash,
    });
    expect(await sealAuditLog(t.db)).toBe(0);

    const history = await listAuditForSubject(t.db, 'user', 'u1');
    expect(history.map((r) => [r.action, r.after])).toEqual([
      ['user.role_changed', { role: 'professional' }],
    ]);
  });

  it('a rolled-back transaction leaves no row and no gap in the chain', async () => {
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
    await appendAudit(t.db, {
      actorType: 'job',
      actorId: null,
      action: 'y',
      subjectType: 's',
      subjectId: '1',
    });
    await sealAllAuditRows(t.db);
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true, rows: 3, lastSeq: 3 });
  });

  it('concurrent appends and two concurrent sealers keep one unbroken chain', async () => {
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
    const sealed = await Promise.all([sealAuditLog(t.db, { batch: 25 }), sealAuditLog(t.db, { batch: 25 })]);
    expect(sealed[0] + sealed[1]).toBe(40);
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true, rows: 43, pending: 0, lastSeq: 43 });
  });

  it('refuses content UPDATE (sealed or not), re-sealing, DELETE and TRUNCATE, and direct edits of the head', async () => {
    await expect(t.pool.query(`UPDATE audit_log SET reason = 'x' WHERE id = 1`)).rejects.toThrow(
      /append-only: UPDATE/,
    );
    await expect(t.pool.query(`UPDATE audit_log SET seq = 0 WHERE id = 1`)).rejects.toThrow(
      /append-only: UPDATE/,
    );
    await appendAudit(t.db, {
      actorType: 'job',
      actorId: null,
      action: 'z',
      subjectType: 's',
      subjectId: '2',
    });
    const pending = (await t.pool.query<{ id: number }>(`SELECT max(id)::int AS id FROM audit_log`)).rows[0]!
      .id;
    await expect(
      t.pool.query(`UPDATE audit_log SET seq = 0, reason = 'changed while sealing' WHERE id = $1`, [pending]),
    ).rejects.toThrow(/append-only: UPDATE/);
    await expect(t.pool.query(`UPDATE audit_log SET reason = 'x' WHERE id = $1`, [pending])).rejects.toThrow(
      /append-only: UPDATE/,
    );
    await expect(t.pool.query(`DELETE FROM audit_log WHERE id = 1`)).rejects.toThrow(/append-only: DELETE/);
    await expect(t.pool.query(`TRUNCATE audit_log`)).rejects.toThrow(/append-only: TRUNCATE/);
    await expect(t.pool.query(`UPDATE audit_head SET last_id = 0`)).rejects.toThrow(
      /maintained by the audit_log trigger/,
    );
    await sealAllAuditRows(t.db);
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true, rows: 44 });
  });

  it(
    'an edit made as superuser with the triggers bypassed is reported, naming the row (and so does the CLI)',
    { timeout: 120_000 },
    async () => {
      const intact = await runCli(['audit', 'verify'], { DATABASE_URL: t.url });
      expect(intact.code).toBe(0);
      expect(intact.stdout).toContain('Audit chain intact: 44 rows');

      await asSuperuserBypassingTriggers([`UPDATE audit_log SET after = '{"role":"admin"}' WHERE id = 2`]);
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

  it('a sealed row deleted with the triggers bypassed is reported', async () => {
    await asSuperuserBypassingTriggers([
      `UPDATE audit_log SET after = NULL WHERE id = 2`, // undo the previous test's edit
    ]);
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
    const { rows } = await t.pool.query('SELECT id FROM audit_log WHERE seq = 11');
    const { rows: next } = await t.pool.query('SELECT id FROM audit_log WHERE seq = 12');
    await asSuperuserBypassingTriggers([`DELETE FROM audit_log WHERE seq = 11`]);
    expect(await verifyAuditChain(t.db)).toEqual({
      ok: false,
      rows: 10,
      brokenId: Number(next[0].id),
      problem: `chain position 11 is missing before row ${next[0].id} (position 12)`,
    });
    expect(rows).toHaveLength(1);
  });

  it('deferred rows (the webhook dispatcher) are written in one insert at flush, in order, and commit with it', async () => {
    const entry = (subjectId: string, after: object) => ({
      actorType: 'stripe' as const,
      actorId: 'evt_d',
      action: 'deferred.test',
      subjectType: 'd',
      subjectId,
      after,
    });
    const mine = `SELECT subject_id, after FROM audit_log WHERE action = 'deferred.test' ORDER BY id`;
    await t.db.transaction(async (tx) => {
      const audit = deferWrites(tx);
      const after = { n: 1 };
      await appendAudit(tx, entry('a', after));
      after.n = 99; // the row is taken as it was when appended
      await appendAudit(tx, entry('b', { n: 2 }));
      await appendAudit(tx, entry('c', { text: 'quote \' and "' }));
      expect((await tx.execute(sql.raw(mine))).rows).toEqual([]);
      await audit.flush();
      expect((await tx.execute(sql.raw(mine))).rows).toHaveLength(3);
      // After the flush, rows go straight in again.
      await appendAudit(tx, entry('d', { n: 4 }));
      expect((await tx.execute(sql.raw(mine))).rows).toHaveLength(4);
    });
    expect((await t.pool.query(mine)).rows).toEqual([
      { subject_id: 'a', after: { n: 1 } },
      { subject_id: 'b', after: { n: 2 } },
      { subject_id: 'c', after: { text: 'quote \' and "' } },
      { subject_id: 'd', after: { n: 4 } },
    ]);
    // Rolled back: nothing of a deferred batch remains.
    await t.db
      .transaction(async (tx) => {
        const audit = deferWrites(tx);
        await appendAudit(tx, entry('e', {}));
        await audit.flush();
        throw new Error('roll back');
      })
      .catch(() => {});
    expect((await t.pool.query(mine)).rows).toHaveLength(4);
  });
});
