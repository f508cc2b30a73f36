/**
 * `GET /api/admin/roles/stats`: users by role, and by sign-up provider with paid conversion — the share of that
 * provider's users who have paid at least once (an invoice with a positive amount paid).
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../../db/client.js';

/** The statistics (also their OpenAPI response schema): users per role, and per sign-up provider. */
export const roleStatsView = z.object({
  byRole: z.record(z.string(), z.number().int()),
  byProvider: z.array(
    z.object({
      provider: z.string(),
      users: z.number().int(),
      paid: z.number().int(),
      paidConversion: z.number(),
    }),
  ),
});

export async function roleStats(db: Executor): Promise<z.infer<typeof roleStatsView>> {
  const byRole = await db.execute<{ role: string; users: number }>(
    sql`SELECT role, count(*)::int AS users FROM users GROUP BY role ORDER BY role`,
  );
  const byProvider = await db.execute<{ provider: string; users: number; paid: number }>(sql`
    SELECT u.signup_provider AS provider, count(*)::int AS users,
           count(*) FILTER (WHERE EXISTS (
             SELECT 1 FROM customers c JOIN invoices i ON i.customer_id = c.id
             WHERE c.user_id = u.id AND i.amount_paid_minor > 0))::int AS paid
    FROM users u
    WHERE u.role <> 'admin'
    GROUP BY u.signup_provider
    ORDER BY u.signup_provider`);
  return {
    byRole: Object.fromEntries(byRole.rows.map((r) => [r.role, r.users])),
    byProvider: byProvider.rows.map((r) => ({
      provider: r.provider,
      users: r.users,
      paid: r.paid,
      // A ratio of counts (not money): rounded to 4 decimals.
      paidConversion: r.users ? Math.round((r.paid / r.users) * 10_000) / 10_000 : 0,
    })),
  };
}
