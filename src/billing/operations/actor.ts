/** Who asked for an operation: recorded in its audit row, and the request id feeds its Stripe idempotency key. */
import type { AuditActorType } from '../../audit/audit.tables.js';

export interface Actor {
  type: AuditActorType;
  id: string | null;
  /** The HTTP request id (or the client's Idempotency-Key header, or a job id): a retry of the same request reuses it. */
  requestId: string;
}

export const systemActor = (requestId: string): Actor => ({ type: 'system', id: null, requestId });
