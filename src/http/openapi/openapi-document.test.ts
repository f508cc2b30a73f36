import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openApiDocument, openApiPath } from './openapi-document.js';

describe('openApiPath', () => {
  it('turns Fastify parameters and wildcards into OpenAPI path parameters', () => {
    expect(openApiPath('/api/admin/users/:id/role-override')).toEqual({
      path: '/api/admin/users/{id}/role-override',
      pathParams: ['id'],
    });
    expect(openApiPath('/api/admin/errors/:id/:action')).toEqual({
      path: '/api/admin/errors/{id}/{action}',
      pathParams: ['id', 'action'],
    });
    expect(openApiPath('/api/auth/*')).toEqual({ path: '/api/auth/{wildcard}', pathParams: ['wildcard'] });
    expect(openApiPath('/')).toEqual({ path: '/', pathParams: [] });
  });
});

describe('openApiDocument', () => {
  const query = z.object({ page: z.coerce.number().int().default(1), q: z.string().min(1) }).strict();
  const response = z.object({ total: z.number().int() });
  const doc = openApiDocument(
    [
      { method: 'GET', url: '/api/admin/things', doc: { summary: 'List things', query, response } },
      { method: 'HEAD', url: '/api/admin/things' },
      { method: 'POST', url: '/api/admin/things/:id/archive' },
      { method: 'HEAD', url: '/only-head' },
    ],
    '1.2.3',
  );

  it('lists every route once, leaving out the HEAD that mirrors a GET', () => {
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/admin/things',
      '/api/admin/things/{id}/archive',
      '/only-head',
    ]);
    expect(Object.keys(doc.paths['/api/admin/things']!)).toEqual(['get']);
    expect(Object.keys(doc.paths['/only-head']!)).toEqual(['head']);
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toBe('1.2.3');
  });

  it('documents query parameters (input side) and the response (output side) from the zod schemas', () => {
    const get = doc.paths['/api/admin/things']!.get as {
      summary: string;
      parameters: Array<{ name: string; in: string; required: boolean }>;
      responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
      security: unknown[];
    };
    expect(get.summary).toBe('List things');
    expect(get.parameters.map((p) => [p.name, p.in, p.required])).toEqual([
      ['page', 'query', false],
      ['q', 'query', true],
    ]);
    expect(get.responses['200']!.content!['application/json']!.schema).toEqual({
      type: 'object',
      properties: { total: { type: 'integer', minimum: -9007199254740991, maximum: 9007199254740991 } },
      required: ['total'],
      additionalProperties: false,
    });
    expect(get.security).toEqual([{ session: [] }, { apiKey: [] }]);
  });

  it('gives an undocumented route its path parameters and the shared error response', () => {
    const post = doc.paths['/api/admin/things/{id}/archive']!.post as {
      operationId: string;
      parameters: Array<{ name: string; in: string; required: boolean }>;
      responses: Record<string, { description: string }>;
    };
    expect(post.operationId).toBe('postApiAdminThingsIdArchive');
    expect(post.parameters).toEqual([{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }]);
    expect(Object.keys(post.responses)).toEqual(['200', 'default']);
  });
});
