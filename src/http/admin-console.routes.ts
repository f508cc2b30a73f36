/**
 * The admin console (web/, a React app built by Vite into web/dist) under `/admin`.
 * - `/admin/assets/*`: the built, content-hashed files, pre-compressed (cached for a year; code, not data).
 * - `/admin` and `/admin/*` (client-side routes): the app's index.html for an admin session; a signed-in
 *   non-admin gets a 403 page; an anonymous visitor is sent to the sign-in page at `/?next=<this page>`.
 *   The API calls the console makes are guarded on their own (requireAdmin), this only decides what page to show.
 * Without a build (web/dist/index.html) the console answers 503 with how to build it; `npm install` and
 * `npm start` build it, so a user never sees that.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { sessionOf } from './guards.js';

export const CONSOLE_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/dist');

const page = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Sertantai Billing</title>
<style>body{font:16px/1.5 system-ui,sans-serif;color:#1d2330;background:#f6f7f9;margin:0}
main{max-width:560px;margin:12vh auto;padding:24px;background:#fff;border:1px solid #dde1e7;border-radius:8px}
h1{font-size:22px;margin-top:0}</style></head><body><main>${body}</main></body></html>`;

const FORBIDDEN_PAGE = page(
  'Administrators only',
  `<h1>403 · Administrators only</h1><p>You are signed in, but the admin console is for administrators.</p>
<p><a href="/">Back to your account</a></p>`,
);
const NOT_BUILT_PAGE = page(
  'Console not built',
  `<h1>503 · The admin console is not built</h1><p>Run <code>npm run build:web</code> (or <code>npm install</code>), then reload.</p>`,
);

export const adminConsoleRoutes: FastifyPluginAsync = async (app) => {
  const indexFile = path.join(CONSOLE_DIST, 'index.html');
  const built = fs.existsSync(indexFile);
  if (!built) app.log.warn({ dir: CONSOLE_DIST }, 'admin console not built: /admin answers 503');
  const indexHtml = built ? fs.readFileSync(indexFile, 'utf8') : '';

  if (built) {
    await app.register(fastifyStatic, {
      root: path.join(CONSOLE_DIST, 'assets'),
      prefix: '/admin/assets/',
      preCompressed: true,
      immutable: true,
      maxAge: '365d',
      index: false,
    });
  }

  const shell = async (request: FastifyRequest, reply: FastifyReply) => {
    reply.header('cache-control', 'no-store');
    const user = await sessionOf(request);
    if (!user) return reply.redirect(`/?next=${encodeURIComponent(request.url)}`, 302);
    if (user.role !== 'admin') return reply.status(403).type('text/html; charset=utf-8').send(FORBIDDEN_PAGE);
    if (!built) return reply.status(503).type('text/html; charset=utf-8').send(NOT_BUILT_PAGE);
    return reply.type('text/html; charset=utf-8').send(indexHtml);
  };
  const doc = { summary: 'The admin console (HTML; client-side routes)', produces: 'text/html' };
  app.get('/admin', { config: { doc } }, shell);
  app.get('/admin/*', { config: { doc } }, shell);
};
