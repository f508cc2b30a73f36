/**
 * runSync: reconciliation (`sertantai sync [--since 30d]` and the daily job). Repairs what webhooks missed, in two
 * passes, and reports the drift it fixed:
 *
 * 1. Events: lists Stripe's events of the window; every event we never stored is stored now (as the webhook would
 *    have) and applied by the normal handlers, in `created` order per customer — so rows, MRR movements, roles and
 *    dunning steps come out exactly as if the webhook had arrived.
 * 2. Objects: lists customers, subscriptions (all statuses) and the window's invoices and applies each through the
 *    mirror upserts. The listed object is Stripe's current state, so it is applied just above the row's version
 *    — unless the row changed after the page was fetched (a webhook got there first with something newer).
 *
 * Every correction is one audit row (`sync.repaired`, cause { syncRunId, via, … }) and one drift entry (before →
 * after per field). Requests go through the rate budget; a 429 is retried after a backoff. The next page is fetched
 * while the current one is written, a page in a few transactions (see applyPage), not one per object. The cursor of
 * each pass is saved after every page, so an interrupted run resumes where it stopped (its report is rebuilt from
 * the run's audit rows). `npm run bench:sync` measures it against Stripe's rate limit (bench/RESULTS.md).
 */
import crypto from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type Stripe from 'stripe';
import { appendAudit } from '../../audit/append-audit.js';
import { auditLog } from '../../audit/audit.tables.js';
import { fromUnix, toUnix } from '../../clock.js';
import type { Tx } from '../../db/client.js';
import type { Deps } from '../../deps.js';
import { upsertCustomer } from '../../billing/customers/customers.repo.js';
import { recomputeLinkedRoles } from '../../accounts/roles/recompute-linked-roles.js';
import { stripeEvents } from '../inbox.tables.js';
import { upsertInvoice } from '../../billing/invoices/invoices.repo.js';
import { upsertSubscription } from '../../billing/subscriptions/subscriptions.repo.js';
import { drainEvents } from '../webhooks/dispatch-event.js';
import { NotLinkableError, orderingKeyOf, type HandlerMap } from '../webhooks/types.js';
import {
  diffRows,
  loadMirrorRow,
  mirrorKindOf,
  type FieldChange,
  type MirrorKind,
  type RowSnapshot,
} from './mirror-rows.js';
import { syncCursors, syncRuns } from './reconcile.tables.js';
import { takeAndCall, TokenBucket } from './token-bucket.js';

export const SYNC_PASSES = ['events', 'customers', 'subscriptions', 'invoices'] as const;
export type SyncPass = (typeof SYNC_PASSES)[number];

export interface SyncOptions {
  since: Date;
  handlers: HandlerMap;
  trigger: 'cli' | 'job' | 'test';
  /** Resume the last unfinished run (default true); false starts a new run. */
  resume?: boolean;
  pageSize?: number;
  bucket?: TokenBucket;
  onProgress?: (p: { pass: SyncPass; seen: number; corrections: number }) => void;
  /** Stop (as if interrupted) after this many pages — for the resume test. */
  stopAfterPages?: number;
  /**
   * Transactions writing a page at once (default 3), each on its own connection: a page's objects are split by
   * customer, so one customer's objects are written by one of them, in list order. 1 writes a page in one.
   */
  writers?: number;
  /** How long to wait for recovered events that another worker is applying (default 30 s). */
  settleTimeoutMs?: number;
}

export interface DriftEntry {
  kind: MirrorKind | 'payment';
  stripeId: string;
  via: 'event' | 'object';
  action: 'inserted' | 'updated';
  changes: FieldChange[];
  eventIds?: string[];
}

export interface SyncReport {
  runId: string;
  since: string;
  resumed: boolean;
  finished: boolean;
  requests: number;
  /** Requests Stripe answered 429 (retried after a backoff). */
  throttled: number;
  seen: Record<SyncPass, number>;
  eventsRecovered: number;
  corrections: DriftEntry[];
  unlinkable: { kind: string; stripeId: string; reason: string }[];
}

export class SyncInterrupted extends Error {
  constructor(readonly runId: string) {
    super(`sync run ${runId} stopped before the end; run it again to resume`);
  }
}

