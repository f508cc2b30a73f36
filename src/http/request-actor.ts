/** The operation actor of an HTTP request (after requireUser/requireAdmin set `request.actor`). */
import type { FastifyRequest } from 'fastify';
import { auditActor } from './guards.js';
import type { Actor } from '../billing/operations/actor.js';

const CLIENT_KEY = /^[\x21-\x7e]{8,100}$/;

/**
 * A client that retries a request sends the same `Idempotency-Key` header; it is scoped to the actor, so one
 * admin's key can never replay another's operation. Without it each request is its own operation.
 */
export function requestActor(request: FastifyRequest): Actor {
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
