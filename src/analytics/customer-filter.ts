/**
 * The `provider` and `country` filters of every report (report-params.ts) as SQL: the customers matching — their
 * country (`customers.country`, as Stripe writes it) and their user's sign-up provider (`users.signup_provider`,
 * through `customers.user_id`; a customer linked to no user matches no provider). A report keeps the rows of those
 * customers with a semi-join on the customer id its rows carry, so a filtered figure is the figure computed over
 * only them.
 */
import { sql, type SQL } from 'drizzle-orm';

export interface CustomerFilter {
  provider: string | null;
  country: string | null;
}

/** Whether any customer filter is given (reports read from base tables, not a rollup without customers, then). */
export const filtersCustomers = (f: CustomerFilter): boolean => f.provider !== null || f.country !== null;

/** `true`, or `<customerId> IN (the matching customers' ids)`; `customerId` is an SQL expression. */
export function customerMatch(f: CustomerFilter, customerId: SQL): SQL {
  if (!filtersCustomers(f)) return sql`true`;
  const where: SQL[] = [];
  if (f.country !== null) where.push(sql`fc.country = ${f.country}`);
  if (f.provider !== null) where.push(sql`fu.signup_provider = ${f.provider}`);
  const users = f.provider === null ? sql`` : sql`JOIN users fu ON fu.id = fc.user_id`;
  return sql`${customerId} IN (SELECT fc.id FROM customers fc ${users} WHERE ${sql.join(where, sql` AND `)})`;
}

/** The users matching (signups): by their provider, and by their customer's country. `userId` is an SQL expression. */
export function userMatch(f: CustomerFilter, userId: SQL): SQL {
  const where: SQL[] = [];
  if (f.provider !== null) {
    where.push(sql`${userId} IN (SELECT fu.id FROM users fu WHERE fu.signup_provider = ${f.provider})`);
  }
  if (f.country !== null) {
    where.push(sql`${userId} IN (SELECT fc.user_id FROM customers fc WHERE fc.country = ${f.country})`);
  }
  return where.length === 0 ? sql`true` : sql.join(where, sql` AND `);
}
