/**
 * A faster rendering of Drizzle `SQL` to query text and parameters, installed on our Drizzle instance's dialect
 * (`installFastSql`), so every query — builder or `sql` template — renders through it.
 *
 * Why: Drizzle renders a statement by mapping every chunk to a `{ sql, params }` object and merging them, and it
 * classifies each chunk with `is()`, which walks the prototype chain whenever the check fails — the common case,
 * since a chunk is tried against StringChunk, Name, SQL, Table, Column, … in turn. In the webhook dispatcher that
 * was 17 % of the process's CPU in `is()` alone and about 40 % in rendering (bench/RESULTS.md). This renders the
 * same text into one string with `instanceof` tests (one drizzle-orm install, so `instanceof` is exact).
 *
 * It renders the chunk kinds our statements use: strings, names, nested SQL and arrays, tables, columns, params
 * (through their encoder) and plain values, and aliased fields. Anything else — placeholders, views, subqueries,
 * enums, other SQL wrappers, inlined params — makes it give up and defer to Drizzle's own renderer for the whole
 * statement, so the result is always Drizzle's text (src/db/fast-sql.int.test.ts compares the two).
 */
import * as drizzleOrm from 'drizzle-orm';
import { Column, Name, Param, Placeholder, SQL, StringChunk, Table } from 'drizzle-orm';
import type { PgDialect } from 'drizzle-orm/pg-core';

// Drizzle-internal symbols (present at run time, left out of its types): a table's schema, name and alias mark.
const internal = drizzleOrm as unknown as {
  IsAlias: symbol;
  Table: { Symbol: { Schema: symbol; Name: symbol } };
};
const { IsAlias } = internal;
const { Schema: SchemaOf, Name: NameOf } = internal.Table.Symbol;

type Query = { sql: string; params: unknown[] };
interface BuildConfig {
  casing: { getColumnCasing(column: Column): string };
  invokeSource?: string;
}

/** Thrown inside the renderer when a chunk is one it leaves to Drizzle. */
const UNSUPPORTED = Symbol('unsupported');

const escapeName = (name: string) => `"${name.replace(/"/g, '""')}"`;

function render(chunks: readonly unknown[], config: BuildConfig, out: Query): void {
  for (const chunk of chunks) {
    if (chunk instanceof StringChunk) {
      const v = chunk.value as unknown as string[];
      out.sql += v.length === 1 ? v[0] : v.join('');
    } else if (chunk instanceof SQL) {
      if ((chunk as unknown as { shouldInlineParams: boolean }).shouldInlineParams) throw UNSUPPORTED;
      render(chunk.queryChunks, config, out);
    } else if (chunk instanceof Param) {
      const value = chunk.value as unknown;
      if (value instanceof Placeholder) throw UNSUPPORTED;
      const mapped = value === null ? null : chunk.encoder.mapToDriverValue(value);
      if (mapped instanceof SQL) {
        render([mapped], config, out);
      } else {
        out.params.push(mapped);
        out.sql += `$${out.params.length}`;
      }
    } else if (chunk instanceof Column) {
      if (config.invokeSource === 'indexes') throw UNSUPPORTED;
      const table = chunk.table as unknown as Record<symbol, string | boolean | undefined>;
      const schema = table[SchemaOf] as string | undefined;
      const tableName = escapeName(table[NameOf] as string);
      const column = escapeName(config.casing.getColumnCasing(chunk));
      out.sql +=
        table[IsAlias] || schema === undefined
          ? `${tableName}.${column}`
          : `${escapeName(schema)}.${tableName}.${column}`;
    } else if (chunk instanceof Table) {
      const table = chunk as unknown as Record<symbol, string | boolean | undefined>;
      const schema = table[SchemaOf] as string | undefined;
      const name = escapeName(table[NameOf] as string);
      out.sql += schema === undefined || table[IsAlias] ? name : `${escapeName(schema)}.${name}`;
    } else if (chunk instanceof Name) {
      out.sql += escapeName(chunk.value);
    } else if (chunk === undefined) {
      // nothing: Drizzle renders an undefined chunk as ''
    } else if (Array.isArray(chunk)) {
      out.sql += '(';
      for (let i = 0; i < chunk.length; i++) {
        if (i > 0) out.sql += ', ';
        render([chunk[i]], config, out);
      }
      out.sql += ')';
    } else if (chunk instanceof SQL.Aliased && chunk.fieldAlias !== undefined) {
      out.sql += escapeName(chunk.fieldAlias);
    } else if (
      chunk === null ||
      (typeof chunk !== 'object' && typeof chunk !== 'function') ||
      chunk instanceof Date ||
      (Object.getPrototypeOf(chunk) === Object.prototype && !('getSQL' in (chunk as object)))
    ) {
      // A value: a parameter, as Drizzle makes of any chunk it does not recognise.
      out.params.push(chunk);
      out.sql += `$${out.params.length}`;
    } else {
      // Placeholders, views, subqueries, enums, SQL wrappers, aliased SQL without an alias: Drizzle's job.
      throw UNSUPPORTED;
    }
  }
}

/** Renders `sql` as Drizzle's PostgreSQL dialect would, or returns undefined to defer to it. */
export function renderSql(sql: SQL, config: BuildConfig): Query | undefined {
  const out: Query = { sql: '', params: [] };
  try {
    render([sql], config, out);
  } catch (e) {
    if (e === UNSUPPORTED) return undefined;
    throw e;
  }
  return out;
}

/** Makes `dialect` render through renderSql first (this dialect instance only). */
export function installFastSql(dialect: PgDialect): void {
  const drizzleRender = dialect.sqlToQuery.bind(dialect);
  // `casing` is Drizzle-internal (not in its types): the column-name cache the dialect renders with.
  const { casing } = dialect as unknown as Pick<BuildConfig, 'casing'>;
  dialect.sqlToQuery = (sql, invokeSource) =>
    renderSql(sql, { casing, invokeSource }) ?? drizzleRender(sql, invokeSource);
}

/** The dialect a Drizzle database renders with (Drizzle-internal: not in its types). */
export const dialectOf = (db: object) => (db as { dialect: PgDialect }).dialect;
