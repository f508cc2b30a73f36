/**
 * The status of a long-running admin job, whatever its kind (`GET /api/admin/jobs/:id`). Every job that keeps a
 * progress record in its own table is one source below; each maps its row to the one stable shape
 *   { id, kind, status, progress: { done, total }, startedAt, finishedAt, result?, error? }
 * so a console follows any job the same way. `result` is there once the job finished, `error` while it is failed.
 *
 * Sources: role sync runs (`role_sync_runs`, uuid ids; progress = users processed of the diff) and reconciliation
 * runs (`sync_runs`, ids `sync_<unix>_<hex>`; progress = Stripe passes done of the four). A new kind of job with a
 * progress record adds one source here.
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../db/client.js';
import { notFound } from '../errors.js';
import { roleSyncRuns } from '../accounts/roles/roles.tables.js';
import { ROLE_SYNC_JOB } from '../accounts/roles/sync-roles.js';
import { syncCursors, syncRuns } from '../inbox/reconcile/reconcile.tables.js';
import { SYNC_PASSES } from '../inbox/reconcile/run-sync.js';

export const JOB_STATUSES = ['queued', 'running', 'finished', 'failed'] as const;
export type JobStatusValue = (typeof JOB_STATUSES)[number];

/** GET /api/admin/jobs/:id (also its OpenAPI schema). */
export const jobStatusView = z.object({
  id: z.string(),
  kind: z.string(),
  status: z.enum(JOB_STATUSES),
  progress: z.object({ done: z.number().int(), total: z.number().int() }),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
  result: z.record(z.string(), z.unknown()).optional(),
  error: z.object({ message: z.string() }).optional(),
});

export interface JobStatus {
  id: string;
  kind: string;
  status: JobStatusValue;
  progress: { done: number; total: number };
  startedAt: string | null;
  finishedAt: string | null;
  result?: Record<string, unknown>;
  error?: { message: string };
}

interface JobSource {
  kind: string;
  /** Whether an id can belong to this source (its id format), so a lookup never casts a foreign id. */
  owns(id: string): boolean;
  find(db: Executor, id: string): Promise<JobStatus | null>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SYNC_RUN_ID = /^sync_\d+_[0-9a-f]+$/;
const iso = (d: Date | null) => d?.toISOString() ?? null;

function shape(
  base: Omit<JobStatus, 'result' | 'error'>,
  result: Record<string, unknown>,
  lastError: string | null,
) {
  const out: JobStatus = { ...base };
  if (base.status === 'finished') out.result = result;
  if (base.status === 'failed') out.error = { message: lastError ?? 'failed' };
  return out;
}

export const roleSyncSource: JobSource = {
  kind: ROLE_SYNC_JOB,
  owns: (id) => UUID.test(id),
  async find(db, id) {
    const [r] = await db.select().from(roleSyncRuns).where(eq(roleSyncRuns.id, id));
    if (!r) return null;
    return shape(
      {
        id: r.id,
        kind: ROLE_SYNC_JOB,
        status: r.status,
        progress: { done: r.processed, total: r.total },
        startedAt: iso(r.startedAt),
        finishedAt: iso(r.finishedAt),
      },
      {
        changed: r.changed,
        processed: r.processed,
        batchSize: r.batchSize,
        reason: r.reason,
        requestedBy: { type: r.requestedByType, id: r.requestedBy },
      },
      r.lastError,
    );
  },
};

export const RECONCILE_JOB = 'billing.reconcile';

export const reconcileSource: JobSource = {
  kind: RECONCILE_JOB,
  owns: (id) => SYNC_RUN_ID.test(id),
  async find(db, id) {
    const [r] = await db.select().from(syncRuns).where(eq(syncRuns.id, id));
    if (!r) return null;
    const cursors = await db.select().from(syncCursors).where(eq(syncCursors.runId, id));
    const seen = Object.fromEntries(
      SYNC_PASSES.map((p) => [p, cursors.find((c) => c.objectKind === p)?.seen ?? 0]),
    );
    const summary = (r.summary ?? {}) as Record<string, unknown>;
    return shape(
      {
        id: r.id,
        kind: RECONCILE_JOB,
        status: r.status,
        progress: { done: cursors.filter((c) => c.done).length, total: SYNC_PASSES.length },
        startedAt: iso(r.startedAt),
        finishedAt: iso(r.finishedAt),
      },
      {
        trigger: r.trigger,
        since: r.sinceAt.toISOString(),
        requests: r.requests,
        seen,
        eventsRecovered: summary.eventsRecovered ?? 0,
        corrections: summary.corrections ?? 0,
      },
      r.lastError,
    );
  },
};

export const JOB_SOURCES: readonly JobSource[] = [roleSyncSource, reconcileSource];

/** The job's status, or 404 `job_not_found` (also for an id no source could have issued). */
export async function getJobStatus(db: Executor, id: string): Promise<JobStatus> {
  for (const source of JOB_SOURCES) {
    if (!source.owns(id)) continue;
    const found = await source.find(db, id);
    if (found) return found;
  }
  throw notFound('Job', 'job_not_found');
}
