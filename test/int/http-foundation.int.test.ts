import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.js';
import { AppError } from '../../src/errors.js';
import { z } from 'zod';

let h: TestApp;
beforeAll(async () => {
  h = await testApp();
});
afterAll(() => h.close());

describe('http foundation', () => {
  it('GET /healthz is 200 and carries a generated request id', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('honours an incoming x-request-id and ignores a malformed one', async () => {
    const a = await h.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'abc-123' } });
    expect(a.headers['x-request-id']).toBe('abc-123');
    const b = await h.app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'no spaces <allowed>' },
    });
    expect(b.headers['x-request-id']).not.toBe('no spaces <allowed>');
  });

  it('GET /readyz is 200 while the database answers', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
  });

  it('GET /metrics is Prometheus text with the request counter', async () => {
    await h.app.inject({ method: 'GET', url: '/healthz' });
    const res = await h.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toMatch(/http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/);
  });

  it('unknown routes are 404 in the one error shape', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/nope?x=1', headers: { 'x-request-id': 'r-404' } });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: { code: 'not_found', message: 'No route for GET /nope', requestId: 'r-404' },
    });
  });

  it('sets security headers', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(String(res.headers['content-security-policy'])).toContain("script-src 'self'");
  });
});

describe('the one error handler', () => {
  let e: TestApp;
  beforeAll(async () => {
    e = await testApp({ database: h.t });
  });
  afterAll(() => e.close());

  it('renders AppError, zod errors (422), bad JSON (400) and unknown errors (500, nothing internal)', async () => {
    // testApp's instance is sealed after ready(): build a second app on the same deps with failing routes.
    const { buildApp } = await import('../../src/http/app.js');
    const a = await buildApp(e.deps, { defaultMetrics: false });
    a.get('/boom/app', async () => {
      throw new AppError('plan_inactive', 'The plan is not active', 409);
    });
    a.post('/boom/zod', async (req) => z.object({ n: z.number() }).parse(req.body));
    a.get('/boom/internal', async () => {
      throw new Error('relation "secret_table" does not exist at /src/x.ts:1');
    });
    await a.ready();
    try {
      const r1 = await a.inject({ method: 'GET', url: '/boom/app', headers: { 'x-request-id': 'r1' } });
      expect(r1.statusCode).toBe(409);
      expect(r1.json()).toEqual({
        error: { code: 'plan_inactive', message: 'The plan is not active', requestId: 'r1' },
      });

      const r2 = await a.inject({
        method: 'POST',
        url: '/boom/zod',
        payload: { n: 'x' },
        headers: { 'x-request-id': 'r2' },
      });
      expect(r2.statusCode).toBe(422);
      expect(r2.json().error).toMatchObject({ code: 'invalid_request', requestId: 'r2' });

      const r3 = await a.inject({
        method: 'POST',
        url: '/boom/zod',
        payload: '{"n":',
        headers: { 'content-type': 'application/json' },
      });
      expect(r3.statusCode).toBe(400);
      expect(r3.json().error.code).toBe('invalid_json');

      const r4 = await a.inject({ method: 'GET', url: '/boom/internal', headers: { 'x-request-id': 'r4' } });
      expect(r4.statusCode).toBe(500);
      expect(r4.json()).toEqual({
        error: { code: 'internal_error', message: 'Something went wrong', requestId: 'r4' },
      });
      expect(r4.body).not.toContain('secret_table');
    } finally {
      await a.close();
    }
  });
});
