/**
 * Bulk role sync (`POST /api/admin/roles/sync`):
 * - dry run: the exact diff — every user whose stored role differs from entitledRole now, with from/to;
 * - apply: a `role_sync_runs` row holding the diff's user ids and a `roles.sync` job enqueued in the same
 *   transaction; the job (runRoleSync) works through them in batches, each user recomputed by applyEntitledRole
 *   under its row lock (so a user fixed meanwhile by a webhook is simply unchanged), one audit row per change with
 *   the admin, the reason and the run as cause; progress (processed/changed/cursor) is saved after every batch, so
 *   `GET /api/admin/jobs/:id` follows it and a crashed run resumes from its cursor.
 */
import { eq, sql } from 'drizzle-orm';
import type { Deps } from '../../deps.js';
import { notFound } from '../../errors.js';
import { roleSyncRuns } from './roles.tables.js';
import { applyEntitledRole } from './apply-entitled-role.js';
import { findRoleMismatches, type RoleMismatch } from './find-role-mismatches.js';
import type { AdminActor } from './set-role-override.js';
import { failpoint } from '../../failpoints.js';

export const ROLE_SYNC_JOB = 'roles.sync';
export const DEFAULT_SYNC_BATCH = 100;

export type RoleSyncRun = typeof roleSyncRuns.$inferSelect;

export interface RoleDiff {
  userId: string;
  email: string;
  from: string;
  to: string;
  kind: RoleMismatch['kind'];
}

export async function planRoleSync(deps: Pick<Deps, 'db' | 'clock' | 'config'>): Promise<RoleDiff[]> {
  const m = await findRoleMismatches(deps.db, deps.clock.now(), { defaultGraceDays: deps.config.graceDays });
  return m.map((x) => ({
    userId: x.userId,
    email: x.email,
    from: x.storedRole,
    to: x.entitledRole,
    kind: x.kind,
  }));
}

export async function requestRoleSync(
  deps: Pick<Deps, 'db' | 'clock' | 'config' | 'queue'>,
  actor: AdminActor,
  input: { reason: string; batchSize?: number },
): Promise<{ run: RoleSyncRun; diff: RoleDiff[] }> {
  const diff = await planRoleSync(deps);
  const run = await deps.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(roleSyncRuns)
      .values({
        status: 'queued',
        requestedByType: actor.actorType,
        requestedBy: actor.actorId,
        reason: input.reason,
        batchSize: input.batchSize ?? DEFAULT_SYNC_BATCH,
        total: diff.length,
        userIds: diff.map((d) => d.userId),
        createdAt: deps.clock.now(),
      })
      .returning();
    if (!row) throw new Error('role sync run insert returned nothing');
    await deps.queue.enqueue(tx, ROLE_SYNC_JOB, { runId: row.id });
    return row;
  });
  return { run, diff };
}

/** The job's work: processes the run from its cursor to the end, batch by batch. Idempotent and resumable. */
export async function runRoleSync(
  deps: Pick<Deps, 'db' | 'clock' | 'config' | 'logger'>,
  runId: string,
  jobId: string | null = null,
): Promise<RoleSyncRun> {
  const [run] = await deps.db.select().from(roleSyncRuns).where(eq(roleSyncRuns.id, runId));
  if (!run) throw notFound('Role sync run', 'job_not_found');
  if (run.status === 'finished') return run;
  await deps.db
    .update(roleSyncRuns)
    .set({ status: 'running', startedAt: run.startedAt ?? deps.clock.now() })
    .where(eq(roleSyncRuns.id, runId));
  let cursor = run.cursor;
  try {
    while (cursor < run.userIds.length) {
      const batch = run.userIds.slice(cursor, cursor + run.batchSize);
      const now = deps.clock.now();
      await deps.db.transaction(async (tx) => {
        let changed = 0;
        for (const userId of batch) {
          const r = await applyEntitledRole(
            tx,
            userId,
            {
              kind: 'admin',
              actorType: run.requestedByType === 'api_key' ? 'api_key' : 'user',
              actorId: run.requestedBy ?? 'unknown',
              action: 'roles.sync',
              reason: run.reason ?? 'role sync',
              syncRunId: run.id,
            },
            now,
            { defaultGraceDays: deps.config.graceDays, requestId: jobId },
          );
          if (r?.changed) changed++;
        }
        failpoint('job.mid');
        // Progress commits with the batch's role changes: a crash never counts a batch it did not apply.
        await tx.execute(sql`
          UPDATE role_sync_runs SET processed = processed + ${batch.length}, changed = changed + ${changed},
            cursor = ${cursor + batch.length}
          WHERE id = ${run.id}`);
      });
      cursor += batch.length;
    }
    const [done] = await deps.db
      .update(roleSyncRuns)
      .set({ status: 'finished', finishedAt: deps.clock.now() })
      .where(eq(roleSyncRuns.id, runId))
      .returning();
    return done!;
  } catch (e) {
    await deps.db
      .update(roleSyncRuns)
      .set({ status: 'failed', lastError: e instanceof Error ? e.message.slice(0, 1000) : String(e) })
      .where(eq(roleSyncRuns.id, runId));
    throw e;
  }
}
