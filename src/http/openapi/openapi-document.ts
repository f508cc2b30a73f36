/**
 * The OpenAPI 3.1 document, built from the app's own route table (collected by `route-table.ts`) and the zod
 * schemas routes carry in `config.doc` (`src/route-doc.ts`). Pure: no I/O, the same table gives the same document.
 *
 * Every route appears: Fastify `:id` and `*` become `{id}` and `{wildcard}` path parameters; a route without a doc
 * still gets its method, path, parameters and the shared error response. Query parameters are the top-level
 * properties of the query schema (input side: what a client sends); the response schema is the output side.
 */
import { z } from 'zod';
import type { RouteDoc } from '../../route-doc.js';

export interface TableRoute {
  method: string;
  url: string;
  doc?: RouteDoc | undefined;
}

type JsonSchema = Record<string, unknown>;

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, unknown> };
}

const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'requestId'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        requestId: { type: 'string' },
        details: {},
      },
    },
  },
};

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/** `/api/admin/users/:id/role-override` → `/api/admin/users/{id}/role-override`; `*` → `{wildcard}`. */
export function openApiPath(url: string): { path: string; pathParams: string[] } {
  const pathParams: string[] = [];
  const path = url
    .split('/')
    .map((segment) => {
      if (segment.startsWith(':')) {
        const name = segment.slice(1).replace(/\(.*$/, '');
        pathParams.push(name);
        return `{${name}}`;
      }
      if (segment === '*') {
        pathParams.push('wildcard');
        return '{wildcard}';
      }
      return segment;
    })
    .join('/');
  return { path: path === '' ? '/' : path, pathParams };
}

function defaultTag(url: string): string {
  const parts = url.split('/').filter((p) => p && !p.startsWith(':') && p !== '*');
  if (parts[0] === 'api' && parts[1] === 'admin') return `admin: ${parts[2] ?? 'admin'}`;
  if (parts[0] === 'api') return parts[1] ?? 'api';
  return parts[0] ?? 'pages';
}

function operationId(method: string, path: string): string {
  const words = path
    .replace(/[{}]/g, '')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1));
  return method.toLowerCase() + words.join('');
}

function parameters(doc: RouteDoc | undefined, pathParams: string[]): unknown[] {
  const paramSchema = doc?.params ? jsonSchema(doc.params, 'input') : undefined;
  const paramProps = (paramSchema?.properties ?? {}) as Record<string, JsonSchema>;
  const out: unknown[] = pathParams.map((name) => ({
    name,
    in: 'path',
    required: true,
    schema: paramProps[name] ?? { type: 'string' },
  }));
  if (doc?.query) {
    const q = jsonSchema(doc.query, 'input');
    const required = new Set((q.required as string[] | undefined) ?? []);
    for (const [name, schema] of Object.entries((q.properties ?? {}) as Record<string, JsonSchema>)) {
      out.push({ name, in: 'query', required: required.has(name), schema });
    }
  }
  return out;
}

function operation(route: TableRoute, path: string, pathParams: string[]): Record<string, unknown> {
  const doc = route.doc;
  const status = String(doc?.status ?? 200);
  const success = doc?.response
    ? {
        description: 'Success',
        content: { 'application/json': { schema: jsonSchema(doc.response, 'output') } },
      }
    : doc?.produces
      ? { description: 'Success', content: { [doc.produces]: { schema: { type: 'string' } } } }
      : { description: 'Success (body not documented yet)' };
  const op: Record<string, unknown> = {
    operationId: operationId(route.method, path),
    summary: doc?.summary ?? `${route.method} ${path}`,
    tags: doc?.tags ?? [defaultTag(route.url)],
    parameters: parameters(doc, pathParams),
    responses: {
      [status]: success,
      default: {
        description: 'Error',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      },
    },
  };
  if (doc?.description) op.description = doc.description;
  if (doc?.body) {
    op.requestBody = {
      required: true,
      content: { 'application/json': { schema: jsonSchema(doc.body, 'input') } },
    };
  }
  if (route.url.startsWith('/api/admin')) op.security = [{ session: [] }, { apiKey: [] }];
  return op;
}

/** The document for a route table (HEAD routes that Fastify adds for each GET are left out: they mirror it). */
export function openApiDocument(routes: readonly TableRoute[], version: string): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  const sorted = [...routes].sort((a, b) => a.url.localeCompare(b.url) || a.method.localeCompare(b.method));
  for (const route of sorted) {
    const method = route.method.toLowerCase();
    if (method === 'head' && routes.some((r) => r.url === route.url && r.method === 'GET')) continue;
    const { path, pathParams } = openApiPath(route.url);
    (paths[path] ??= {})[method] = operation(route, path, pathParams);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Sertantai Billing',
      version,
      description:
        'The JSON API of Sertantai Billing, generated from the route table and the zod schemas each route validates with.',
    },
    paths,
    components: {
      schemas: { Error: ERROR_SCHEMA },
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'sertantai.session_token' },
        apiKey: { type: 'http', scheme: 'bearer' },
      },
    },
  };
}
