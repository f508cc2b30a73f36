/**
 * The one place that reads `process.env`. Every variable is validated at start; a bad value stops the
 * start with a message naming the variable (see README "Configuration").
 */
import { z } from 'zod';

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const intFrom = (def: number, min: number, max: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return def;
      if (!/^-?\d+$/.test(v)) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number, got "${v}"` });
        return z.NEVER;
      }
      const n = Number(v);
      if (n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be between ${min} and ${max}, got ${n}` });
        return z.NEVER;
      }
      return n;
    });

const url = (protocols: string[]) =>
  optionalString.refine(
    (v) => {
      if (v === undefined) return true;
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL (${protocols.join(' or ')})` },
  );

const list = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  );

/**
 * The shortest payload retention allowed: Stripe retries a delivery for 3 days and its events API — reconciliation's
 * events pass (`sertantai sync --since 30d`) — lists 30 days, so no event older than 30 days arrives again. Payloads
 * are needed while an event may still be compared with a new one (tie-evidence.ts); see docs/SCALING.md.
 */
export const MIN_EVENT_PAYLOAD_RETENTION_DAYS = 31;

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    DATABASE_URL: url(['postgres:', 'postgresql:']),
    DATABASE_REPLICA_URL: url(['postgres:', 'postgresql:']),
    DATABASE_POOL_MAX: intFrom(20, 2, 500),
    DATA_DIR: z.string().default('.data'),
    HOST: z.string().default('127.0.0.1'),
    PORT: intFrom(3000, 0, 65535),
    // A worker process's /metrics, /healthz and /readyz (it serves no other HTTP); unset: none (-1 is "unset")
    METRICS_PORT: intFrom(-1, 0, 65535),
    APP_URL: url(['http:', 'https:']),
    AUTH_SECRET: optionalString.refine((v) => v === undefined || v.length >= 32, {
      message: 'must be at least 32 characters',
    }),
    STRIPE_SECRET_KEY: optionalString.refine((v) => v === undefined || /^(sk|rk)_(test|live)_/.test(v), {
      message: 'must start with sk_test_, sk_live_, rk_test_ or rk_live_',
    }),
    STRIPE_WEBHOOK_SECRET: list.refine((l) => l.every((s) => s.startsWith('whsec_')), {
      message: 'must be a comma-separated list of secrets starting with whsec_',
    }),
    /** Where the Stripe SDK sends requests; unset means api.stripe.com. Set to the sandbox's URL by `npm start`. */
    STRIPE_API_URL: url(['http:', 'https:']),
    STRIPE_RATE_BUDGET: intFrom(80, 1, 10000),
    GRACE_DAYS: intFrom(7, 0, 90),
    // Days a done Stripe event keeps its payload (0: forever); at least 31, past what Stripe can still send again
    EVENT_PAYLOAD_RETENTION_DAYS: intFrom(90, 0, 36500),
    WEBHOOK_WORKERS: intFrom(4, 1, 64),
    JOBS: list,
    DEMO_HISTORY: intFrom(60, 0, 5000),
    WEBHOOK_YIELD_TO_INGEST: z
      .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
      .optional()
      .transform((v) => v === undefined || v === 'true' || v === '1'),
    BOOTSTRAP_ADMIN_EMAIL: optionalString.refine((v) => v === undefined || z.email().safeParse(v).success, {
      message: 'must be an email address',
    }),
    BOOTSTRAP_ADMIN_PASSWORD: optionalString.refine((v) => v === undefined || v.length >= 10, {
      message: 'must be at least 10 characters',
    }),
    ADMIN_API_KEYS: list.refine((l) => l.every((k) => k.length >= 24), {
      message: 'each key must be at least 24 characters',
    }),
    SMTP_URL: url(['smtp:', 'smtps:']),
    SMTP_FROM: z.string().default('Sertantai Billing <billing@localhost>'),
    GOOGLE_CLIENT_ID: optionalString,
    GOOGLE_CLIENT_SECRET: optionalString,
    GITHUB_CLIENT_ID: optionalString,
    GITHUB_CLIENT_SECRET: optionalString,
    MICROSOFT_CLIENT_ID: optionalString,
    MICROSOFT_CLIENT_SECRET: optionalString,
    MICROSOFT_TENANT_ID: optionalString,
    LINKEDIN_CLIENT_ID: optionalString,
    LINKEDIN_CLIENT_SECRET: optionalString,
    OKTA_CLIENT_ID: optionalString,
    OKTA_CLIENT_SECRET: optionalString,
    OKTA_ISSUER: url(['http:', 'https:']),
    AIRTABLE_CLIENT_ID: optionalString,
    AIRTABLE_CLIENT_SECRET: optionalString,
  })
  .superRefine((env, ctx) => {
    if ((env.BOOTSTRAP_ADMIN_EMAIL === undefined) !== (env.BOOTSTRAP_ADMIN_PASSWORD === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['BOOTSTRAP_ADMIN_PASSWORD'],
        message: 'BOOTSTRAP_ADMIN_EMAIL and BOOTSTRAP_ADMIN_PASSWORD must be set together',
      });
    }
    const retention = env.EVENT_PAYLOAD_RETENTION_DAYS;
    if (retention > 0 && retention < MIN_EVENT_PAYLOAD_RETENTION_DAYS) {
      ctx.addIssue({
        code: 'custom',
        path: ['EVENT_PAYLOAD_RETENTION_DAYS'],
        message: `must be 0 (keep every payload) or at least ${MIN_EVENT_PAYLOAD_RETENTION_DAYS} days, got ${retention}`,
      });
    }
    if (env.OKTA_CLIENT_ID !== undefined && env.OKTA_ISSUER === undefined) {
      ctx.addIssue({ code: 'custom', path: ['OKTA_ISSUER'], message: 'required when OKTA_CLIENT_ID is set' });
    }
  });

type Env = z.infer<typeof envSchema>;

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
}

export interface Config {
  env: Env['NODE_ENV'];
  logLevel: Env['LOG_LEVEL'];
  databaseUrl: string | undefined;
  databaseReplicaUrl: string | undefined;
  /** Connections of each pool of this process (the primary's; a replica's is the same size). */
  databasePoolMax: number;
  dataDir: string;
  host: string;
  port: number;
  /** `--role worker` only: the port of its metrics and health endpoints (0: any free one), or null for none. */
  metricsPort: number | null;
  appUrl: string | undefined;
  authSecret: string | undefined;
  stripe: {
    secretKey: string | undefined;
    webhookSecrets: string[];
    apiUrl: string | undefined;
    rateBudget: number;
    livemode: boolean;
  };
  graceDays: number;
  /** Days a done Stripe event keeps its payload before inbox.prune-event-payloads drops it (0: forever). */
  eventPayloadRetentionDays: number;
  /** The webhook event dispatcher of a worker process. */
  webhooks: { workers: number; yieldToIngest: boolean };
  /** The background jobs a worker process runs: every registered one, none, or these names (src/jobs/registry.ts). */
  jobs: 'all' | string[];
  /** Customers of demo history `sertantai start` makes on a new database outside production (0: none). */
  demoHistory: number;
  bootstrapAdmin: { email: string; password: string } | undefined;
  adminApiKeys: string[];
  smtp: { url: string | undefined; from: string };
  oauth: {
    google?: OAuthClient;
    github?: OAuthClient;
    microsoft?: OAuthClient & { tenantId: string };
    linkedin?: OAuthClient;
    okta?: OAuthClient & { issuer: string };
    airtable?: OAuthClient;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super('Invalid configuration:\n' + problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n'));
    this.name = 'ConfigError';
  }
}

function pair(env: Record<string, string | undefined>, prefix: string): OAuthClient | undefined {
  const clientId = env[`${prefix}_CLIENT_ID`];
  const clientSecret = env[`${prefix}_CLIENT_SECRET`];
  return clientId && clientSecret ? { clientId, clientSecret } : undefined;
}

/** Parses an environment (default `process.env`) into a typed Config, or throws ConfigError naming each bad variable. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? '(env)'), message: i.message })),
    );
  }
  const e = parsed.data;
  const raw = e as unknown as Record<string, string | undefined>;
  const oauth: Config['oauth'] = {};
  const google = pair(raw, 'GOOGLE');
  if (google) oauth.google = google;
  const github = pair(raw, 'GITHUB');
  if (github) oauth.github = github;
  const microsoft = pair(raw, 'MICROSOFT');
  if (microsoft) oauth.microsoft = { ...microsoft, tenantId: e.MICROSOFT_TENANT_ID ?? 'common' };
  const linkedin = pair(raw, 'LINKEDIN');
  if (linkedin) oauth.linkedin = linkedin;
  const okta = pair(raw, 'OKTA');
  if (okta && e.OKTA_ISSUER) oauth.okta = { ...okta, issuer: e.OKTA_ISSUER };
  const airtable = pair(raw, 'AIRTABLE');
  if (airtable) oauth.airtable = airtable;

  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    databaseUrl: e.DATABASE_URL,
    databaseReplicaUrl: e.DATABASE_REPLICA_URL,
    databasePoolMax: e.DATABASE_POOL_MAX,
    dataDir: e.DATA_DIR,
    host: e.HOST,
    port: e.PORT,
    metricsPort: e.METRICS_PORT < 0 ? null : e.METRICS_PORT,
    appUrl: e.APP_URL,
    authSecret: e.AUTH_SECRET,
    stripe: {
      secretKey: e.STRIPE_SECRET_KEY,
      webhookSecrets: e.STRIPE_WEBHOOK_SECRET,
      apiUrl: e.STRIPE_API_URL,
      rateBudget: e.STRIPE_RATE_BUDGET,
      livemode: e.STRIPE_SECRET_KEY !== undefined && /_live_/.test(e.STRIPE_SECRET_KEY),
    },
    graceDays: e.GRACE_DAYS,
    eventPayloadRetentionDays: e.EVENT_PAYLOAD_RETENTION_DAYS,
    webhooks: { workers: e.WEBHOOK_WORKERS, yieldToIngest: e.WEBHOOK_YIELD_TO_INGEST },
    demoHistory: e.DEMO_HISTORY,
    jobs:
      e.JOBS.length === 0 || (e.JOBS.length === 1 && e.JOBS[0] === 'all')
        ? 'all'
        : e.JOBS.filter((j) => j !== 'none'),
    bootstrapAdmin:
      e.BOOTSTRAP_ADMIN_EMAIL && e.BOOTSTRAP_ADMIN_PASSWORD
        ? { email: e.BOOTSTRAP_ADMIN_EMAIL, password: e.BOOTSTRAP_ADMIN_PASSWORD }
        : undefined,
    adminApiKeys: e.ADMIN_API_KEYS,
    smtp: { url: e.SMTP_URL, from: e.SMTP_FROM },
    oauth,
  };
}
