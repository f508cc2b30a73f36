/**
 * The list-query builder (src/db/list-query.ts) on a table of its own: offset pages with ties never overlap and
 * cover every row once; the total counts every match; `q` searches only the whitelisted columns, with the user's
 * wildcards taken literally; an empty IN list matches nothing; keyset pages walk every row once while new rows
 * arrive on top; a forged cursor is a 422 `invalid_cursor` (the API's code for a bad parameter).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { testDatabase, type TestDatabase } from '../helpers/db.js';
import { anyOf, equals, keysetPage, listTable, offsetPage, within } from '../../src/db/list-query.js';
import { AppError } from '../../src/errors.js';

let t: TestDatabase;
type Row = { id: string; name: string; kind: string; at: Date; amount: number };

const THINGS = listTable<'amount' | 'at'>({
  select: sql`id, name, kind, at, amount`,
  from: sql`things`,
  sort: { amount: sql`amount`, at: sql`at` },
  tieBreak: sql`id`,
  search: { contains: [sql`name`], equals: [sql`id`] },
});

beforeAll(async () => {
  t = await testDatabase();
  await t.pool.query(
    `CREATE TABLE things (id text PRIMARY KEY, name text, kind text, at timestamptz, amount int)`,
  );
  // 25 rows: amounts 0..4 repeated (ties), kinds a/b alternating, one name with a literal % and one with _.
  const values = Array.from({ length: 25 }, (_, i) => {
    const id = `t${String(i).padStart(2, '0')}`;
    const name = i === 7 ? '100% pure' : i === 8 ? 'under_score' : `thing ${i}`;
    return `('${id}', '${name}', '${i % 2 ? 'b' : 'a'}', '2026-01-01T00:00:00Z'::timestamptz + interval '${i} hours', ${i % 5})`;
  });
  await t.pool.query(`INSERT INTO things VALUES ${values.join(',')}`);
});
afterAll(() => t.drop());

const db = () => t.db;

describe('offsetPage', () => {
  it('pages through ties without overlap or gap, with the total', async () => {
    const seen: string[] = [];
    for (let page = 1; page <= 4; page++) {
      const r = await offsetPage<Row>(db(), THINGS, { page, limit: 7, sort: 'amount', order: 'desc' });
      expect(r.total).toBe(25);
      seen.push(...r.rows.map((x) => x.id));
    }
    expect(seen.length).toBe(25);
    expect(new Set(seen).size).toBe(25);
    // amount 4 first (t04, t09, t14, t19, t24), ties by id descending.
    expect(seen.slice(0, 5)).toEqual(['t24', 't19', 't14', 't09', 't04']);
  });

  it('filters and counts: kind b, amount in (1, 3), at from hour 10', async () => {
    const r = await offsetPage<Row>(db(), THINGS, { page: 1, limit: 50, sort: 'at', order: 'asc' }, [
      equals(sql`kind`, 'b'),
      anyOf(sql`amount`, [1, 3]),
      ...within(sql`at`, new Date('2026-01-01T10:00:00Z'), undefined),
    ]);
    // odd i >= 10 with i % 5 in {1, 3}: 11 (1), 13 (3), 21 (1), 23 (3)
    expect(r.rows.map((x) => x.id)).toEqual(['t11', 't13', 't21', 't23']);
    expect(r.total).toBe(4);
  });

  it('an empty IN list matches nothing; an absent filter drops out', async () => {
    const none = await offsetPage<Row>(db(), THINGS, { page: 1, limit: 5, sort: 'at', order: 'asc' }, [
      anyOf(sql`kind`, []),
    ]);
    expect(none).toEqual({ rows: [], total: 0, totalExact: true });
    const all = await offsetPage<Row>(db(), THINGS, { page: 1, limit: 5, sort: 'at', order: 'asc' }, [
      anyOf(sql`kind`, undefined),
      equals(sql`kind`, undefined),
    ]);
    expect(all.total).toBe(25);
  });

  it('q searches the whitelisted columns only, wildcards taken literally', async () => {
    const search = (q: string) =>
      offsetPage<Row>(db(), THINGS, { page: 1, limit: 50, sort: 'at', order: 'asc', q }).then((r) =>
        r.rows.map((x) => x.id),
      );
    expect(await search('%')).toEqual(['t07']);
    expect(await search('_')).toEqual(['t08']);
    expect(await search('THING 2')).toEqual(['t02', 't20', 't21', 't22', 't23', 't24']);
    expect(await search('t03')).toEqual(['t03']); // equals on id
    expect(await search('a')).toEqual([]); // kind is not searchable
  });
});

describe('the count cap', () => {
  it('counts 10,000 past the page start at most, and says so; deeper pages count further', async () => {
    await t.pool.query(`CREATE TABLE many AS SELECT g AS id FROM generate_series(1, 10050) g`);
    const MANY = listTable<'id'>({
      select: sql`id`,
      from: sql`many`,
      sort: { id: sql`id` },
      tieBreak: sql`id`,
    });
    const first = await offsetPage<{ id: number }>(db(), MANY, {
      page: 1,
      limit: 10,
      sort: 'id',
      order: 'asc',
    });
    expect([first.total, first.totalExact]).toEqual([10000, false]);
    // Page 1000 starts at row 9,991: 10,000 past it would be 19,991, more than the 10,050 there are.
    const deep = await offsetPage<{ id: number }>(db(), MANY, {
      page: 1000,
      limit: 10,
      sort: 'id',
      order: 'asc',
    });
    expect([deep.total, deep.totalExact, deep.rows[0]]).toEqual([10050, true, { id: 9991 }]);
  });
});

describe('keysetPage', () => {
  const key = {
    at: sql`at`,
    id: sql`id`,
    of: (r: Row) => [r.at, r.id] as [Date, string],
    idPattern: /^t\d+$/,
  };

  it('walks every row once while new rows arrive on top', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 10; i++) {
      const r = await keysetPage<Row>(db(), THINGS, key, { limit: 6, cursor });
      seen.push(...r.rows.map((x) => x.id));
      if (i === 0) {
        await t.pool.query(`INSERT INTO things VALUES ('t99', 'late', 'a', '2026-02-01T00:00:00Z', 1)`);
      }
      if (!r.nextCursor) break;
      cursor = r.nextCursor;
    }
    await t.pool.query(`DELETE FROM things WHERE id = 't99'`);
    expect(seen.length).toBe(25);
    expect(seen[0]).toBe('t24');
    expect(seen[24]).toBe('t00');
    expect(seen).not.toContain('t99');
  });

  it('refuses a forged cursor with 422 invalid_cursor', async () => {
    const forged = [
      'not-base64-json',
      Buffer.from(JSON.stringify(['2026-01-01T00:00:00Z', "x' OR 1=1"])).toString('base64url'),
      Buffer.from(JSON.stringify(['yesterday', 't01'])).toString('base64url'),
    ];
    for (const cursor of forged) {
      const err = await keysetPage<Row>(db(), THINGS, key, { limit: 5, cursor }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect([(err as AppError).status, (err as AppError).code]).toEqual([422, 'invalid_cursor']);
    }
  });
});

describe('search through another table (SearchThrough)', () => {
  // things t00..t24 belong to owners by amount (0..4): owner o<amount>, named "owner <amount>"; o3 and o4 "shared".
  const owned = (cap: number) =>
    listTable<'at'>({
      select: sql`id, name, kind, at, amount`,
      from: sql`things`,
      sort: { at: sql`at` },
      tieBreak: sql`id`,
      search: {
        equals: [sql`id`],
        through: {
          key: sql`'o' || amount`,
          ids: (_q, pattern) => sql`SELECT id FROM owners WHERE name ILIKE ${pattern}`,
          type: 'text',
          cap,
        },
      },
    });

  beforeAll(async () => {
    await t.pool.query(`CREATE TABLE owners (id text PRIMARY KEY, name text)`);
    await t.pool.query(
      `INSERT INTO owners VALUES ('o0', 'owner 0'), ('o1', 'owner 1'), ('o2', 'owner 2'),
                                 ('o3', 'shared 3'), ('o4', 'shared 4')`,
    );
  });

  it('the same rows whether the matching ids are passed as an array (within the cap) or as a subquery', async () => {
    for (const cap of [500, 1]) {
      const r = await offsetPage<Row>(db(), owned(cap), {
        page: 1,
        limit: 50,
        sort: 'at',
        order: 'asc',
        q: 'SHARED',
      });
      expect(r.total).toBe(10);
      expect(r.rows.map((x) => x.amount).sort()).toEqual([3, 3, 3, 3, 3, 4, 4, 4, 4, 4]);
      // its own equals terms still count beside the other table's matches
      const one = await offsetPage<Row>(db(), owned(cap), {
        page: 1,
        limit: 50,
        sort: 'at',
        order: 'asc',
        q: 't01',
      });
      expect(one.rows.map((x) => x.id)).toEqual(['t01']);
    }
    const none = await offsetPage<Row>(db(), owned(1), {
      page: 1,
      limit: 50,
      sort: 'at',
      order: 'asc',
      q: 'nobody',
    });
    expect(none.total).toBe(0);
  });
});
