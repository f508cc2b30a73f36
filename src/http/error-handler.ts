/**
 * The one error handler: every error leaves as `{ "error": { "code", "message", "requestId" } }`.
 * AppError keeps its code and status; zod and schema-validation errors are 422 `invalid_request`; Fastify's own
 * 4xx keep their status with a stable code; a lost database is 503 `unavailable`; anything else is a bare 500
 * whose body says nothing internal (the log line has the details, scrubbed).
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { AppError } from '../errors.js';

export interface ErrorBody {
  error: { code: string; message: string; requestId: string; details?: unknown };
}

export function errorBody(
  request: FastifyRequest,
  code: string,
  message: string,
  details?: unknown,
): ErrorBody {
  const error: ErrorBody['error'] = { code, message, requestId: String(request.id) };
  if (details !== undefined) error.details = details;
  return { error };
}

const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_TYPE: 'bad_request',
};

const DB_UNAVAILABLE_SQLSTATE = /^(08|57P0[1-3]|53300)/;

function isDatabaseUnavailable(e: unknown): boolean {
  const err = e as { code?: unknown; message?: unknown; cause?: unknown };
  const code = typeof err?.code === 'string' ? err.code : '';
  const msg = typeof err?.message === 'string' ? err.message : '';
  if (DB_UNAVAILABLE_SQLSTATE.test(code) || code === 'ECONNREFUSED' || code === 'ECONNRESET') return true;
  if (
    /timeout exceeded when trying to connect|Connection terminated|the database system is (starting|shutting) up/.test(
      msg,
    )
  ) {
    return true;
  }
  return err?.cause !== undefined && err.cause !== e ? isDatabaseUnavailable(err.cause) : false;
}

function zodDetails(e: ZodError) {
  return e.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

export function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof AppError) {
    if (error.status >= 500) request.log.error({ err: error }, 'request failed');
    return reply.status(error.status).send(errorBody(request, error.code, error.message, error.details));
  }
  if (error instanceof ZodError) {
    return reply
      .status(422)
      .send(errorBody(request, 'invalid_request', 'The request is not valid', zodDetails(error)));
  }
  const fe = error as Partial<FastifyError>;
  if (fe.validation) {
    return reply
      .status(422)
      .send(errorBody(request, 'invalid_request', fe.message ?? 'The request is not valid'));
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const code =
      (fe.code && FASTIFY_CODES[fe.code]) ?? (fe.statusCode === 429 ? 'rate_limited' : 'bad_request');
    // Fastify's 4xx messages are about the request (body too large, bad JSON), never about our internals.
    return reply.status(fe.statusCode).send(errorBody(request, code, fe.message ?? 'Bad request'));
  }
  if (isDatabaseUnavailable(error)) {
    request.log.error({ err: error }, 'database unavailable');
    return reply
      .status(503)
      .header('retry-after', '5')
      .send(errorBody(request, 'unavailable', 'The service is temporarily unavailable, try again shortly'));
  }
  request.log.error({ err: error }, 'unhandled error');
  return reply.status(500).send(errorBody(request, 'internal_error', 'Something went wrong'));
}
