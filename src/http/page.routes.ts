/**
 * The customer's pages: `/`, `/sign-in`, `/sign-up`, `/forgot-password`, `/reset-password`, `/verify-email` and
 * `/account` serve the one web app (web/dist, the same build as the admin console under /admin, which lazy-loads
 * the customer's pages or the console by path). The page carries the list of CONFIGURED sign-in providers (a button
 * each); what a page shows is decided by the API it calls, so these routes are public.
 * Without a build they answer 503 with how to build it (as /admin does).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Deps } from '../deps.js';
import { CONSOLE_DIST } from './admin-console.routes.js';

// Built-in social providers and generic OAuth/OIDC ones (okta, airtable) all sign in through /sign-in/social.
const PROVIDERS = ['google', 'github', 'microsoft', 'linkedin', 'okta', 'airtable'] as const;
export const CUSTOMER_PAGES = [
  '/',
  '/sign-in',
  '/sign-up',
  '/forgot-password',
  '/reset-password',
  '/verify-email',
  '/account',
] as const;

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export const pageRoutes: FastifyPluginAsync<{ deps: Deps }> = async (app, { deps }) => {
  const providers = PROVIDERS.filter((p) => deps.config.oauth[p]);
  const indexFile = path.join(CONSOLE_DIST, 'index.html');
  const built = fs.existsSync(indexFile);
  const html = built
    ? fs
        .readFileSync(indexFile, 'utf8')
        .replace('<title>Sertantai Billing · Admin</title>', '<title>Sertantai Billing</title>')
        .replace('<body>', `<body data-providers="${escapeAttr(JSON.stringify(providers))}">`)
    : '';

  const page = async (_request: unknown, reply: FastifyReply) => {
    reply.header('cache-control', 'no-store');
    if (!built) {
      return reply
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('The web app is not built: run `npm run build:web`, then reload.');
    }
    return reply.type('text/html; charset=utf-8').send(html);
  };
  const doc = { summary: "The customer's pages (HTML; the web app)", produces: 'text/html' };
  for (const url of CUSTOMER_PAGES) app.get(url, { config: { doc } }, page);
};
