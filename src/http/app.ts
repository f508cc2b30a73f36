/**
 * The HTTP application, built apart from listen() (tests use `app.inject()`). Cross-cutting concerns live here:
 * request ids, structured logs, security headers, metrics, the one error handler, and the list of domain
 * plugins. Domains add their routes as plugins in the REGISTRATIONS block below; a domain's route file declares its
 * routes (schemas, handlers) and imports nothing from src/http/: the guard is the hook of the context it is
 * registered in, and who asks comes from the `context` it is handed (src/route-context.ts).
 *
 * Content types: only Fastify's default JSON and text parsers are installed at the root, so an encapsulated
 * plugin may replace them for its own routes (the Stripe webhook reads the raw body).
 */
import crypto from 'node:crypto';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';
import cookie from '@fastify/cookie';
import type { Deps } from '../deps.js';
import { appOrigin, createAuth, trustedOrigins, type Auth } from '../accounts/auth.js';
import { sendAccountEmail, sendSignUpNotice } from '../accounts/email-links/send-account-email.js';
import { createSendSoon, type SendSoon } from '../notifications/send-soon.js';
import { errorBody, handleError } from './error-handler.js';
import { requireAdmin, requireUser } from './guards.js';
import { createMetrics, type HttpMetrics } from './metrics.js';
import { registerOpsMetrics } from './ops-metrics.js';
import { genRequestId, safeUrl } from './request-id.js';
import { routeContext as context } from './request-actor.js';
import { authRoutes, DEFAULT_AUTH_LIMITS, type AuthLimits } from './auth.routes.js';
import { healthRoutes } from './health.routes.js';
import { meRoutes, type MeField } from './me.routes.js';
import { pageRoutes } from './page.routes.js';
import { openApiRoutes } from './openapi/openapi.routes.js';
import { adminConsoleRoutes } from './admin-console.routes.js';
import { adminRolesRoutes } from '../accounts/roles/roles.routes.js';
import { adminJobRoutes } from '../jobs/jobs.routes.js';
import { adminDunningRoutes } from '../dunning/dunning.routes.js';
import { adminNotificationRoutes, myNotificationRoutes } from '../notifications/notifications.routes.js';
import { adminAccountsRoutes } from './admin-accounts.routes.js';
import { billingRoutes } from '../billing/billing.routes.js';
import { adminBillingRoutes } from '../billing/admin-billing.routes.js';
import { adminReportRoutes } from '../analytics/reports.routes.js';
import { webhookRoutes } from '../inbox/webhooks/webhook.routes.js';
import { handlers } from '../inbox/webhooks/handlers/index.js';
import { eventsRoutes } from '../inbox/events/events.routes.js';
import { errorsRoutes } from '../billing/errors/errors.routes.js';
import { linkWaitingCustomer } from '../billing/customers/link-waiting-customer.js';
import { waitingCustomerRoles } from '../accounts/roles/operation-roles.js';
import { createLiveHub } from './live/live-hub.js';
import { mySessionRoutes } from '../accounts/sessions/sessions.routes.js';
import { liveRoutes } from './live/live.routes.js';

export interface AppOptions {
  /** Rate limits on /api/auth (defaults: 20 failed logins per address per 15 min, 30 sign-ups per hour). */
  authLimits?: Partial<AuthLimits>;
  /** Trust X-Forwarded-For from a proxy in front (for the client address used by rate limits). */
  trustProxy?: boolean;
  /** Collect process metrics (off in tests that build many apps). */
  defaultMetrics?: boolean;
  bodyLimit?: number;
  /**
   * Deliver account emails (verification, reset, sign-up notice) right after they commit instead of at the sender
   * job's next minute (default true; tests that drive the sender themselves turn it off).
   */
  sendEmailsPromptly?: boolean;
}

/** Shared by guards and routes through `request.server.httpContext`. */
export interface HttpContext {
  deps: Deps;
  auth: Auth;
  /** HMAC secret for CSRF tokens and better-auth cookies. */
  secret: string;
  trustedOrigins: string[];
  metrics: HttpMetrics;
  /** Extra fields of GET /api/me, contributed by domain plugins (see me.routes.ts). */
  meFields: MeField[];
  /** Delivers the outbox now (after a commit whose email someone is waiting for). */
  sendSoon: SendSoon;
}

declare module 'fastify' {
  interface FastifyInstance {
    httpContext: HttpContext;
  }
}

/** The auth secret: AUTH_SECRET, else (development/test only) a random per-process one. */
function authSecret(deps: Deps): string {
  if (deps.config.authSecret) return deps.config.authSecret;
  if (deps.config.env === 'production') {
    throw new Error('AUTH_SECRET is required in production (at least 32 characters)');
  }
  deps.logger.warn('AUTH_SECRET is not set: using a random secret, sessions end when the process stops');
  return crypto.randomBytes(32).toString('base64url');
}

