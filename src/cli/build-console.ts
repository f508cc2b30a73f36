/**
 * The admin console's build for `sertantai start`: `npm install` builds it (the `prepare` script), but a checkout
 * whose build was removed, installed with --ignore-scripts, or whose `web/` sources changed since the build (a
 * `git pull` without a new install) gets it built here, before the server starts — a stale console would call
 * routes that moved. A failed build stops the start with the reason (the console would otherwise answer 503).
 */
import fs from 'node:fs';
import path from 'node:path';
import { CONSOLE_DIST } from '../http/admin-console.routes.js';
import type { Logger } from '../logger.js';

/** The newest modification time of the files under `dir`, but the generated API types (type-only: they change
 *  nothing in the bundle, and `npm run typecheck` rewrites them). */
function newest(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  let t = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || entry.parentPath.split(path.sep).includes('generated')) continue;
    t = Math.max(t, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return t;
}

export async function ensureConsoleBuilt(logger: Logger): Promise<void> {
  const index = path.join(CONSOLE_DIST, 'index.html');
  const built = fs.existsSync(index) ? fs.statSync(index).mtimeMs : 0;
  const web = path.join(CONSOLE_DIST, '..');
  const sources = Math.max(newest(path.join(web, 'src')), fs.statSync(path.join(web, 'index.html')).mtimeMs);
  if (built > 0 && built >= sources) return;
  logger.info(
    { dir: CONSOLE_DIST },
    built
      ? 'admin console older than its sources: rebuilding it'
      : 'admin console not built yet: building it',
  );
  try {
    const { build } = await import('vite');
    await build({ configFile: path.join(CONSOLE_DIST, '..', 'vite.config.ts'), logLevel: 'warn' });
  } catch (e) {
    throw new Error(
      `could not build the admin console (run \`npm run build:web\` to see why): ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}
