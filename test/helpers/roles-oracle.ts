/**
 * Roles in the RELIABILITY 19 property run (issue 5), called from the R19 property test's check with its own
 * generated lifecycles (reused, not copied). After all events of a run are applied, every grace period is let run
 * out (the dunning sweep far past the run, for this run's customers only), then:
 * - each user's role equals the oracle of the FINAL Stripe objects: `professional` (the fixture plan's role) when
 *   one of their subscriptions ends active or trialing, else `member`;
 * - the user's role-change audit rows form one chain of real transitions: the first starts from `member`, each
 *   starts where the previous ended, none is a no-op, the last ends at the final role, and no Stripe event caused
 *   two of them (duplicates and replays add none).
 */
import { expect } from 'vitest';
import type { Deps } from '../../src/deps.js';
import { runDunningSweep } from '../../src/billing/dunning/run-dunning-sweep.js';

export interface RoleOracleInput {
  users: Array<{ id: string }>;
  finalSubs: Map<string, { id: string; status: string }>;
}

export async function checkRolesAgainstOracle(
  deps: Deps,
  built: RoleOracleInput,
  run: number,
): Promise<void> {
  const customers = built.users.map((u) => u.id.replace(/^user_/, 'cus_'));
  // Far past every run's events (2026), yet within an int4 of seconds from them: time_to_recover_seconds is int.
  await runDunningSweep(deps, new Date('2060-01-01T00:00:00Z'), { stripeCustomerIds: customers });
  for (const u of built.users) {
    const ci = /c(\d+)$/.exec(u.id)![1];
    const subs = [...built.finalSubs.values()].filter((s) => s.id.startsWith(`sub_r${run}c${ci}s`));
    const expected = subs.some((s) => s.status === 'active' || s.status === 'trialing')
      ? 'professional'
      : 'member';
    const { rows } = await deps.database.pool.query<{ role: string }>(
      `SELECT role FROM users WHERE id = $1`,
      [u.id],
    );
    expect([u.id, rows[0]?.role]).toEqual([u.id, expected]);

    const changes = await deps.database.pool.query<{ b: string; a: string; event: string | null }>(
      `SELECT before->>'role' AS b, after->>'role' AS a, cause->>'eventId' AS event FROM audit_log
       WHERE action = 'user.role_changed' AND subject_id = $1 ORDER BY id`,
      [u.id],
    );
    let at = 'member';
    for (const c of changes.rows) {
      expect([u.id, c.b]).toEqual([u.id, at]);
      expect(c.a).not.toBe(c.b);
      at = c.a;
    }
    expect([u.id, at]).toEqual([u.id, expected]);
    const events = changes.rows.map((c) => c.event).filter((e) => e !== null);
    expect(new Set(events).size).toBe(events.length);
  }
}
