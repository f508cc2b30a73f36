/** Who asked for an operation: recorded in its audit row; `operationId` feeds its Stripe idempotency key. */
import type { AuditActorType } from '../../audit/audit.tables.js';

export interface Actor {
  type: AuditActorType;
  id: string | null;
  /** The HTTP request id (or job id) for the audit row. */
  requestId: string;
  /** What makes a retry "the same operation": the client's Idempotency-Key header when sent, else the request id. */
  operationId: string;
}

export const systemActor = (requestId: string): Actor => ({
  type: 'system',
  id: null,
  requestId,
  operationId: requestId,
});
