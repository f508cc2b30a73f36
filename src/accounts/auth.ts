/**
 * better-auth, configured once from Config: email + password, sessions in PostgreSQL (our hand-written tables
 * through the Drizzle adapter), and every OAuth/OIDC provider whose credentials are configured.
 * Role is never an input: `role` and `signupProvider` are `input: false`, and the create hook forces
 * `role = 'member'` for every user created through an auth endpoint.
 */
import crypto from 'node:crypto';
import { betterAuth, type BetterAuthOptions } from 'better-auth';
import { APIError } from 'better-auth/api';
import { drizzleAdapter } from 'better-auth/adapters/drizzle';
import { genericOAuth, okta, type GenericOAuthConfig } from 'better-auth/plugins';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import { accounts, sessions, users, verifications } from './accounts.tables.js';
import { PASSWORD_MAX, PASSWORD_MIN } from './password-policy.js';
import { EMAIL_LINK_TTL_SECONDS } from './email-links/email-links.repo.js';
import type { AccountEmail } from './email-links/send-account-email.js';

export { SIGNUP_PROVIDERS } from './signup-providers.js';
export const SESSION_COOKIE_PREFIX = 'sertantai';

/** The origin the app is reached at (APP_URL, else the listen address). */
export function appOrigin(config: Pick<Config, 'appUrl' | 'host' | 'port'>): string {
  if (config.appUrl) return new URL(config.appUrl).origin;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return `http://${host}:${config.port}`;
}

/** Origins accepted for cookie-authenticated state changes (APP_URL's, plus localhost/127.0.0.1 twins). */
export function trustedOrigins(config: Pick<Config, 'appUrl' | 'host' | 'port'>): string[] {
  const origin = appOrigin(config);
  const u = new URL(origin);
  const out = new Set([origin]);
  if (u.hostname === '127.0.0.1') out.add(origin.replace('127.0.0.1', 'localhost'));
  if (u.hostname === 'localhost') out.add(origin.replace('localhost', '127.0.0.1'));
  return [...out];
}

type Profile = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** Company and job title where a provider's profile carries them (GitHub `company`; OIDC custom claims). */
function orgFields(profile: object): { company?: string; jobTitle?: string } {
  const p = profile as Profile;
  const out: { company?: string; jobTitle?: string } = {};
  const company = str(p.company) ?? str(p.organization) ?? str(p.org);
  const jobTitle = str(p.job_title) ?? str(p.jobTitle) ?? str(p.title);
  if (company) out.company = company.replace(/^@/, '');
  if (jobTitle) out.jobTitle = jobTitle;
  return out;
}

/** Which provider an auth endpoint is acting for: `/sign-up/email`, or `/callback/:id` (social and generic OAuth). */
export function providerOf(
  ctx: { path?: string; params?: Record<string, unknown> } | null | undefined,
): string {
  if (!ctx?.path) return 'email';
  const id = str(ctx.params?.id) ?? str(ctx.params?.providerId);
  if (ctx.path.startsWith('/callback/') || ctx.path.startsWith('/oauth2/callback/')) return id ?? 'oauth';
  return 'email';
}

/** A user who may own a Stripe customer waiting for them appeared (created, or their email verified). */
export type UserAppeared = (
  user: { id: string; email: string | null; emailVerified: boolean },
  by: 'user.created' | 'user.email_verified',
) => Promise<unknown>;

/** The new address a change-of-address verification token carries (better-auth's own signed JWT), if any. */
function changeOfAddress(token: string): string | undefined {
  try {
    const payload = JSON.parse(
      Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'),
    ) as Profile;
    return payload.requestType === 'change-email-verification' ? str(payload.updateTo) : undefined;
  } catch {
    return undefined;
  }
}