type Listed = { id: string; created: number };
type Fetched = { fetchedAt: Date; page: { data: Listed[]; has_more: boolean } };
type AuditRepair = (tx: Tx, entry: DriftEntry, before: RowSnapshot, after: RowSnapshot) => Promise<void>;

async function openRun(deps: Pick<Deps, 'db' | 'clock'>, opts: SyncOptions) {
  if (opts.resume !== false) {
    const [open] = await deps.db
      .select()
      .from(syncRuns)
      .where(inArray(syncRuns.status, ['running', 'failed']))
      .orderBy(sql`${syncRuns.startedAt} DESC`)
      .limit(1);
    if (open) {
      await deps.db
        .update(syncRuns)
        .set({ status: 'running', lastError: null })
        .where(eq(syncRuns.id, open.id));
      return { run: open, resumed: true };
    }
  }
  const id = `sync_${toUnix(deps.clock.now())}_${crypto.randomBytes(4).toString('hex')}`;
  const [run] = await deps.db
    .insert(syncRuns)
    .values({
      id,
      sinceAt: opts.since,
      status: 'running',
      trigger: opts.trigger,
      startedAt: deps.clock.now(),
    })
    .returning();
  if (!run) throw new Error('sync run not created');
  return { run, resumed: false };
}

async function cursorOf(deps: Pick<Deps, 'db' | 'clock'>, runId: string, pass: SyncPass) {
  const [row] = await deps.db
    .select()
    .from(syncCursors)
    .where(and(eq(syncCursors.runId, runId), eq(syncCursors.objectKind, pass)));
  if (row) return row;
  const [created] = await deps.db
    .insert(syncCursors)
    .values({ runId, objectKind: pass, cursor: null, done: false, seen: 0, updatedAt: deps.clock.now() })
    .returning();
  if (!created) throw new Error('sync cursor not created');
  return created;
}

const dbNow = async (deps: Pick<Deps, 'db'>) =>
  new Date((await deps.db.execute<{ now: string }>(sql`SELECT now()::text AS now`)).rows[0]!.now);

