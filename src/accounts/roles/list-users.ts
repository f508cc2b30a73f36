/**
 * Admin users list (`GET /api/admin/users?query=&role=&provider=&mismatch=true&page=&limit=`): users with their
 * stored and entitled role; `query` matches email or name (case-insensitive), `mismatch=true` keeps only users
 * whose stored role differs from entitledRole (computed for every candidate, so the total is exact).
 */
import { and, eq, ilike, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { users } from '../accounts.tables.js';
import { ROLES, type Role } from './role.js';
import { explainEntitlement } from './entitled-role.js';
import { likePattern, listTable, offsetPage } from '../../db/list-query.js';
import { loadEntitlements } from './load-entitlements.js';
import { findRoleMismatches } from './find-role-mismatches.js';

export const listUsersInput = z
  .object({
    query: z.string().trim().min(1).max(200).optional(),
    role: z.enum(ROLES).optional(),
    provider: z.string().trim().min(1).max(50).optional(),
    mismatch: z.enum(['true', 'false']).optional(),
    page: z.coerce.number().int().min(1).max(100_000).default(1),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();
export type ListUsersInput = z.infer<typeof listUsersInput>;

// The filters are drizzle conditions on `users` (shared with findRoleMismatches), so the table keeps its name.
const USERS = listTable<'created_at'>({
  select: sql`id, email, name, role, signup_provider, created_at`,
  from: sql`users`,
  sort: { created_at: sql`users.created_at` },
  tieBreak: sql`users.id`,
});

interface UserRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  signup_provider: string;
  created_at: Date;
}

export async function listUsers(deps: Pick<Deps, 'db' | 'clock' | 'config'>, p: ListUsersInput) {
  const filters: SQL[] = [];
  if (p.query) {
    const pat = likePattern(p.query);
    filters.push(or(ilike(users.email, pat), ilike(users.name, pat))!);
  }
  if (p.role) filters.push(eq(users.role, p.role));
  if (p.provider) filters.push(eq(users.signupProvider, p.provider));
  const where = filters.length ? and(...filters) : undefined;
  const now = deps.clock.now();
  const offset = (p.page - 1) * p.limit;

  if (p.mismatch === 'true') {
    const all = await findRoleMismatches(deps.db, now, {
      defaultGraceDays: deps.config.graceDays,
      ...(where ? { where } : {}),
    });
    return {
      data: all.slice(offset, offset + p.limit).map((m) => ({
        id: m.userId,
        email: m.email,
        name: m.name,
        role: m.storedRole,
        entitledRole: m.entitledRole,
        signupProvider: m.signupProvider,
        mismatch: m.kind,
      })),
      page: p.page,
      limit: p.limit,
      total: all.length,
      totalExact: true,
    };
  }

  const page = await offsetPage<UserRow, 'created_at'>(
    deps.db,
    USERS,
    { page: p.page, limit: p.limit, sort: 'created_at', order: 'asc' },
    [where],
  );
  const rows = page.rows.map((r) => ({
    id: r.id,
    email: r.email,
    name: r.name,
    role: r.role,
    signupProvider: r.signup_provider,
    createdAt: new Date(r.created_at),
  }));
  const total = page.total;
  const loaded = await loadEntitlements(
    deps.db,
    rows.map((r) => r.id),
    { defaultGraceDays: deps.config.graceDays },
  );
  return {
    data: rows.map((r) => {
      const i = loaded.get(r.id);
      const entitled = i ? explainEntitlement(i.user, i.subscriptions, i.overrides, now).role : r.role;
      return {
        ...r,
        createdAt: r.createdAt.toISOString(),
        entitledRole: entitled,
        mismatch: entitled !== r.role,
      };
    }),
    page: p.page,
    limit: p.limit,
    total: Number(total),
    totalExact: page.totalExact,
  };
}
