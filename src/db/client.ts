/** The connection pool and the Drizzle instance built on it. Repositories take the executor (`db` or `tx`) first. */
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { createHash } from 'node:crypto';
import pg from 'pg';
import { tables } from './tables.js';
import { dialectOf, installFastSql } from './fast-sql.js';

export type Db = NodePgDatabase<typeof tables>;
/** A transaction handle has the same query surface as the database. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type Executor = Db | Tx;

export interface Database {
  pool: pg.Pool;
  db: Db;
  close(): Promise<void>;
}

// bigint columns come back as strings by default; money in minor units fits a JS number up to 2^53.
pg.types.setTypeParser(20, (v) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new Error(`bigint ${v} exceeds the safe integer range`);
  return n;
});

/** Most distinct statements one connection keeps prepared; beyond it, queries go unnamed (parsed each time). */
const MAX_PREPARED_PER_CONNECTION = 2000;
const statementNames = new Map<string, string>();

/**
 * Auto-prepare (as postgres.js and JDBC drivers do): every parameterized query gets a name derived from its text,
 * so each connection parses and plans a statement once and then only binds and executes it. Planning was about
 * half of PostgreSQL's time per webhook event (pg_stat_statements with track_planning, bench/RESULTS.md).
 * Queries without parameters keep the simple protocol (it allows several statements in one string).
 */
function autoPrepare(client: pg.PoolClient): void {
  const prepared = new Set<string>();
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (
    config: unknown,
    ...rest: unknown[]
  ) => {
    const c = config as { text?: unknown; name?: unknown; values?: unknown[]; submit?: unknown } | null;
    if (c && typeof c === 'object' && typeof c.text === 'string' && c.name === undefined && !c.submit) {
      const values = Array.isArray(rest[0]) ? rest[0] : c.values;
      if (values && values.length > 0) {
        let name = statementNames.get(c.text);
        if (name === undefined) {
          name = 'a' + createHash('sha1').update(c.text).digest('hex');
          if (statementNames.size < 20_000) statementNames.set(c.text, name);
        }
        if (prepared.has(name) || prepared.size < MAX_PREPARED_PER_CONNECTION) {
          prepared.add(name);
          return query({ ...c, name }, ...rest);
        }
      }
    }
    return query(config, ...rest);
  };
}

export function connect(url: string, opts: { max?: number; applicationName?: string } = {}): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 20,
    application_name: opts.applicationName ?? 'sertantai',
    connectionTimeoutMillis: 5000,
  });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  pool.on('connect', autoPrepare);
  const db = drizzle(pool, { schema: tables });
  installFastSql(dialectOf(db));
  return { pool, db, close: () => pool.end() };
}
