/**
 * The route context the edge hands its domain route plugins (src/route-context.ts): who asks, read from
 * `request.actor` after the context's guard hook (requireAdmin / requireUser) set it.
 */
import type { FastifyRequest } from 'fastify';
import { unauthorized } from '../errors.js';
import type { RequestActor, RouteContext, SignedInUser } from '../route-context.js';
import { auditActor } from './guards.js';

const CLIENT_KEY = /^[\x21-\x7e]{8,100}$/;

/**
 * A client that retries a request sends the same `Idempotency-Key` header; it is scoped to the actor, so one
 * admin's key can never replay another's operation. Without it each request is its own operation.
 */
export function requestActor(request: FastifyRequest): RequestActor {
  const { actorType, actorId } = auditActor(request);
  const header = request.headers['idempotency-key'];
  const clientKey = typeof header === 'string' && CLIENT_KEY.test(header) ? header : undefined;
  const requestId = String(request.id);
  return {
    type: actorType,
    id: actorId,
    requestId,
    operationId: clientKey ? `k:${actorType}:${actorId}:${clientKey}` : requestId,
  };
}

export function signedInUser(request: FastifyRequest): SignedInUser {
  const a = request.actor;
  if (a?.kind !== 'user') throw unauthorized();
  return { userId: a.userId, sessionId: a.sessionId };
}

export const routeContext: RouteContext = { actorOf: requestActor, userOf: signedInUser };