export async function runSync(deps: Deps, opts: SyncOptions): Promise<SyncReport> {
  const { run, resumed } = await openRun(deps, opts);
  const since = run.sinceAt;
  const bucket = opts.bucket ?? new TokenBucket(deps.config.stripe.rateBudget);
  const pageSize = opts.pageSize ?? 100;
  const report: SyncReport = {
    runId: run.id,
    since: since.toISOString(),
    resumed,
    finished: false,
    requests: 0,
    throttled: 0,
    seen: { events: 0, customers: 0, subscriptions: 0, invoices: 0 },
    eventsRecovered: 0,
    corrections: [],
    unlinkable: [],
  };
  let pages = 0;
  const request = <T>(call: () => Promise<T>): Promise<T> =>
    takeAndCall(bucket, call, {
      onAttempt: () => report.requests++,
      onThrottled: (attempt, waitMs) => {
        report.throttled++;
        deps.logger.warn(
          { runId: run.id, attempt, waitMs },
          'Stripe rate limit (429): retrying after a backoff',
        );
      },
    });
  const audit = async (tx: Tx, entry: DriftEntry, before: RowSnapshot, after: RowSnapshot) => {
    await appendAudit(tx, {
      actorType: opts.trigger === 'job' ? 'job' : 'system',
      actorId: run.id,
      action: 'sync.repaired',
      subjectType: entry.kind,
      subjectId: entry.stripeId,
      before: Object.fromEntries(entry.changes.map((c) => [c.field, c.before])),
      after: Object.fromEntries(entry.changes.map((c) => [c.field, c.after])),
      cause: {
        syncRunId: run.id,
        via: entry.via,
        action: entry.action,
        ...(entry.eventIds ? { eventIds: entry.eventIds } : {}),
      },
      reason: before === null && after !== null ? 'missing row' : 'row differed from Stripe',
    });
  };

  try {
    for (const pass of SYNC_PASSES) {
      const cur = await cursorOf(deps, run.id, pass);
      if (cur.done) {
        report.seen[pass] = cur.seen;
        continue;
      }
      let cursor = cur.cursor;
      let seen = cur.seen;
      const recovered = new Map<
        string,
        { kind: MirrorKind; stripeId: string; before: RowSnapshot; eventIds: string[] }
      >();
      // The next page is requested while this one is written (its cursor is this page's last id), so Stripe's
      // latency overlaps our writes. `fetchedAt` is taken before each request (the version guard's reference).
      const fetchPage = async (after: string | null): Promise<Fetched> => {
        const fetchedAt = await dbNow(deps);
        const page = await request(() => listPage(deps.stripe, pass, since, pageSize, after));
        return { fetchedAt, page };
      };
      const mayFetch = () => opts.stopAfterPages === undefined || pages < opts.stopAfterPages;
      let next: Promise<Fetched> | null = null;
      for (;;) {
        if (!mayFetch()) throw new SyncInterrupted(run.id);
        const fetched: Fetched = await (next ?? fetchPage(cursor));
        const { fetchedAt, page } = fetched;
        pages++;
        const pageCursor: string | null = page.data.at(-1)?.id ?? cursor;
        next = page.has_more && mayFetch() ? fetchPage(pageCursor) : null;
        next?.catch(() => {}); // awaited on the next turn; a failure while this page is written is not unhandled
        const pageSeen = seen + page.data.length;
        // A page's rows and audit rows are written in a few transactions (not one per object), then the cursor past
        // it (see applyPage); a resumed run restarts at the first page whose cursor was not saved.
        const saveCursor = (tx: Tx) =>
          tx
            .update(syncCursors)
            .set({ cursor: pageCursor, seen: pageSeen, done: !page.has_more, updatedAt: deps.clock.now() })
            .where(and(eq(syncCursors.runId, run.id), eq(syncCursors.objectKind, pass)));
        if (pass === 'events') {
          await deps.db.transaction(async (tx) => {
            await storeMissingEvents(
              deps,
              tx,
              opts.handlers,
              page.data as Stripe.Event[],
              run.id,
              recovered,
              report,
            );
            await saveCursor(tx);
          });
        } else {
          const outcome = await applyPage(
            deps,
            pass,
            page.data,
            fetchedAt,
            run.id,
            audit,
            request,
            saveCursor,
            opts.writers ?? 3,
          );
          report.corrections.push(...outcome.corrections);
          report.unlinkable.push(...outcome.unlinkable);
        }
        seen = pageSeen;
        cursor = pageCursor;
        report.seen[pass] = seen;
        opts.onProgress?.({ pass, seen, corrections: report.corrections.length });
        if (!page.has_more) break;
      }
      if (pass === 'events' && recovered.size > 0) {
        await applyRecovered(deps, opts, recovered, report, audit);
      }
    }
    await deps.db
      .update(syncRuns)
      .set({
        status: 'finished',
        finishedAt: deps.clock.now(),
        requests: sql`${syncRuns.requests} + ${report.requests}`,
      })
      .where(eq(syncRuns.id, run.id));
    report.finished = true;
  } catch (e) {
    await deps.db
      .update(syncRuns)
      .set({
        status: 'failed',
        lastError: e instanceof Error ? e.message.slice(0, 1000) : String(e),
        requests: sql`${syncRuns.requests} + ${report.requests}`,
      })
      .where(eq(syncRuns.id, run.id));
    throw e;
  }
  // The report covers the whole run, including the part done before an interruption.
  report.corrections = await correctionsOf(deps, run.id);
  await deps.db
    .update(syncRuns)
    .set({
      summary: {
        seen: report.seen,
        eventsRecovered: report.eventsRecovered,
        corrections: report.corrections.length,
      },
    })
    .where(eq(syncRuns.id, run.id));
  return report;
}

async function listPage(
  stripe: Stripe,
  pass: SyncPass,
  since: Date,
  limit: number,
  cursor: string | null,
): Promise<{ data: Listed[]; has_more: boolean }> {
  const page = cursor ? { limit, starting_after: cursor } : { limit };
  const created = { gte: toUnix(since) };
  switch (pass) {
    case 'events':
      return stripe.events.list({ ...page, created });
    case 'customers':
      return stripe.customers.list(page);
    case 'subscriptions':
      return stripe.subscriptions.list({ ...page, status: 'all' });
    case 'invoices':
      return stripe.invoices.list({ ...page, created }) as Promise<{ data: Listed[]; has_more: boolean }>;
  }
}

