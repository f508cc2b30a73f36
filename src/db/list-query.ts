/**
 * The one list-query builder behind every admin table: a table declares once what may be sorted and searched
 * (whitelists of SQL expressions, never column names from the request), and a request's filters are plain
 * conditions; the builder adds the search, the order (with a unique tie-break, so pages never overlap), and either
 * offset paging with the total (`offsetPage`) or keyset paging with an opaque cursor (`keysetPage`, for logs that
 * grow while they are read).
 *
 *   const CUSTOMERS = listTable({
 *     select: sql`c.*`, from: sql`customers c`, tieBreak: sql`c.id`,
 *     sort: { created_at: sql`c.created_at`, email: sql`c.email` },
 *     search: { contains: [sql`c.email`], equals: [sql`c.stripe_customer_id`] },
 *   });
 *   const { rows, total } = await offsetPage<Row>(db, CUSTOMERS, p, [anyOf(sql`c.status`, p.status)]);
 */
import { sql, type SQL } from 'drizzle-orm';
import { PLAN_EACH_CALL, type Executor } from './client.js';
import { invalid } from '../errors.js';

export interface ListTable<S extends string> {
  /** The selected columns (rows come back with these names). */
  select: SQL;
  /** `FROM …` without the keyword: the table and its joins, with the aliases the other fragments use. */
  from: SQL;
  /** Sortable expressions by the name the API accepts. */
  sort: Record<S, SQL>;
  /** A unique expression that orders ties (the primary key). */
  tieBreak: SQL;
  /**
   * What `q` searches: `contains` by case-insensitive substring, `equals` by exact match (ids); or `where`, the
   * condition written out (to keep each side of an OR on one table, where an index can serve it).
   */
  search?: {
    contains?: SQL[];
    equals?: SQL[];
    where?: (q: string, pattern: string) => SQL;
    /** Rows found through another table's matches (e.g. a customer's email): see `SearchThrough`. */
    through?: SearchThrough;
  };
  /** Sort keys whose column may be null: their nulls go last (other keys keep the order their index has). */
  nullable?: readonly S[];
  /** A condition every row of this table satisfies (e.g. not deleted). */
  always?: SQL;
}

/**
 * A search through another table: the list keeps its rows whose `key` (e.g. `pay.customer_id`) is one of the ids
 * `ids(q, pattern)` selects (e.g. the customers whose email contains q, by their trigram index), besides the rows
 * its own `contains` / `equals` terms match. The builder bounds the candidates first: it asks for at most `cap` + 1
 * ids (default 500) and, when there are no more than `cap`, filters by that literal array — the list's index on
 * `key` then reads a few thousand rows at most, whatever the sort. A subquery or a join instead leaves the planner
 * to guess how many match, and at 100k customers it guessed "many" and walked two million payments in sort order
 * (7 s, bench/RESULTS.md). Only when more than `cap` ids match (a term most rows share) does the condition stay the
 * `key IN (ids)` subquery, where walking in sort order does find a page quickly.
 */
export interface SearchThrough {
  key: SQL;
  ids: (q: string, pattern: string) => SQL;
  /** The array's element type (a cast for the parameter). */
  type: 'uuid' | 'text';
  cap?: number;
}

export const SEARCH_CANDIDATES_CAP = 500;

export const listTable = <S extends string>(t: ListTable<S>): ListTable<S> => t;

/** A filter: absent filters are `undefined` (or `false`) and drop out. */
export type Condition = SQL | undefined | false | null;

/** `column IN (values)`, or no condition when `values` is absent. */
export function anyOf(column: SQL, values: readonly (string | number)[] | undefined): Condition {
  if (!values) return undefined;
  if (values.length === 0) return sql`false`;
  return sql`${column} IN (${sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  )})`;
}

/** `column = value`, or no condition when `value` is undefined. */
export const equals = (column: SQL, value: string | number | boolean | undefined): Condition =>
  value === undefined ? undefined : sql`${column} = ${value}`;

/** `from <= column < to`, each bound optional. */
export const within = (column: SQL, from: Date | undefined, to: Date | undefined): SQL[] => [
  ...(from ? [sql`${column} >= ${from}`] : []),
  ...(to ? [sql`${column} < ${to}`] : []),
];

/** `%…%` pattern for ILIKE with the user's wildcards escaped. */
export const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Every list statement is planned for its values (src/db/client.ts, PLAN_EACH_CALL): a search or filter's best plan
 * depends on how many rows match, which a prepared statement's generic plan cannot know.
 */
const planEachCall = sql.raw(`${PLAN_EACH_CALL} `);