export async function buildApp(deps: Deps, opts: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    genReqId: genRequestId,
    // Fastify's own request/response lines are off: the onResponse hook below writes one line per request.
    logController: new LogController({ requestIdLogLabel: 'requestId', disableRequestLogging: true }),
    trustProxy: opts.trustProxy ?? false,
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true },
  }) as unknown as FastifyInstance;

  const secret = authSecret(deps);
  const live = createLiveHub(deps.database.pool.options, deps.logger);
  app.addHook('onClose', () => live.close());
  const metrics = createMetrics({ defaultMetrics: opts.defaultMetrics ?? true });
  const detachOpsMetrics = registerOpsMetrics(metrics.registry, deps.database.pool, deps.stripe);
  app.addHook('onClose', async () => detachOpsMetrics());
  const sendSoon = createSendSoon(deps);
  app.addHook('onClose', () => sendSoon.close());
  // Called after the email's outbox row committed (the operations commit before they return).
  const promptly = () => {
    if (opts.sendEmailsPromptly ?? true) sendSoon.kick();
  };
  const auth = createAuth({
    config: deps.config,
    db: deps.db,
    logger: deps.logger,
    secret,
    // The edge of a waiting customer's link: billing links and returns it, the role step recomputes in its transaction.
    onUserAppeared: (user, by) => linkWaitingCustomer(deps, user, by, waitingCustomerRoles(deps, by)),
    sendAccountEmail: async (mail) => {
      await sendAccountEmail(deps, appOrigin(deps.config), mail);
      promptly();
    },
    onExistingUserSignUp: async (user) => {
      if (await sendSignUpNotice(deps, appOrigin(deps.config), user)) promptly();
    },
  });
  app.decorate('httpContext', {
    deps,
    auth,
    secret,
    trustedOrigins: trustedOrigins(deps.config),
    metrics,
    meFields: [],
    sendSoon,
  });

  // One log line per request, with the route pattern, status and time; URLs have token-like values masked.
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // The server's own time for the request (browser dev tools and the benchmarks read it; no internals leak).
  app.addHook('onSend', async (_request, reply) => {
    reply.header('server-timing', `app;dur=${reply.elapsedTime.toFixed(1)}`);
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    metrics.requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.duration.observe({ method: request.method, route }, seconds);
    const level = reply.statusCode >= 500 ? 'error' : 'info';
    request.log[level](
      {
        method: request.method,
        url: safeUrl(request.url),
        route,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
        ip: request.ip,
      },
      'request',
    );
  });

  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send(errorBody(request, 'not_found', `No route for ${request.method} ${request.url.split('?')[0]}`)),
  );

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: null,
      },
    },
    hsts: deps.config.appUrl?.startsWith('https:') ? undefined : false,
  });
  await app.register(cookie);

  // ─── REGISTRATIONS: one line per domain plugin (keep this list obvious) ─────────────────────────────────
  await app.register(openApiRoutes); //                    /openapi.json /docs (first: it collects every route after it)
  await app.register(healthRoutes, { deps }); //           /healthz /readyz /metrics
  await app.register(authRoutes, { deps, limits: { ...DEFAULT_AUTH_LIMITS, ...opts.authLimits } }); // /api/auth/*
  await app.register(meRoutes, { deps }); //               /api/me /api/csrf
  await app.register(pageRoutes, { deps }); //             / /sign-in /sign-up /forgot-password /reset-password /verify-email /account
  await app.register(adminConsoleRoutes); //               /admin/* (the React console in web/dist)
  await app.register(webhookRoutes, { deps, handlers }); // POST /webhooks/stripe (raw body parser inside the plugin)
  // The signed-in user's own API in one encapsulated context: its hook is the user guard (a session; CSRF on
  // state-changing methods), so the route files carry no guard of their own.
  await app.register(async (user) => {
    user.addHook('preHandler', requireUser);
    await user.register(billingRoutes, { deps, context }); // /api/billing/*, /api/me/{invoices,billing,plans}, /api/me's `billing`
    await user.register(myNotificationRoutes, { deps, context }); // /api/me/notifications
    await user.register(mySessionRoutes, { deps, context }); // /api/me/sessions: list, sign one out
  });
  // Every admin API in one encapsulated context: its hook is the admin guard (an admin session with CSRF, or an
  // admin API key), so no admin route is registered without it and the route files carry no guard of their own.
  await app.register(
    async (admin) => {
      admin.addHook('preHandler', requireAdmin);
      await admin.register(adminAccountsRoutes, { deps }); // whoami, api-keys, audit
      await admin.register(eventsRoutes, { deps, handlers, context }); // Stripe events log, replay
      await admin.register(errorsRoutes, { deps, context }); // billing errors: list, retry/resolve/ignore
      await admin.register(adminBillingRoutes, { deps, context }); // plans, customers, subscriptions, invoices, payments
      await admin.register(adminRolesRoutes, { deps, context }); // users, roles, overrides, mismatches, sync
      await admin.register(adminJobRoutes, { deps }); // jobs/:id: any long-running admin job's progress
      await admin.register(adminDunningRoutes, { deps }); // dunning cases, their timelines, stats
      await admin.register(adminNotificationRoutes, { deps }); // notifications outbox
      await admin.register(adminReportRoutes, { deps }); // reports/<name>(/rows): src/analytics/reports.routes.ts
    },
    { prefix: '/api/admin' },
  );
  await app.register(liveRoutes, { hub: live }); //         /api/admin/stream, /api/me/stream (SSE over LISTEN/NOTIFY)
  // ─────────────────────────────────────────────────────────────────────────────────────────────────────────

  return app;
}
