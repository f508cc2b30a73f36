/**
 * The admin console's build for `sertantai start`: `npm install` builds it (the `prepare` script), but a checkout
 * whose build was removed, or installed with --ignore-scripts, gets it built here, once, before the server starts.
 * A failed build stops the start with the reason (the console would otherwise answer 503).
 */
import fs from 'node:fs';
import path from 'node:path';
import { CONSOLE_DIST } from '../http/admin-console.routes.js';
import type { Logger } from '../logger.js';

export async function ensureConsoleBuilt(logger: Logger): Promise<void> {
  if (fs.existsSync(path.join(CONSOLE_DIST, 'index.html'))) return;
  logger.info({ dir: CONSOLE_DIST }, 'admin console not built yet: building it (vite build)');
  try {
    const { build } = await import('vite');
    await build({ configFile: path.join(CONSOLE_DIST, '..', 'vite.config.ts'), logLevel: 'warn' });
  } catch (e) {
    throw new Error(
      `could not build the admin console (run \`npm run build:web\` to see why): ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}
