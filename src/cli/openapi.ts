/**
 * `sertantai openapi [--out file]`: the OpenAPI document, without a database or a server. It builds the real app
 * (routes register without touching the database; the pool connects lazily and is never used) and prints what
 * `/openapi.json` would answer. `npm run gen:api` types the console's client from it.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { buildApp } from '../http/app.js';
import { createLogger } from '../logger.js';
import { buildDeps } from './build-deps.js';

// Never connected: building the app only registers routes.
const UNUSED_DATABASE_URL = 'postgres://openapi@127.0.0.1:1/openapi';

export async function openApiJson(): Promise<string> {
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    AUTH_SECRET: 'openapi-document-only-0123456789abcdef',
    LOG_LEVEL: 'error',
  });
  const logger = createLogger({ level: 'error' });
  const deps = buildDeps(config, { databaseUrl: UNUSED_DATABASE_URL, logger, maintenance: false });
  const app = await buildApp(deps, { defaultMetrics: false });
  try {
    await app.ready();
    const res = await app.inject({ url: '/openapi.json' });
    if (res.statusCode !== 200) throw new Error(`/openapi.json answered ${res.statusCode}`);
    return JSON.stringify(res.json(), null, 2) + '\n';
  } finally {
    await app.close();
    await deps.database.close();
  }
}

export function registerOpenApiCommand(program: Command): Command {
  return program
    .command('openapi')
    .description('Print the OpenAPI 3.1 document of the HTTP API (no database needed)')
    .option('--out <file>', 'write it to a file instead of stdout')
    .action(async (opts: { out?: string }) => {
      const json = await openApiJson();
      if (!opts.out) return void process.stdout.write(json);
      await fs.mkdir(path.dirname(opts.out), { recursive: true });
      await fs.writeFile(opts.out, json);
    });
}