async function storeMissingEvents(
  deps: Deps,
  tx: Tx,
  handlers: HandlerMap,
  events: Stripe.Event[],
  runId: string,
  recovered: Map<string, { kind: MirrorKind; stripeId: string; before: RowSnapshot; eventIds: string[] }>,
  report: SyncReport,
) {
  if (events.length === 0) return;
  const known = await tx
    .select({ id: stripeEvents.id })
    .from(stripeEvents)
    .where(
      inArray(
        stripeEvents.id,
        events.map((e) => e.id),
      ),
    );
  const have = new Set(known.map((k) => k.id));
  // Due now on the dispatcher's clock (the same clock the webhook ingest stamps).
  const now = deps.clock.now();
  const rows: { event: Stripe.Event; objectId: string | null; status: string }[] = [];
  for (const event of events) {
    if (have.has(event.id)) continue;
    const object = event.data.object as unknown as { id?: string; object?: string };
    const kind = mirrorKindOf(object.object);
    const handled = event.type in handlers && event.livemode === deps.config.stripe.livemode;
    if (handled && kind && object.id) {
      const key = `${kind}:${object.id}`;
      const entry = recovered.get(key);
      if (entry) entry.eventIds.push(event.id);
      else
        recovered.set(key, {
          kind,
          stripeId: object.id,
          before: await loadMirrorRow(tx, kind, object.id),
          eventIds: [event.id],
        });
    }
    const status =
      event.livemode !== deps.config.stripe.livemode ? 'ignored' : handled ? 'pending' : 'skipped';
    rows.push({ event, objectId: object.id ?? null, status });
  }
  if (rows.length === 0) return;
  // The page's missing events in one INSERT (sql.param: each array is ONE parameter).
  const col = <T>(f: (r: (typeof rows)[number]) => T) => sql.param(rows.map(f));
  const res = await tx.execute<{ status: string }>(sql`
    INSERT INTO stripe_events (id, type, api_version, livemode, created_at, ordering_key, object_id, payload,
                               received_at, status, note, available_at)
    SELECT id, type, api_version, livemode, to_timestamp(created), ordering_key, object_id, payload::json,
           ${now}, status, ${`recovered by ${runId}`}, ${now}
    FROM unnest(${col((r) => r.event.id)}::text[], ${col((r) => r.event.type)}::text[],
                ${col((r) => r.event.api_version ?? null)}::text[], ${col((r) => r.event.livemode)}::boolean[],
                ${col((r) => r.event.created)}::bigint[], ${col((r) => orderingKeyOf(r.event))}::text[],
                ${col((r) => r.objectId)}::text[], ${col((r) => JSON.stringify(r.event))}::text[],
                ${col((r) => r.status)}::text[])
         WITH ORDINALITY AS v(id, type, api_version, livemode, created, ordering_key, object_id, payload, status, n)
    ORDER BY n
    ON CONFLICT (id) DO NOTHING
    RETURNING status`);
  report.eventsRecovered += res.rows.filter((r) => r.status === 'pending').length;
  await tx.execute(sql`SELECT pg_notify('stripe_events', '')`);
}