export function createAuth(opts: {
  config: Config;
  db: Db;
  logger: Logger;
  secret: string;
  /** Called after a user is created or verifies their email (the app links a waiting Stripe customer). */
  onUserAppeared?: UserAppeared;
  /** Sends an account email (verification, change of address, password reset); without it none can be sent. */
  sendAccountEmail?: (mail: AccountEmail) => Promise<void>;
  /** Someone signed up with an address that has an account: tell its owner (the sign-up answers as for a new one). */
  onExistingUserSignUp?: (user: { id: string; email: string; name: string | null }) => Promise<void>;
}) {
  const { config, db, logger } = opts;
  // A failure to link a waiting customer never fails the sign-up: it is logged, and the link is made by the next
  // appearance (verification, a later sign-in's update) or by an admin.
  const userAppeared = async (...[user, by]: Parameters<UserAppeared>) => {
    if (!opts.onUserAppeared) return;
    try {
      await opts.onUserAppeared({ id: user.id, email: user.email, emailVerified: user.emailVerified }, by);
    } catch (e) {
      logger.error({ err: e, userId: user.id, by }, 'linking a waiting Stripe customer failed');
    }
  };
  const o = config.oauth;
  const socialProviders: NonNullable<BetterAuthOptions['socialProviders']> = {};
  if (o.google) socialProviders.google = { ...o.google, mapProfileToUser: (p) => orgFields(p) };
  if (o.github) socialProviders.github = { ...o.github, mapProfileToUser: (p) => orgFields(p) };
  if (o.microsoft) {
    socialProviders.microsoft = {
      clientId: o.microsoft.clientId,
      clientSecret: o.microsoft.clientSecret,
      tenantId: o.microsoft.tenantId,
      mapProfileToUser: (p) => orgFields(p),
    };
  }
  if (o.linkedin) socialProviders.linkedin = { ...o.linkedin };

  const generic: GenericOAuthConfig[] = [];
  if (o.okta) {
    generic.push({
      ...okta({
        clientId: o.okta.clientId,
        clientSecret: o.okta.clientSecret,
        issuer: o.okta.issuer,
        pkce: true,
      }),
      mapProfileToUser: (p) => orgFields(p),
    });
  }
  if (o.airtable) {
    generic.push({
      providerId: 'airtable',
      clientId: o.airtable.clientId,
      clientSecret: o.airtable.clientSecret,
      authorizationUrl: 'https://airtable.com/oauth2/v1/authorize',
      tokenUrl: 'https://airtable.com/oauth2/v1/token',
      scopes: ['user.email:read'],
      pkce: true,
      authentication: 'basic',
      async getUserInfo(tokens) {
        const res = await fetch('https://api.airtable.com/v0/meta/whoami', {
          headers: { authorization: `Bearer ${tokens.accessToken}` },
        });
        if (!res.ok) return null;
        const me = (await res.json()) as { id: string; email?: string };
        if (!me.email) return null;
        // Airtable only returns emails it has verified.
        return { id: me.id, email: me.email, emailVerified: true, name: me.email.split('@')[0] };
      },
    });
  }

  const baseURL = appOrigin(config);
  const send = opts.sendAccountEmail;
  const emailUser = (u: { id: string; email: string; name?: string | null }) => ({
    id: u.id,
    email: u.email,
    name: u.name ?? null,
  });
  return betterAuth({
    appName: 'Sertantai Billing',
    baseURL,
    basePath: '/api/auth',
    secret: opts.secret,
    trustedOrigins: trustedOrigins(config),
    database: drizzleAdapter(db, {
      provider: 'pg',
      schema: { user: users, session: sessions, account: accounts, verification: verifications },
    }),
    user: {
      // A new address takes effect only once its link is followed (better-auth's change-email-verification).
      changeEmail: { enabled: true, updateEmailWithoutVerification: false },
      additionalFields: {
        role: { type: 'string', required: false, input: false, defaultValue: 'member' },
        signupProvider: { type: 'string', required: false, input: false, defaultValue: 'email' },
        company: { type: 'string', required: false, input: true },
        jobTitle: { type: 'string', required: false, input: true },
      },
    },
    emailAndPassword: {
      enabled: true,
      minPasswordLength: PASSWORD_MIN,
      maxPasswordLength: PASSWORD_MAX,
      // No user enumeration on sign-up: a new and a taken address get the same answer and no session (better-auth
      // answers a taken address like a new one when autoSignIn is off; the bridge reduces both to one body). The
      // person signs in once the account exists (verified or not: the verification banner shows until then).
      autoSignIn: false,
      onExistingUserSignUp: async ({ user }) => {
        if (!opts.onExistingUserSignUp) return;
        try {
          await opts.onExistingUserSignUp(emailUser(user));
        } catch (e) {
          // Never fails the sign-up (its answer must not differ): logged, like a failed send.
          logger.error({ err: e, userId: user.id }, 'the sign-up notice to an existing address failed');
        }
      },
      resetPasswordTokenExpiresIn: EMAIL_LINK_TTL_SECONDS.reset_password,
      // A reset signs every session out (whoever knew the old password loses access).
      revokeSessionsOnPasswordReset: true,
      ...(send && {
        sendResetPassword: async ({ user, token }) => {
          await send({ kind: 'reset_password', token, user: emailUser(user) });
        },
      }),
    },
    ...(send && {
      // Until verified a user can sign in, but no Stripe customer is linked to them by email (CUSTOMER-LINKING.md).
      emailVerification: {
        sendOnSignUp: true,
        autoSignInAfterVerification: false,
        expiresIn: EMAIL_LINK_TTL_SECONDS.verify_email,
        sendVerificationEmail: async ({ user, token }) => {
          // A change of address: the token names the new address, and `user.email` already is it.
          const updateTo = changeOfAddress(token);
          const current = updateTo ? { ...user, email: updateTo } : user;
          await send({
            kind: 'verify_email',
            token,
            user: emailUser(current),
            ...(updateTo ? { newEmail: updateTo } : {}),
          });
        },
      },
    }),
    session: {
      expiresIn: 60 * 60 * 24 * 7,
      updateAge: 60 * 60 * 24,
      cookieCache: { enabled: false },
    },
    account: {
      accountLinking: { enabled: true, trustedProviders: ['google', 'github', 'microsoft', 'okta'] },
    },
    // Reset tokens (and OAuth states) are kept as SHA-256 only: a database reader cannot use them.
    verification: { storeIdentifier: 'hashed' },
    socialProviders,
    plugins: generic.length ? [genericOAuth({ config: generic })] : [],
    // Our own PostgreSQL-backed limiter guards /api/auth (src/http/rate-limit.ts); better-auth's is per process.
    rateLimit: { enabled: false },
    advanced: {
      // better-auth skips its Origin/CSRF checks when it detects a test run; keep them on everywhere so the
      // tests exercise what production runs.
      disableOriginCheck: false,
      disableCSRFCheck: false,
      cookiePrefix: SESSION_COOKIE_PREFIX,
      useSecureCookies: baseURL.startsWith('https:'),
      database: { generateId: () => crypto.randomUUID() },
    },
    telemetry: { enabled: false },
    logger: {
      level: 'warn',
      log: (level, message) => {
        logger[level]({ component: 'better-auth' }, message);
      },
    },
    databaseHooks: {
      user: {
        create: {
          // Every user created through an endpoint starts as `member`; the provider is recorded from the path.
          before: async (user, ctx) => ({
            data: { ...user, role: 'member', signupProvider: providerOf(ctx) },
          }),
          after: async (user) => {
            await userAppeared(user, 'user.created');
          },
        },
        update: {
          // Defence in depth behind `input: false`: no endpoint may write the role or the sign-up provider.
          before: async (data, ctx) => {
            if (ctx?.path && ('role' in data || 'signupProvider' in data)) {
              throw new APIError('FORBIDDEN', {
                message: 'role cannot be changed here',
                code: 'ROLE_NOT_ALLOWED',
              });
            }
          },
          after: async (user) => {
            if (user.emailVerified) await userAppeared(user, 'user.email_verified');
          },
        },
      },
    },
  });
}

export type Auth = ReturnType<typeof createAuth>;
