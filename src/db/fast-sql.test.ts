/**
 * renderSql must produce exactly Drizzle's own text and parameters (or defer to it): every statement shape the
 * code base uses — builder queries over the real tables and `sql` templates — rendered both ways.
 */
import {
  aliasedTable,
  and,
  asc,
  desc,
  eq,
  gt,
  ilike,
  inArray,
  isNull,
  or,
  placeholder,
  sql,
  type SQL,
} from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { PgDialect, alias } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { tables } from './tables.js';
import { dialectOf, installFastSql, renderSql } from './fast-sql.js';
import { customers, invoices, payments, subscriptions } from '../billing/billing.tables.js';
import { stripeEvents } from '../inbox/inbox.tables.js';
import { users } from '../accounts/accounts.tables.js';

const reference = new PgDialect();
const db = drizzle.mock({ schema: tables });
const casing = (reference as unknown as { casing: { getColumnCasing(c: unknown): string } }).casing;
const at = new Date('2026-11-26T04:00:00Z');

const statements: Array<[string, SQL]> = [
  ['select with where', db.select().from(customers).where(eq(customers.stripeCustomerId, 'cus_1')).getSQL()],
  [
    'select fields, join, order, limit',
    db
      .select({ id: invoices.id, email: customers.email, n: sql<number>`count(*)`.as('n') })
      .from(invoices)
      .innerJoin(customers, eq(customers.id, invoices.customerId))
      .where(
        and(gt(invoices.createdAt, at), or(isNull(invoices.subscriptionId), ilike(customers.email, '%a%'))),
      )
      .orderBy(desc(invoices.createdAt), asc(invoices.id))
      .limit(20)
      .offset(40)
      .getSQL(),
  ],
  [
    'inArray',
    db
      .select()
      .from(users)
      .where(inArray(users.id, ['a', 'b', 'c']))
      .for('update')
      .getSQL(),
  ],
  [
    'update set',
    db
      .update(payments)
      .set({ invoiceId: '00000000-0000-0000-0000-000000000001', updatedAt: sql`now()` })
      .where(and(eq(payments.stripeInvoiceId, 'in_1'), isNull(payments.invoiceId)))
      .returning()
      .getSQL(),
  ],
  [
    'insert on conflict with jsonb and timestamps',
    db
      .insert(invoices)
      .values({
        stripeInvoiceId: 'in_1',
        customerId: '00000000-0000-0000-0000-000000000001',
        status: 'open',
        currency: 'usd',
        amountDueMinor: 100,
        amountPaidMinor: 0,
        amountRemainingMinor: 100,
        subtotalMinor: 100,
        totalMinor: 100,
        lines: [{ id: 'il_1' } as never],
        createdAt: at,
        stripeVersionAt: at,
      })
      .onConflictDoUpdate({ target: invoices.stripeInvoiceId, set: { status: sql`excluded.status` } })
      .getSQL(),
  ],
  ['delete', db.delete(stripeEvents).where(eq(stripeEvents.id, 'evt_1')).getSQL()],
  [
    'sql template: identifiers, params, arrays, join, raw, undefined',
    sql`SELECT ${sql.identifier('a"b')}, ${sql.raw('1')} FROM ${subscriptions} WHERE ${subscriptions.status} IN ${[
      'active',
      'trialing',
    ]} AND x = ${42} AND y = ${null} AND z = ${at} AND j = ${{ a: 1 }}${undefined} ${sql.join(
      [sql`1`, sql`${2}`, sql.param(at, subscriptions.createdAt)],
      sql`, `,
    )}`,
  ],
  [
    'aliased table',
    (() => {
      const c2 = alias(customers, 'c2');
      const c3 = aliasedTable(customers, 'c3');
      return db.select({ a: c2.id, b: c3.email }).from(c2).innerJoin(c3, eq(c3.id, c2.id)).getSQL();
    })(),
  ],
];

describe('renderSql', () => {
  it.each(statements)('renders %s exactly as Drizzle does', (_name, statement) => {
    const fast = renderSql(statement, { casing });
    const slow = reference.sqlToQuery(statement);
    expect(fast).toBeDefined();
    expect(fast!.sql).toBe(slow.sql);
    expect(fast!.params).toEqual(slow.params);
  });

  it('defers to Drizzle for chunks it does not render (placeholders, subqueries)', () => {
    const withPlaceholder = db
      .select()
      .from(users)
      .where(eq(users.id, placeholder('id')))
      .getSQL();
    expect(renderSql(withPlaceholder, { casing })).toBeUndefined();
    const sub = db.select({ id: customers.id }).from(customers).as('sub');
    const withSubquery = db.select().from(sub).getSQL();
    expect(renderSql(withSubquery, { casing })).toBeUndefined();
    expect(renderSql(sql`x = ${1}`.inlineParams(), { casing })).toBeUndefined();
  });

  it('is what an installed dialect renders with, and the deferred cases still render', () => {
    const dialect = new PgDialect();
    installFastSql(dialect);
    // Typings (which node-postgres ignores) aside, the same query.
    const plain = (q: { sql: string; params: unknown[] }) => ({ sql: q.sql, params: q.params });
    for (const [, statement] of statements) {
      expect(plain(dialect.sqlToQuery(statement))).toEqual(plain(reference.sqlToQuery(statement)));
    }
    const sub = db.select({ id: customers.id }).from(customers).as('sub');
    const deferred = db.select().from(sub).getSQL();
    expect(dialect.sqlToQuery(deferred)).toEqual(reference.sqlToQuery(deferred));
    expect(dialectOf(drizzle.mock())).toBeInstanceOf(PgDialect);
  });
});
