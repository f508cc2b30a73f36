/**
 * Admin routes of the accounts and audit domains (in the /api/admin context, every route behind its admin guard):
 * who am I, admin API keys (list, create — the key is shown once —, revoke), and the audit log.
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { createApiKey, listApiKeys, revokeApiKey } from '../accounts/api-keys.js';
import { listAudit } from '../audit/audit.repo.js';
import type { Deps } from '../deps.js';
import { auditActor } from './guards.js';
import { documented } from '../route-doc.js';

/** The list of keys as the API shows it (also its OpenAPI response schema). */
const apiKeyList = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      prefix: z.string(),
      createdAt: z.iso.datetime(),
      lastUsedAt: z.iso.datetime().nullable(),
      revokedAt: z.iso.datetime().nullable(),
    }),
  ),
});
/** A page of the audit log as the API shows it (also its OpenAPI response schema). */
const auditPage = z.object({
  items: z.array(
    z.object({
      id: z.number().int(),
      seq: z.number().int().nullable(),
      at: z.iso.datetime(),
      actorType: z.enum(['user', 'api_key', 'system', 'stripe', 'job']),
      actorId: z.string().nullable(),
      action: z.string(),
      subjectType: z.string(),
      subjectId: z.string(),
      before: z.unknown(),
      after: z.unknown(),
      reason: z.string().nullable(),
      cause: z.unknown(),
      requestId: z.string().nullable(),
      prevHash: z.string().nullable(),
      hash: z.string().nullable(),
    }),
  ),
  nextBefore: z.number().int().nullable(),
});
const createKeyInput = z.object({ name: z.string().trim().min(1).max(100) }).strict();
const auditQuery = z
  .object({
    subjectType: z.string().max(100).optional(),
    subjectId: z.string().max(200).optional(),
    actorType: z.enum(['user', 'api_key', 'system', 'stripe', 'job']).optional(),
    actorId: z.string().max(200).optional(),
    action: z.string().max(100).optional(),
    before: z.coerce.number().int().positive().optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
  })
  .strict();

export const adminAccountsRoutes: FastifyPluginAsync<{ deps: Deps }> = async (app, { deps }) => {
  app.get('/whoami', async (request) => ({ actor: request.actor }));

  app.get(
    '/api-keys',
    documented({ summary: 'Admin API keys (never the key itself)', response: apiKeyList }, async () => ({
      items: (await listApiKeys(deps.db)).map((k) => ({
        ...k,
        createdAt: k.createdAt.toISOString(),
        lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
        revokedAt: k.revokedAt?.toISOString() ?? null,
      })),
    })),
  );

  app.post(
    '/api-keys',
    documented(
      {
        summary: 'Create an admin API key (the key is in this answer only)',
        body: createKeyInput,
        response: z.object({ id: z.string(), key: z.string(), name: z.string() }),
        status: 201,
      },
      async (request, reply) => {
        const input = createKeyInput.parse(request.body ?? {});
        const created = await createApiKey(deps.db, {
          name: input.name,
          actor: auditActor(request),
          requestId: String(request.id),
        });
        reply.header('cache-control', 'no-store');
        return reply.status(201).send(created);
      },
    ),
  );

  app.delete<{ Params: { id: string } }>('/api-keys/:id', async (request, reply) => {
    await revokeApiKey(deps.db, deps.clock, {
      id: request.params.id,
      actor: auditActor(request),
      requestId: String(request.id),
    });
    return reply.status(204).send();
  });

  app.get(
    '/audit',
    documented(
      {
        summary: 'The audit log, newest first (keyset pages: before=<id>)',
        query: auditQuery,
        response: auditPage,
      },
      async (request) => {
        const q = auditQuery.parse(request.query ?? {});
        const items = await listAudit(deps.db, q);
        const last = items.at(-1);
        return {
          items: items.map((row) => ({ ...row, at: row.at.toISOString() })),
          nextBefore: items.length === (q.limit ?? 50) && last ? last.id : null,
        };
      },
    ),
  );
};
