/** The minimal page at `/` (plain HTML + a little JS): sign up, sign in, see /api/me, sign out. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';
import type { Deps } from '../deps.js';

const PUBLIC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'public');
const SOCIAL = ['google', 'github', 'microsoft', 'linkedin'] as const;
const GENERIC = ['okta', 'airtable'] as const;

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export const pageRoutes: FastifyPluginAsync<{ deps: Deps }> = async (app, { deps }) => {
  const providers = [
    ...SOCIAL.filter((p) => deps.config.oauth[p]).map((id) => ({ id, kind: 'social' })),
    ...GENERIC.filter((p) => deps.config.oauth[p]).map((id) => ({ id, kind: 'oauth2' })),
  ];
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
