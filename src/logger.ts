/**
 * Structured logs (pino). Secrets never reach a log line: headers, cookies, passwords, tokens and Stripe
 * keys are redacted by path, and `scrub` masks key-shaped strings in free text.
 */
import { pino, stdSerializers, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["stripe-signature"]',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  '*.password',
  '*.newPassword',
  '*.currentPassword',
  '*.token',
  '*.secret',
  '*.apiKey',
  '*.secretKey',
  '*.webhookSecret',
  'password',
  'token',
  'secret',
];

const SECRET_PATTERN =
  /\b(sk|rk)_(test|live)_[A-Za-z0-9]+|\bwhsec_[A-Za-z0-9+/=_-]+|\bBearer\s+[A-Za-z0-9._~+/=-]+/g;

/**
 * Masks Stripe keys, webhook secrets and bearer tokens inside free text (error messages, URLs). Only the kind is
 * kept (`sk[redacted]`, `whsec[redacted]`, `Bearer [redacted]`): no `sk_`/`whsec_` prefix survives, so the test
 * suite's log scan can treat any `sk_`/`whsec_` in a log line as a leak.
 */
export function scrub(text: string): string {
  return text.replace(
    SECRET_PATTERN,
    (m) => (m.startsWith('Bearer') ? 'Bearer ' : m.slice(0, m.indexOf('_'))) + '[redacted]',
  );
}

export function createLogger(
  opts: { level?: string; destination?: NodeJS.WritableStream; name?: string } = {},
): Logger {
  const options: LoggerOptions = {
    level: opts.level ?? 'info',
    name: opts.name ?? 'sertantai',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    hooks: {
      logMethod(args, method) {
        // Strings anywhere in the call are scrubbed; objects go through redact paths.
        const cleaned = args.map((a) => (typeof a === 'string' ? scrub(a) : a));
        return method.apply(this, cleaned as Parameters<typeof method>);
      },
    },
    serializers: {
      err: (e: unknown) => {
        const s = stdSerializers.err(e as Error);
        return { ...s, message: scrub(s.message ?? ''), stack: s.stack ? scrub(s.stack) : undefined };
      },
    },
  };
  return opts.destination ? pino(options, opts.destination as DestinationStream) : pino(options);
}
