/**
 * Whole-row reads and writes for the hot paths (the webhook handlers' mirror upserts), with the column list built
 * once per table. Drizzle's query builder renders every column of a whole-row select, set clause or RETURNING on
 * every call — about 10 µs per column on this machine, 0.3 ms for one 28-column row — which made query building
 * the largest share of the event dispatcher's CPU (bench/RESULTS.md). These helpers emit the same SQL Drizzle would
 * (`"column" AS "key"`, values encoded by the column's own mapToDriverValue) and decode rows with the columns' own
 * mapFromDriverValue, so a row is exactly `typeof table.$inferSelect`.
 */
import { getTableColumns, is, sql, SQL, type Column } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Executor } from './client.js';

interface Shape {
  /** `"col_a" AS "colA", …` for every column. */
  list: SQL;
  columns: Array<[key: string, column: Column]>;
  byKey: Map<string, Column>;
}

const shapes = new WeakMap<PgTable, Shape>();

function shapeOf(table: PgTable): Shape {
  let shape = shapes.get(table);
  if (!shape) {
    const columns = Object.entries(getTableColumns(table)) as Array<[string, Column]>;
    shape = {
      list: sql.raw(columns.map(([key, c]) => `"${c.name}" AS "${key}"`).join(', ')),
      columns,
      byKey: new Map(columns),
    };
    shapes.set(table, shape);
  }
  return shape;
}

function decode<Row>(shape: Shape, raw: Record<string, unknown>): Row {
  const row: Record<string, unknown> = {};
  for (const [key, column] of shape.columns) {
    const v = raw[key];
    row[key] = v === null || v === undefined ? null : column.mapFromDriverValue(v);
  }
  return row as Row;
}

/** Column = value pairs of a partial row (undefined skipped; an SQL value is used as is). */
function pairs(shape: Shape, values: Record<string, unknown>): Array<[Column, SQL]> {
  const out: Array<[Column, SQL]> = [];
  for (const [key, v] of Object.entries(values)) {
    if (v === undefined) continue;
    const column = shape.byKey.get(key);
    if (!column) throw new Error(`no column "${key}"`);
    out.push([column, is(v, SQL) ? v : sql`${sql.param(v, column)}`]);
  }
  return out;
}

export type RowOf<T extends PgTable> = T['$inferSelect'];
export type Values<T extends PgTable> = { [K in keyof T['$inferInsert']]?: T['$inferInsert'][K] | SQL };

/** `SELECT <row> FROM table WHERE …` [ORDER BY …] [LIMIT n] [FOR UPDATE]. */
export async function selectRows<T extends PgTable>(
  tx: Executor,
  table: T,
  where: SQL,
  opts: { forUpdate?: boolean; orderBy?: SQL; limit?: number } = {},
): Promise<RowOf<T>[]> {
  const shape = shapeOf(table);
  const res = await tx.execute<Record<string, unknown>>(
    sql`SELECT ${shape.list} FROM ${table} WHERE ${where}${opts.orderBy ? sql` ORDER BY ${opts.orderBy}` : sql``}${
      opts.limit !== undefined ? sql` LIMIT ${opts.limit}` : sql``
    }${opts.forUpdate ? sql` FOR UPDATE` : sql``}`,
  );
  return res.rows.map((r) => decode<RowOf<T>>(shape, r));
}

/**
 * selectRows plus values computed in the same statement — a lookup in another table, say — returned beside each
 * row as `extra` (one round trip instead of two).
 */
export async function selectRowsWith<T extends PgTable, K extends string>(
  tx: Executor,
  table: T,
  where: SQL,
  extra: Record<K, SQL>,
  opts: { forUpdate?: boolean } = {},
): Promise<Array<{ row: RowOf<T>; extra: Record<K, unknown> }>> {
  const shape = shapeOf(table);
  const keys = Object.keys(extra) as K[];
  const res = await tx.execute<Record<string, unknown>>(
    sql`SELECT ${shape.list}, ${sql.join(
      keys.map((k) => sql`${extra[k]} AS ${sql.identifier(`extra:${k}`)}`),
      sql`, `,
    )} FROM ${table} WHERE ${where}${opts.forUpdate ? sql` FOR UPDATE` : sql``}`,
  );
  return res.rows.map((r) => ({
    row: decode<RowOf<T>>(shape, r),
    extra: Object.fromEntries(keys.map((k) => [k, r[`extra:${k}`] ?? null])) as Record<K, unknown>,
  }));
}

/**
 * `UPDATE table SET … WHERE … RETURNING <row>`. `opts.with`: named data-modifying statements run in the same
 * statement (`WITH a AS (…), b AS (…) UPDATE …`), for writes of other tables that need no result (fewer round trips).
 */
export async function updateRows<T extends PgTable>(
  tx: Executor,
  table: T,
  values: Values<T>,
  where: SQL,
  opts: { with?: SQL } = {},
): Promise<RowOf<T>[]> {
  const shape = shapeOf(table);
  const set = sql.join(
    pairs(shape, values).map(([c, v]) => sql`${sql.identifier(c.name)} = ${v}`),
    sql`, `,
  );
  const res = await tx.execute<Record<string, unknown>>(
    sql`${opts.with ? sql`WITH ${opts.with} ` : sql``}UPDATE ${table} SET ${set} WHERE ${where} RETURNING ${shape.list}`,
  );
  return res.rows.map((r) => decode<RowOf<T>>(shape, r));
}

/** `INSERT INTO table (…) VALUES (…) ON CONFLICT DO NOTHING RETURNING <row>`: empty when the row existed. */
export async function insertRowIfAbsent<T extends PgTable>(
  tx: Executor,
  table: T,
  values: Values<T>,
): Promise<RowOf<T>[]> {
  const shape = shapeOf(table);
  const p = pairs(shape, values);
  const res = await tx.execute<Record<string, unknown>>(sql`
    INSERT INTO ${table} (${sql.join(
      p.map(([c]) => sql.identifier(c.name)),
      sql`, `,
    )})
    VALUES (${sql.join(
      p.map(([, v]) => v),
      sql`, `,
    )})
    ON CONFLICT DO NOTHING RETURNING ${shape.list}`);
  return res.rows.map((r) => decode<RowOf<T>>(shape, r));
}
