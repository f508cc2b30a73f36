/** The minimal page at `/` (plain HTML + a little JS): sign up, sign in, see /api/me, sign out. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';
import type { Deps } from '../deps.js';

const PUBLIC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'public');
// Built-in social providers and generic OAuth/OIDC ones (okta, airtable) all sign in through /sign-in/social.
const PROVIDERS = ['google', 'github', 'microsoft', 'linkedin', 'okta', 'airtable'] as const;

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export const pageRoutes: FastifyPluginAsync<{ deps: Deps }> = async (app, { deps }) => {
  const providers = PROVIDERS.filter((p) => deps.config.oauth[p]);
  const html = (await fs.readFile(path.join(PUBLIC_DIR, 'index.html'), 'utf8')).replace(
    '{{PROVIDERS}}',
    escapeAttr(JSON.stringify(providers)),
  );
  const js = await fs.readFile(path.join(PUBLIC_DIR, 'app.js'), 'utf8');

  app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(html));
  app.get('/app.js', async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(js),
  );
};
