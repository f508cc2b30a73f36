/**
 * What the HTTP edge hands the domain route plugins it registers (src/http/app.ts). The edge registers each
 * domain's routes inside a guarded context — the `/api/admin` context behind the admin guard, the signed-in user's
 * API behind the user guard — so a guard has authenticated the request before any handler runs; the handler asks
 * this context who that is, and imports nothing from src/http/. Type-only: the one implementation is
 * `routeContext` in src/http/request-actor.ts.
 */
import type { FastifyRequest } from 'fastify';
import type { Actor } from './billing/operations/actor.js';

/** An operation actor that a guard authenticated: a user's session or an admin API key. */
export type RequestActor = Actor & { type: 'user' | 'api_key'; id: string };

/** The signed-in user of a request in the user context. */
export interface SignedInUser {
  userId: string;
  sessionId: string;
}

export interface RouteContext {
  /**
   * Who asks, as an operation actor: the audit row's actor, the request id, and the operation id (the client's
   * `Idempotency-Key` scoped to the actor, else the request id). 401 when no guard authenticated the request.
   */
  actorOf(request: FastifyRequest): RequestActor;
  /** The signed-in user (401 for an API key or an unauthenticated request). */
  userOf(request: FastifyRequest): SignedInUser;
}
