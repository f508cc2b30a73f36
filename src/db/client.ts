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

/**
 * A statement starting with this comment is never auto-prepared: it goes unnamed, so PostgreSQL plans it for its
 * parameters' values at every call. For statements whose best plan depends on the values — a search term (a
 * trigram index for a rare term, the sort order for a common one), a status filter — a prepared statement's generic
 * plan, which PostgreSQL switches to after five calls, can be 100× slower (the customers search walked all 100k
 * customers in created_at order: 1.6 s instead of 2 ms; src/db/list-query.ts). Planning them costs about a
 * millisecond.
 */
export const PLAN_EACH_CALL = '/* plan each call */';

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
  const cork = autoCork(client);
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (
    config: unknown,
    ...rest: unknown[]
  ) => {
    cork();
    const c = config as { text?: unknown; name?: unknown; values?: unknown[]; submit?: unknown } | null;
    if (c && typeof c === 'object' && typeof c.text === 'string' && c.name === undefined && !c.submit) {
      const values = Array.isArray(rest[0]) ? rest[0] : c.values;
      if (values && values.length > 0 && !c.text.startsWith(PLAN_EACH_CALL)) {
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

/**
 * Pipelining: a query is written as soon as it is issued, even while earlier ones on the connection are still
 * running (node-postgres' `pipeline` mode; each query keeps its own Sync, so results, errors and transaction
 * semantics are those of the same queries awaited one by one). Code that awaits each query behaves as before;
 * code that issues several at once (the webhook dispatcher applying a batch's events of different customers
 * together) pays one round trip for all of them instead of one each. Queries issued in the same tick leave in one
 * write: the socket is corked at the first and uncorked on the next tick (each write is a system call that costs
 * about as much as PostgreSQL's execution of a small statement, bench/RESULTS.md).
 */
function autoCork(client: pg.PoolClient): () => void {
  const stream = (client as unknown as { connection?: { stream?: Partial<NodeJS.WritableStream> } })
    .connection?.stream as { cork?(): void; uncork?(): void } | undefined;
  if (!stream?.cork || !stream.uncork) return () => {};
  let corked = false;
  const uncork = () => {
    corked = false;
    stream.uncork!();
  };
  return () => {
    if (corked) return;
    corked = true;
    stream.cork!();
    process.nextTick(uncork);
  };
}

export function connect(url: string, opts: { max?: number; applicationName?: string } = {}): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 20,
    application_name: opts.applicationName ?? 'sertantai',
    connectionTimeoutMillis: 5000,
    pipeline: true,
  });
  // A client's error (the server restarted or killed its backend) must not crash the process, idle or checked out:
  // the pool handles an idle one's; a checked-out client emits it on itself, where only this listener hears it. Its
  // query in flight rejects, the pool drops it when it is released, and the next query connects anew.
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    client.on('error', () => {});
    autoPrepare(client);
  });
  const db = drizzle(pool, { schema: tables });
  installFastSql(dialectOf(db));
  return { pool, db, close: () => pool.end() };
}
