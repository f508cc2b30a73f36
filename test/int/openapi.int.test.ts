/**
 * The OpenAPI document lists every route of the app's route table and is valid OpenAPI 3.1: against the official
 * 3.1 JSON Schema (@seriousme/openapi-schema-validator), plus the rules that schema cannot express (unique operation
 * ids, declared path parameters), and openapi-typescript (which types the console) turns it into types. The route
 * table is read independently of the app's own collector: Fastify's factory is wrapped so that an onRoute hook is
 * on the instance before any plugin registers (printRoutes() cannot be used: it drops nested wildcard routes).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import openapiTS from 'openapi-typescript';
import { Validator } from '@seriousme/openapi-schema-validator';
import { testApp, type TestApp } from '../helpers/app.js';

const registered = vi.hoisted(() => [] as string[]);
vi.mock('fastify', async (importOriginal) => {
  const mod = await importOriginal<typeof import('fastify')>();
  const fastify = mod.default as unknown as (...args: unknown[]) => import('fastify').FastifyInstance;
  const create = ((...args: unknown[]) => {
    const app = fastify(...args);
    app.addHook('onRoute', (r) => {
      for (const m of [r.method].flat()) registered.push(`${String(m)} ${r.url}`);
    });
    return app;
  }) as typeof mod.default;
  return { ...mod, default: Object.assign(create, mod.default) };
});

let h: TestApp;
beforeAll(async () => {
  h = await testApp();
});
afterAll(() => h?.close());

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'options'];

interface Operation {
  operationId: string;
  parameters: Array<{ name: string; in: string }>;
  responses: Record<string, unknown>;
}
type Doc = {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
};

describe('GET /openapi.json', () => {
  it('is OpenAPI 3.1 and lists every route of the route table', async () => {
    const res = await h.app.inject({ url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json<Doc>();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBe('Sertantai Billing');

    const ops: Array<{ method: string; path: string; op: Operation }> = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      expect(path.startsWith('/')).toBe(true);
      for (const [method, op] of Object.entries(item)) {
        expect(METHODS).toContain(method);
        ops.push({ method, path, op });
      }
    }
    // The documented operations are exactly the registered routes (a HEAD that mirrors a GET is the GET's).
    const documented = ops
      .map(
        ({ method, path }) =>
          `${method.toUpperCase()} ${path.replace(/\{wildcard\}/g, '*').replace(/\{(\w+)\}/g, ':$1')}`,
      )
      .sort();
    const routes = registered
      .filter((r) => !(r.startsWith('HEAD ') && registered.includes(`GET ${r.slice(5)}`)))
      .sort();
    expect(documented).toEqual(routes);
    expect(routes.length).toBeGreaterThan(50);
    for (const route of routes) {
      const [method, url] = route.split(' ') as ['GET', string];
      expect(h.app.hasRoute({ method, url }), route).toBe(true);
    }

    // Structure: unique operation ids, each path parameter declared, a response for each operation.
    const ids = ops.map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { path, op } of ops) {
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      expect(op.parameters.filter((p) => p.in === 'path').map((p) => p.name)).toEqual(inPath);
      expect(Object.keys(op.responses).length).toBeGreaterThan(0);
    }

    const validation = await new Validator().validate(doc as unknown as Record<string, unknown>);
    expect(validation.errors ?? []).toEqual([]);
    expect(validation.valid).toBe(true);
    const ast = await openapiTS(JSON.stringify(doc));
    expect(ast.length).toBeGreaterThan(0);
  });

  it('carries the zod schemas a route validates with: query parameters and the response', async () => {
    const doc = (await h.app.inject({ url: '/openapi.json' })).json<Doc>();
    const op = doc.paths['/api/admin/customers']!.get as unknown as {
      parameters: Array<{ name: string; in: string; schema: { enum?: string[]; default?: unknown } }>;
      responses: { '200': { content: { 'application/json': { schema: { required: string[] } } } } };
    };
    const sort = op.parameters.find((p) => p.name === 'sort')!;
    expect(sort.in).toBe('query');
    expect(sort.schema.enum).toEqual(['created_at', 'email', 'name']);
    expect(op.parameters.find((p) => p.name === 'limit')!.schema.default).toBe(50);
    expect(op.responses['200'].content['application/json'].schema.required).toEqual([
      'items',
      'page',
      'limit',
      'total',
      'totalExact',
    ]);
  });
});

describe('GET /docs', () => {
  it('is a browsable HTML page of the same document', async () => {
    const res = await h.app.inject({ url: '/docs' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('/api/admin/customers');
    expect(res.body).toContain('List customers');
    expect(res.body).not.toContain('<script');
  });
});
