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
import { auditActor, requireAdmin } from '../../http/guards.js';
import { documented } from '../../http/openapi/route-doc.js';
import { PAID_ROLES } from '../roles.js';
import { listUsers, listUsersInput } from './list-users.js';
import { getUserBilling } from './get-user-billing.js';
import { roleHistory } from './role-history.js';
import { billingStateAt } from './billing-state-at.js';
import { setRoleOverride, overrideView, type AdminActor } from './set-role-override.js';
import { clearRoleOverride } from './clear-role-override.js';
import { roleStats, roleStatsView } from './role-stats.js';
import { findRoleMismatches, roleMismatchList } from './find-role-mismatches.js';
import { planRoleSync, requestRoleSync } from './sync-roles.js';
import { roleSyncSource } from '../../jobs/job-status.js';

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

function actorOf(request: FastifyRequest): AdminActor {
  return { ...auditActor(request), requestId: String(request.id) };
}

export const adminRolesRoutes: FastifyPluginAsync<{ deps: Deps }> = async (app, { deps }) => {
  app.addHook('preHandler', requireAdmin);

  app.get('/users', async (request) => listUsers(deps, listUsersInput.parse(request.query)));

  app.get('/users/:id', async (request) => getUserBilling(deps, idParam.parse(request.params).id));

  app.get('/users/:id/role-history', async (request) =>
    roleHistory(deps.db, idParam.parse(request.params).id),
  );

  app.get('/users/:id/billing-state', async (request) =>
    billingStateAt(deps, idParam.parse(request.params).id, atInput.parse(request.query).at),
  );

  app.post('/users/:id/role-override', async (request) => {
    const { id } = idParam.parse(request.params);
    const input = overrideInput.parse(request.body ?? {});
    const r = await setRoleOverride(deps, actorOf(request), {
      userId: id,
      role: input.role,
      reason: input.reason,
      expiresAt: input.expiresAt ?? null,
    });
    return { override: overrideView(r.override), role: r.role.after, previousRole: r.role.before };
  });

  app.delete('/users/:id/role-override', async (request) => {
    const { id } = idParam.parse(request.params);
    const input = clearInput.parse(request.body ?? {});
    const r = await clearRoleOverride(deps, actorOf(request), { userId: id, reason: input.reason });
    return { override: overrideView(r.override), role: r.role.after, previousRole: r.role.before };
  });

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

  app.post('/roles/sync', async (request, reply) => {
    const input = syncInput.parse(request.body ?? {});
    if (input.dryRun) {
      const diff = await planRoleSync(deps);
      return { dryRun: true, total: diff.length, diff };
    }
    const { run, diff } = await requestRoleSync(deps, actorOf(request), {
      reason: input.reason ?? 'bulk role sync',
      ...(input.batchSize ? { batchSize: input.batchSize } : {}),
    });
    reply.status(202);
    return { dryRun: false, job: await roleSyncSource.find(deps.db, run.id), diff };
  });
};