async function searchOf(db: Executor, t: ListTable<string>, q: string | undefined): Promise<Condition> {
  if (!q || !t.search) return undefined;
  const pat = likePattern(q);
  if (t.search.where) return sql`(${t.search.where(q, pat)})`;
  const terms = [
    ...(t.search.contains ?? []).map((c) => sql`${c} ILIKE ${pat}`),
    ...(t.search.equals ?? []).map((c) => sql`${c} = ${q}`),
  ];
  const through = t.search.through;
  if (through) {
    const cap = through.cap ?? SEARCH_CANDIDATES_CAP;
    const found = await db.execute<{ id: string }>(
      sql`${planEachCall}SELECT id FROM (${through.ids(q, pat)}) AS candidates(id) LIMIT ${cap + 1}`,
    );
    const ids = found.rows.map((r) => r.id);
    terms.push(
      ids.length <= cap
        ? sql`${through.key} = ANY(${sql.param(ids)}::${sql.raw(through.type)}[])`
        : sql`${through.key} IN (${through.ids(q, pat)})`,
    );
  }
  return terms.length ? sql`(${sql.join(terms, sql` OR `)})` : undefined;
}

async function whereOf(
  db: Executor,
  t: ListTable<string>,
  q: string | undefined,
  conditions: readonly Condition[],
): Promise<SQL> {
  const all = [t.always, ...conditions, await searchOf(db, t, q)].filter((c): c is SQL => !!c);
  return all.length ? sql`WHERE ${sql.join(all, sql` AND `)}` : sql``;
}

export interface OffsetParams<S extends string> {
  page: number;
  limit: number;
  sort: S;
  order: 'asc' | 'desc';
  q?: string | undefined;
}

/**
 * Matches are counted up to this many past the page shown: counting two million invoices to print "of 2,000,000"
 * would cost more than the page itself. Beyond it the total is a lower bound (`totalExact: false`, shown "10,000+").
 */
export const COUNT_CAP = 10_000;

/**
 * One page (1-based) of the table's rows matching `conditions` and `p.q`, and how many match: exactly when there
 * are at most COUNT_CAP past the page's start, else that lower bound with `totalExact: false`.
 */
export async function offsetPage<R, S extends string = string>(
  db: Executor,
  t: ListTable<S>,
  p: OffsetParams<S>,
  conditions: readonly Condition[] = [],
): Promise<{ rows: R[]; total: number; totalExact: boolean }> {
  const where = await whereOf(db, t, p.q, conditions);
  const dir = p.order === 'asc' ? sql`ASC` : sql`DESC`;
  const offset = (p.page - 1) * p.limit;
  const countUpTo = offset + COUNT_CAP + 1;
  // The two statements leave together on the pipelined connection (src/db/client.ts).
  const [rows, counted] = await Promise.all([
    db.execute(sql`${planEachCall}SELECT ${t.select} FROM ${t.from} ${where}
      ORDER BY ${t.sort[p.sort]} ${dir}${t.nullable?.includes(p.sort) ? sql` NULLS LAST` : sql``}, ${t.tieBreak} ${dir}
      LIMIT ${p.limit} OFFSET ${offset}`),
    db.execute<{ n: number }>(
      sql`${planEachCall}SELECT count(*)::int AS n FROM (SELECT 1 FROM ${t.from} ${where} LIMIT ${countUpTo}) matches`,
    ),
  ]);
  const n = counted.rows[0]?.n ?? 0;
  return {
    rows: rows.rows as R[],
    total: n === countUpTo ? n - 1 : n,
    totalExact: n < countUpTo,
  };
}

export interface KeysetParams {
  limit: number;
  cursor?: string | undefined;
  q?: string | undefined;
}

/**
 * A page of the table's rows, newest first by `key` (an expression pair: a time and the unique tie-break), after
 * the position `p.cursor` names; `nextCursor` is null on the last page. A page costs the same at any depth and
 * stays stable while new rows arrive at the top.
 */
export async function keysetPage<R>(
  db: Executor,
  t: ListTable<string>,
  key: { at: SQL; id: SQL; of(row: R): [Date | string, string]; idPattern?: RegExp },
  p: KeysetParams,
  conditions: readonly Condition[] = [],
): Promise<{ rows: R[]; nextCursor: string | null }> {
  const after = p.cursor ? decodeCursor(p.cursor, key.idPattern) : null;
  const where = await whereOf(db, t, p.q, [
    ...conditions,
    after && sql`(${key.at}, ${key.id}) < (${after.at}, ${after.id})`,
  ]);
  const res = await db.execute(sql`${planEachCall}SELECT ${t.select} FROM ${t.from} ${where}
    ORDER BY ${key.at} DESC, ${key.id} DESC LIMIT ${p.limit + 1}`);
  const rows = (res.rows as R[]).slice(0, p.limit);
  const last = rows[rows.length - 1];
  return {
    rows,
    nextCursor: res.rows.length > p.limit && last ? encodeCursor(...key.of(last)) : null,
  };
}

function encodeCursor(at: Date | string, id: string): string {
  return Buffer.from(JSON.stringify([new Date(at).toISOString(), id])).toString('base64url');
}

function decodeCursor(cursor: string, idPattern: RegExp | undefined): { at: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    const d = new Date(at as string);
    if (typeof at !== 'string' || typeof id !== 'string' || id.length > 200 || Number.isNaN(d.getTime()))
      throw new Error('bad cursor');
    if (idPattern && !idPattern.test(id)) throw new Error('bad cursor');
    return { at: d, id };
  } catch {
    throw invalid('invalid_cursor', 'The cursor is not one this endpoint returned');
  }
}
