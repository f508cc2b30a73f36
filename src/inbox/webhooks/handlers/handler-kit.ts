/**
 * Shared by the event handlers: the one audit row per event that changed
 * something (written LAST in the transaction: it holds the audit chain's head lock until commit), and the
 * handler's outcome from the mirror results.
 */
import type Stripe from 'stripe';
import { appendAudit } from '../../../audit/append-audit.js';
import type { MirrorResult } from '../../../billing/customers/customers.repo.js';
import type { EventContext, HandlerResult } from '../types.js';

const OMIT = new Set([
  'updatedAt',
  'metadata',
  'lines',
  'stripeVersionAt',
  'stripeEventId',
  'intentVersionAt',
  'intentEventId',
  'chargeVersionAt',
  'chargeEventId',
]);

/** A row as it goes into the audit log: without bookkeeping columns and bulky payload copies. */
export function snapshot(row: object | null | undefined): Record<string, unknown> | null {
  if (!row) return null;
  return Object.fromEntries(Object.entries(row).filter(([k]) => !OMIT.has(k)));
}

export interface AuditSubject {
  subjectType: string;
  subjectId: string;
  before: object | null;
  after: object | null;
  extra?: Record<string, unknown>;
}

/** Writes the event's one audit row. Call it last, and only when something changed. */
export async function auditEvent(ctx: EventContext, s: AuditSubject): Promise<void> {
  await appendAudit(ctx.tx, {
    actorType: 'stripe',
    actorId: ctx.event.id,
    action: ctx.event.type,
    subjectType: s.subjectType,
    subjectId: s.subjectId,
    before: snapshot(s.before),
    after: snapshot(s.after),
    cause: { eventId: ctx.event.id, type: ctx.event.type, ...(s.extra ?? {}) },
  });
}

export const isChange = (r: MirrorResult<unknown>) => r.outcome === 'inserted' || r.outcome === 'updated';

/**
 * Outcome from a mirror result: `applied` when the row took the event (even if its content was already equal —
 * an own-write echo), `stale` when the row is newer.
 */
export function outcomeOf(r: MirrorResult<unknown>, note?: string): HandlerResult {
  if (r.outcome === 'stale') return { outcome: 'stale', note: note ?? 'row is newer than the event' };
  return note ? { outcome: 'applied', note } : { outcome: 'applied' };
}

/** Applies a single-object mirror and audits it if it changed. */
export async function mirrorAndAudit<R extends MirrorResult<object>>(
  ctx: EventContext,
  subjectType: string,
  subjectId: string,
  r: R,
  extra?: Record<string, unknown>,
): Promise<HandlerResult> {
  if (isChange(r))
    await auditEvent(ctx, {
      subjectType,
      subjectId,
      before: r.before,
      after: r.row,
      ...(extra ? { extra } : {}),
    });
  return outcomeOf(r);
}

/**
 * A handler for several event types of one family. (Typed apart from `Handler<T>` on purpose: TypeScript measures
 * `Handler<T>` as invariant in T, so a family handler is checked structurally against each `Handler<T>` instead.)
 */
export type FamilyHandler<T extends Stripe.Event.Type> = (
  ctx: EventContext<Extract<Stripe.Event, { type: T }>>,
) => Promise<HandlerResult>;
