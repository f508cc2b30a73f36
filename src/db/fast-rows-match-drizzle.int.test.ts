/**
 * The fast whole-row helpers must be indistinguishable from Drizzle's own builder: same rows (types included:
 * Date, bigint as number, jsonb, booleans, nulls) for reads, writes and RETURNING, and the same refusal of
 * unknown keys.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { testDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { customers, invoices } from '../billing/billing.tables.js';
import { users } from '../accounts/accounts.tables.js';
import { insertRowIfAbsent, selectRows, updateRows } from './rows.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await testDatabase();
  await t.db
    .insert(users)
    .values({ id: 'u_rows', name: 'Rows', email: 'rows@example.com', emailVerified: true });
});
afterAll(() => t.drop());

const customerValues = {
  userId: 'u_rows',
  stripeCustomerId: 'cus_rows',
  email: 'rows@example.com',
  name: null,
  delinquent: true,
  metadata: { user_id: 'u_rows', note: 'a "quoted" value' },
  createdAt: new Date('2026-01-02T03:04:05.000Z'),
  stripeVersionAt: new Date('2026-01-02T03:04:06.000Z'),
  stripeEventId: 'evt_rows_1',
};

describe('whole-row helpers', () => {
  it('insert, select and update return exactly the rows Drizzle returns', async () => {
    const [inserted] = await insertRowIfAbsent(t.db, customers, customerValues);
    const [viaDrizzle] = await t.db
      .select()
      .from(customers)
      .where(eq(customers.stripeCustomerId, 'cus_rows'));
    expect(inserted).toEqual(viaDrizzle);
    expect(inserted!.createdAt).toBeInstanceOf(Date);
    expect(inserted!.metadata).toEqual({ user_id: 'u_rows', note: 'a "quoted" value' });

    const [selected] = await selectRows(t.db, customers, eq(customers.stripeCustomerId, 'cus_rows'), {
      forUpdate: false,
    });
    expect(selected).toEqual(viaDrizzle);

    const [updated] = await updateRows(
      t.db,
      customers,
      {
        name: 'Renamed',
        delinquent: false,
        updatedAt: sql`now()`,
        deletedAt: new Date('2026-02-01T00:00:00Z'),
      },
      eq(customers.id, inserted!.id),
    );
    const [after] = await t.db.select().from(customers).where(eq(customers.id, inserted!.id));
    expect(updated).toEqual(after);
    expect(updated!.name).toBe('Renamed');
    expect(updated!.deletedAt).toEqual(new Date('2026-02-01T00:00:00Z'));
  });

  it('an existing row is not inserted again (empty result), and bigint money comes back as a number', async () => {
    expect(await insertRowIfAbsent(t.db, customers, customerValues)).toEqual([]);
    const [c] = await selectRows(t.db, customers, eq(customers.stripeCustomerId, 'cus_rows'));
    const [inv] = await insertRowIfAbsent(t.db, invoices, {
      stripeInvoiceId: 'in_rows',
      customerId: c!.id,
      status: 'paid',
      currency: 'usd',
      amountDueMinor: 9_007_199_254_740_991,
      amountPaidMinor: 2900,
      amountRemainingMinor: 0,
      subtotalMinor: 2900,
      totalMinor: 2900,
      lines: [{ id: 'il_1', amountMinor: 2900, nested: { a: [1, 2] } }] as never,
      createdAt: new Date('2026-01-03T00:00:00Z'),
      stripeVersionAt: new Date('2026-01-03T00:00:00Z'),
    });
    const [viaDrizzle] = await t.db.select().from(invoices).where(eq(invoices.stripeInvoiceId, 'in_rows'));
    expect(inv).toEqual(viaDrizzle);
    expect(inv!.amountDueMinor).toBe(9_007_199_254_740_991);
  });

  it('refuses a key that is not a column', async () => {
    await expect(
      updateRows(t.db, customers, { nope: 1 } as never, eq(customers.stripeCustomerId, 'cus_rows')),
    ).rejects.toThrow('no column "nope"');
  });
});