async function applyRecovered(
  deps: Deps,
  opts: SyncOptions,
  recovered: Map<string, { kind: MirrorKind; stripeId: string; before: RowSnapshot; eventIds: string[] }>,
  report: SyncReport,
  audit: AuditRepair,
) {
  const ids = [...recovered.values()].flatMap((r) => r.eventIds);
  const deadline = Date.now() + (opts.settleTimeoutMs ?? 30_000);
  // Apply them here (another worker may be applying some at the same time: wait for those to settle).
  for (;;) {
    await drainEvents(deps, { handlers: opts.handlers });
    const open = await deps.db
      .select({ id: stripeEvents.id })
      .from(stripeEvents)
      .where(and(inArray(stripeEvents.id, ids), eq(stripeEvents.status, 'pending')));
    if (open.length === 0 || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const parked = await deps.db
    .select({ id: stripeEvents.id, objectId: stripeEvents.objectId, lastError: stripeEvents.lastError })
    .from(stripeEvents)
    .where(and(inArray(stripeEvents.id, ids), inArray(stripeEvents.status, ['parked', 'failed', 'pending'])));
  for (const p of parked) {
    report.unlinkable.push({ kind: 'event', stripeId: p.id, reason: p.lastError ?? 'not applied yet' });
  }
  // A payment row is reached both from its payment intent and its charge: report it once, as a payment.
  const reported = new Set<string>();
  for (const r of recovered.values()) {
    const after = await loadMirrorRow(deps.db, r.kind, r.stripeId);
    const rowKey = `${r.kind === 'charge' ? 'payment_intent' : r.kind}:${String(after?.id ?? r.stripeId)}`;
    if (reported.has(rowKey)) continue;
    reported.add(rowKey);
    const changes = diffRows(r.before, after);
    if (changes.length === 0) continue;
    const entry: DriftEntry = {
      kind: r.kind === 'charge' || r.kind === 'payment_intent' ? 'payment' : r.kind,
      stripeId: r.stripeId,
      via: 'event',
      action: r.before ? 'updated' : 'inserted',
      changes,
      eventIds: r.eventIds,
    };
    await deps.db.transaction(async (tx) => audit(tx, entry, r.before, after));
    report.corrections.push(entry);
  }
}

const PASS_KIND: Record<Exclude<SyncPass, 'events'>, MirrorKind> = {
  customers: 'customer',
  subscriptions: 'subscription',
  invoices: 'invoice',
};

/** PostgreSQL's deadlock_detected and serialization_failure: the page's transaction may simply run again. */
const isRetryableTxError = (e: unknown): boolean => {
  const code =
    (e as { code?: unknown; cause?: { code?: unknown } } | null)?.code ??
    (e as { cause?: { code?: unknown } } | null)?.cause?.code;
  return code === '40P01' || code === '40001';
};

/** The customer an object belongs to (a customer is its own): a page is split by it between the writers. */
function customerOf(pass: Exclude<SyncPass, 'events'>, obj: Listed): string {
  if (pass === 'customers') return obj.id;
  const c = (obj as Listed & { customer?: string | { id: string } | null }).customer;
  return (typeof c === 'string' ? c : c?.id) ?? obj.id;
}

/**
 * Applies one listed page: its objects split by customer into `writers` groups, each group one transaction on its
 * own connection (each object behind a savepoint: one that cannot be linked yet is rolled back alone and reported),
 * then the cursor past the page. The groups commit asynchronously (synchronous_commit off, as the dispatcher's
 * batches) and the cursor synchronously after them: WAL is flushed in order, so a durable cursor means a durable
 * page; a crash before it loses at most the page's writes, and the resumed run writes the page again (every write
 * is version-guarded; an unchanged row is no correction). A deadlock with a concurrent webhook batch (both lock
 * customers) reruns that group; what a group reports counts only once it committed.
 */
async function applyPage(
  deps: Deps,
  pass: Exclude<SyncPass, 'events'>,
  objects: Listed[],
  fetchedAt: Date,
  runId: string,
  audit: AuditRepair,
  request: <T>(call: () => Promise<T>) => Promise<T>,
  saveCursor: (tx: Tx) => Promise<unknown>,
  writers: number,
): Promise<{ corrections: DriftEntry[]; unlinkable: SyncReport['unlinkable'] }> {
  const groups = new Map<number, Listed[]>();
  for (const obj of objects) {
    const g =
      writers <= 1
        ? 0
        : crypto.createHash('sha1').update(customerOf(pass, obj)).digest().readUInt32BE(0) % writers;
    const group = groups.get(g);
    if (group) group.push(obj);
    else groups.set(g, [obj]);
  }
  const applyGroup = async (group: Listed[]) => {
    for (let attempt = 0; ; attempt++) {
      const out = { corrections: [] as DriftEntry[], unlinkable: [] as SyncReport['unlinkable'] };
      try {
        await deps.db.transaction(async (tx) => {
          await tx.execute(sql`SET LOCAL synchronous_commit = off`);
          for (const obj of group)
            await applyObject(deps, tx, pass, obj, fetchedAt, runId, out, audit, request);
        });
        return out;
      } catch (e) {
        if (!isRetryableTxError(e) || attempt >= 3) throw e;
        deps.logger.warn({ runId, pass, attempt }, 'sync page rolled back by a deadlock: applying it again');
      }
    }
  };
  const outs = await Promise.all([...groups.values()].map(applyGroup));
  await deps.db.transaction(async (tx) => saveCursor(tx));
  return {
    corrections: outs.flatMap((o) => o.corrections),
    unlinkable: outs.flatMap((o) => o.unlinkable),
  };
}

async function applyObject(
  deps: Deps,
  pageTx: Tx,
  pass: Exclude<SyncPass, 'events'>,
  obj: Listed,
  fetchedAt: Date,
  runId: string,
  out: { corrections: DriftEntry[]; unlinkable: SyncReport['unlinkable'] },
  audit: AuditRepair,
  request: <T>(call: () => Promise<T>) => Promise<T>,
) {
  const kind = PASS_KIND[pass];
  // Discounts listed without their coupon are fetched (through the rate budget) only when needed.
  const resolveDiscounts = async (subscriptionId: string) => {
    const s = await request(() =>
      deps.stripe.subscriptions.retrieve(subscriptionId, { expand: ['discounts'] }),
    );
    return (s.discounts ?? []).filter((d): d is Stripe.Discount => typeof d === 'object');
  };
  try {
    // A savepoint: an object that fails is undone alone, the rest of its page commits.
    await pageTx.transaction(async (tx) => {
      const before = await loadMirrorRow(tx, kind, obj.id);
      if (before && new Date(String(before.updated_at)) >= fetchedAt) return; // changed since we listed: newer
      const rowVersion = before ? new Date(String(before.stripe_version_at)) : null;
      const created = fromUnix(obj.created);
      const versionAt =
        rowVersion && rowVersion.getTime() + 1 > created.getTime()
          ? new Date(rowVersion.getTime() + 1)
          : created;
      let outcome: string;
      if (pass === 'customers') {
        const r = await upsertCustomer(tx, obj as unknown as Stripe.Customer, versionAt, null);
        // A link found here recomputes the roles of the users it names in this transaction, the run as the cause.
        if (r.linked)
          await recomputeLinkedRoles(tx, r.linked, {
            cause: { kind: 'job', job: 'billing.reconcile', reconcileRunId: runId },
            now: deps.clock.now(),
            defaultGraceDays: deps.config.graceDays,
          });
        outcome = r.outcome;
      } else if (pass === 'subscriptions') {
        outcome = (
          await upsertSubscription(tx, obj as unknown as Stripe.Subscription, versionAt, null, {
            causeId: `sync:${runId}`,
            resolveDiscounts,
          })
        ).outcome;
      } else {
        outcome = (await upsertInvoice(tx, obj as unknown as Stripe.Invoice, versionAt, null)).outcome;
      }
      if (outcome !== 'inserted' && outcome !== 'updated') return;
      const after = await loadMirrorRow(tx, kind, obj.id);
      const changes = diffRows(before, after);
      if (changes.length === 0) return;
      const entry: DriftEntry = { kind, stripeId: obj.id, via: 'object', action: outcome, changes };
      await audit(tx, entry, before, after);
      out.corrections.push(entry);
    });
  } catch (e) {
    if (!(e instanceof NotLinkableError)) throw e;
    out.unlinkable.push({ kind, stripeId: obj.id, reason: `${e.reason}: ${e.subject}` });
  }
}

/** The run's corrections, from its audit rows (so a resumed run reports what its earlier part repaired too). */
async function correctionsOf(deps: Pick<Deps, 'db'>, runId: string): Promise<DriftEntry[]> {
  const rows = await deps.db
    .select({
      subjectType: auditLog.subjectType,
      subjectId: auditLog.subjectId,
      before: auditLog.before,
      after: auditLog.after,
      cause: auditLog.cause,
    })
    .from(auditLog)
    .where(and(eq(auditLog.action, 'sync.repaired'), sql`${auditLog.cause}->>'syncRunId' = ${runId}`))
    .orderBy(auditLog.id);
  return rows.map((r) => {
    const cause = r.cause as { via: 'event' | 'object'; action: 'inserted' | 'updated'; eventIds?: string[] };
    const before = (r.before ?? {}) as Record<string, unknown>;
    const after = (r.after ?? {}) as Record<string, unknown>;
    return {
      kind: r.subjectType as MirrorKind,
      stripeId: r.subjectId,
      via: cause.via,
      action: cause.action,
      changes: Object.keys(after).map((field) => ({
        field,
        before: before[field] ?? null,
        after: after[field],
      })),
      ...(cause.eventIds ? { eventIds: cause.eventIds } : {}),
    };
  });
}
