/**
 * `/openapi.json` and `/docs`. Registered first in buildApp and not encapsulated (skip-override), so its onRoute hook
 * sees every route the app registers after it: the route table is the source of the document, and the document is
 * built once, when the app is ready.
 */
import fs from 'node:fs';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { docsPage } from './docs-page.js';
import { openApiDocument, type OpenApiDocument, type TableRoute } from './openapi-document.js';

const VERSION = (
  JSON.parse(fs.readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered on the app (method, url, doc), in registration order. */
    routeTable: TableRoute[];
  }
}

const plugin: FastifyPluginAsync = async (app: FastifyInstance) => {
  const table: TableRoute[] = [];
  app.decorate('routeTable', table);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      table.push({ method: String(method), url: route.url, doc: route.config?.doc });
    }
  });

  let built: { doc: OpenApiDocument; html: string } | undefined;
  const document = () => {
    if (!built) {
      const doc = openApiDocument(table, VERSION);
      built = { doc, html: docsPage(doc) };
    }
    return built;
  };
  app.addHook('onReady', async () => void document());

  app.get(
    '/openapi.json',
    { config: { doc: { summary: 'This OpenAPI document', produces: 'application/json' } } },
    async () => document().doc,
  );
  app.get(
    '/docs',
    { config: { doc: { summary: 'The browsable API reference', produces: 'text/html' } } },
    async (_request, reply) => reply.type('text/html; charset=utf-8').send(document().html),
  );
};
// Not encapsulated: the onRoute hook must see the routes of sibling plugins registered after this one.
(plugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;

export const openApiRoutes = plugin;
