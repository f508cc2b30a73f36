/**
 * Admin users and roles (issue 5), under /api/admin (admin session + CSRF, or an admin API key):
 *   GET    /users?query=&role=&provider=&mismatch=true&page=&limit=
 *   GET    /users/:id                      → { id, email, name, role, entitledRole, signupProvider, override, customer, subscriptions, dunning }
 *   GET    /users/:id/role-history         → the audit rows of the user's role with their causes
 *   GET    /users/:id/billing-state?at=ISO → subscriptions, dunning and entitled role at that instant (time travel)
 *   POST   /users/:id/role-override { role, reason, expiresAt? }
 *   DELETE /users/:id/role-override { reason }
 *   GET    /roles/stats
 *   GET    /roles/mismatches
 *   POST   /roles/sync { dryRun, reason?, batchSize? } → dry run: the exact diff; else 202 { job } in the shape of
 *          GET /api/admin/jobs/:id (src/jobs/jobs.routes.ts), which follows its progress
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import type { RouteContext } from '../../route-context.js';
import { documented } from '../../route-doc.js';
import { PAID_ROLES } from './role.js';
import { listUsers, listUsersInput } from './list-users.js';
import { getUserBilling } from './get-user-billing.js';
import { roleHistory } from './role-history.js';
import { billingStateAt } from './billing-state-at.js';
import { setRoleOverride, overrideView, type AdminActor } from './set-role-override.js';
import { clearRoleOverride } from './clear-role-override.js';
import { roleStats, roleStatsView } from './role-stats.js';
import { findRoleMismatches, roleMismatchList } from './find-role-mismatches.js';
import { planRoleSync, requestRoleSync } from './sync-roles.js';
import { jobStatusView, roleSyncSource } from '../../jobs/job-status.js';
import { billingStateView, overrideChangeView, roleHistoryView, userBillingView } from './role-views.js';

const idParam = z.object({ id: z.string().min(1).max(100) });
const reason = z.string().trim().min(3).max(500);
const overrideInput = z
  .object({
    role: z.enum(PAID_ROLES),
    reason,
    expiresAt: z.iso
      .datetime({ offset: true })
      .transform((v) => new Date(v))
      .nullable()
      .optional(),
  })
  .strict();
const clearInput = z.object({ reason }).strict();
const atInput = z.object({ at: z.iso.datetime({ offset: true }).transform((v) => new Date(v)) }).strict();
const syncInput = z
  .object({
    dryRun: z.boolean(),
    reason: reason.optional(),
    batchSize: z.number().int().min(1).max(1000).optional(),
  })
  .strict();

const roleDiff = z.object({
  userId: z.string(),
  email: z.string(),
  from: z.string(),
  to: z.string(),
  kind: z.string(),
});
/** A dry run answers 200 with the exact diff; a real run answers 202 with the job to follow and the diff it applies. */
const syncResult = z.union([
  z.object({ dryRun: z.literal(true), total: z.number().int(), diff: z.array(roleDiff) }),
  z.object({ dryRun: z.literal(false), job: jobStatusView.nullable(), diff: z.array(roleDiff) }),
]);

export const adminRolesRoutes: FastifyPluginAsync<{ deps: Deps; context: RouteContext }> = async (
  app,
  { deps, context },
) => {
  const actorOf = (request: FastifyRequest): AdminActor => {
    const a = context.actorOf(request);
    return { actorType: a.type, actorId: a.id, requestId: a.requestId };
  };

  app.get('/users', async (request) => listUsers(deps, listUsersInput.parse(request.query)));

  app.get(
    '/users/:id',
    documented(
      {
        summary: "A user's role, why (entitlement), overrides, customer, subscriptions and dunning",
        params: idParam,
        response: userBillingView,
      },
      async (request) => getUserBilling(deps, idParam.parse(request.params).id),
    ),
  );

  app.get(
    '/users/:id/role-history',
    documented(
      {
        summary: "The audit rows of a user's role with their causes, oldest first",
        params: idParam,
        response: roleHistoryView,
      },
      async (request) => roleHistory(deps.db, idParam.parse(request.params).id),
    ),
  );

  app.get(
    '/users/:id/billing-state',
    documented(
      {
        summary: "A user's billing state and role at a past instant (time travel)",
        params: idParam,
        query: atInput,
        response: billingStateView,
      },
      async (request) =>
        billingStateAt(deps, idParam.parse(request.params).id, atInput.parse(request.query).at),
    ),
  );

  app.post(
    '/users/:id/role-override',
    documented(
      {
        summary: 'Set a role override (role, reason, optional expiry)',
        params: idParam,
        body: overrideInput,
        response: overrideChangeView,
      },
      async (request) => {
        const { id } = idParam.parse(request.params);
        const input = overrideInput.parse(request.body ?? {});
        const r = await setRoleOverride(deps, actorOf(request), {
          userId: id,
          role: input.role,
          reason: input.reason,
          expiresAt: input.expiresAt ?? null,
        });
        return { override: overrideView(r.override), role: r.role.after, previousRole: r.role.before };
      },
    ),
  );

  app.delete(
    '/users/:id/role-override',
    documented(
      {
        summary: "Clear a user's role override",
        params: idParam,
        body: clearInput,
        response: overrideChangeView,
      },
      async (request) => {
        const { id } = idParam.parse(request.params);
        const input = clearInput.parse(request.body ?? {});
        const r = await clearRoleOverride(deps, actorOf(request), { userId: id, reason: input.reason });
        return { override: overrideView(r.override), role: r.role.after, previousRole: r.role.before };
      },
    ),
  );

  app.get(
    '/roles/stats',
    documented(
      { summary: 'Users by role, and by sign-up provider with paid conversion', response: roleStatsView },
      async () => roleStats(deps.db),
    ),
  );

  app.get(
    '/roles/mismatches',
    documented(
      { summary: 'Users whose stored role differs from their entitled role', response: roleMismatchList },
      async () => {
        const data = await findRoleMismatches(deps.db, deps.clock.now(), {
          defaultGraceDays: deps.config.graceDays,
        });
        return { data, total: data.length };
      },
    ),
  );

  app.post(
    '/roles/sync',
    documented(
      {
        summary:
          'Sync every stored role to its entitled role: a dry run returns the diff, else 202 with the job',
        body: syncInput,
        response: syncResult,
      },
      async (request, reply) => {
        const input = syncInput.parse(request.body ?? {});
        if (input.dryRun) {
          const diff = await planRoleSync(deps);
          return { dryRun: true as const, total: diff.length, diff };
        }
        const { run, diff } = await requestRoleSync(deps, actorOf(request), {
          reason: input.reason ?? 'bulk role sync',
          ...(input.batchSize ? { batchSize: input.batchSize } : {}),
        });
        reply.status(202);
        return { dryRun: false as const, job: await roleSyncSource.find(deps.db, run.id), diff };
      },
    ),
  );
};
