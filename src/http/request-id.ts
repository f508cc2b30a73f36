/** Request ids: an incoming `x-request-id` is honoured when it looks like an id, otherwise a UUID is generated. */
import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const ACCEPTABLE = /^[A-Za-z0-9._:-]{1,128}$/;

export function genRequestId(req: IncomingMessage): string {
  const h = req.headers['x-request-id'];
  const v = Array.isArray(h) ? h[0] : h;
  return v && ACCEPTABLE.test(v) ? v : crypto.randomUUID();
}

const SECRET_QUERY = /([?&](?:token|code|state|password|secret|key|api_key|session)=)[^&#]*/gi;

/** A URL fit for a log line: values of token-like query parameters are masked. */
export function safeUrl(url: string): string {
  return url.replace(SECRET_QUERY, '$1[redacted]');
}
