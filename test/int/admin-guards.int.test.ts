import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { testApp, TEST_APP_URL, type TestApp } from '../helpers/app.js';
import { adminSession, browserHeaders, memberSession, type Session } from '../helpers/auth.js';
import { recordSecret } from '../helpers/log-capture.js';
import { users } from '../../src/accounts/accounts.tables.js';
import { listAuditForSubject } from '../../src/audit/audit.repo.js';

const ENV_KEY = 'env-admin-key-0123456789abcdefXYZ';
recordSecret(ENV_KEY);

let h: TestApp;
let admin: Session;
let member: Session;
beforeAll(async () => {
  h = await testApp({ env: { ADMIN_API_KEYS: ENV_KEY } });
  admin = await adminSession(h);
  member = await memberSession(h, 'member@example.com');
});
afterAll(() => h.close());

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('/api/admin/* access', () => {
  it('refuses anonymous requests with 401', async () => {
    const r = await h.app.inject({ method: 'GET', url: '/api/admin/whoami' });
    expect(r.statusCode).toBe(401);
    expect(r.json().error.code).toBe('unauthorized');
  });

  it('refuses members with 403', async () => {
    const r = await h.app.inject({
      method: 'GET',
      url: '/api/admin/whoami',
      headers: { cookie: member.cookie },
    });
    expect(r.statusCode).toBe(403);
    expect(r.json().error.code).toBe('admin_required');
    const p = await h.app.inject({
      method: 'POST',
      url: '/api/admin/api-keys',
      headers: browserHeaders(member),
      payload: { name: 'x' },
    });
    expect(p.statusCode).toBe(403);
  });

  it('accepts an admin session', async () => {
    const r = await h.app.inject({
      method: 'GET',
      url: '/api/admin/whoami',
      headers: { cookie: admin.cookie },
    });
    expect(r.statusCode).toBe(200);
    expect(r.json().actor).toMatchObject({
      kind: 'user',
      userId: admin.userId,
      role: 'admin',
      email: 'admin@example.com',
    });
  });

  it('a state-changing admin request with the cookie but no CSRF token is 403 csrf_invalid', async () => {
    const r = await h.app.inject({
      method: 'POST',
      url: '/api/admin/api-keys',
      headers: { cookie: admin.cookie, origin: TEST_APP_URL },
      payload: { name: 'ci' },
    });
    expect(r.statusCode).toBe(403);
    expect(r.json().error.code).toBe('csrf_invalid');
    const wrong = await h.app.inject({
      method: 'POST',
      url: '/api/admin/api-keys',
      headers: { ...browserHeaders(admin), 'x-csrf-token': member.csrf! },
      payload: { name: 'ci' },
    });
    expect(wrong.statusCode).toBe(403);
  });

  it('a valid CSRF token from another origin (or no origin) is 403 csrf_invalid', async () => {
    for (const origin of ['https://evil.example', undefined]) {
      const headers: Record<string, string> = { cookie: admin.cookie, 'x-csrf-token': admin.csrf! };
      if (origin) headers.origin = origin;
      const r = await h.app.inject({
        method: 'POST',
        url: '/api/admin/api-keys',
        headers,
        payload: { name: 'ci' },
      });
      expect(r.statusCode, String(origin)).toBe(403);
      expect(r.json().error.code).toBe('csrf_invalid');
    }
  });

  it('accepts ADMIN_API_KEYS and refuses a wrong key with 401', async () => {
    const ok = await h.app.inject({ method: 'GET', url: '/api/admin/whoami', headers: bearer(ENV_KEY) });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().actor).toEqual({ kind: 'api_key', keyId: 'env:1' });
    const bad = await h.app.inject({
      method: 'GET',
      url: '/api/admin/whoami',
      headers: bearer('nope-nope-nope-nope-nope-nope'),
    });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().error.code).toBe('invalid_api_key');
  });

  it('creates a key (shown once, stored hashed), accepts it without CSRF, then refuses it once revoked', async () => {
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/admin/api-keys',
      headers: browserHeaders(admin),
      payload: { name: 'reporting' },
    });
    expect(created.statusCode).toBe(201);
    const { id, key } = created.json() as { id: string; key: string };
    recordSecret(key);
    expect(key).toMatch(/^sta_[A-Za-z0-9_-]{32}$/);
    const stored = await h.t.pool.query('SELECT key_hash FROM admin_api_keys WHERE id = $1', [id]);
    expect(stored.rows[0].key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored.rows)).not.toContain(key);

    const post = await h.app.inject({
      method: 'POST',
      url: '/api/admin/api-keys',
      headers: bearer(key),
      payload: { name: 'by-key' },
    });
    expect(post.statusCode).toBe(201);

    const revoke = await h.app.inject({
      method: 'DELETE',
      url: `/api/admin/api-keys/${id}`,
      headers: bearer(ENV_KEY),
    });
    expect(revoke.statusCode).toBe(204);
    const after = await h.app.inject({ method: 'GET', url: '/api/admin/whoami', headers: bearer(key) });
    expect(after.statusCode).toBe(401);

    const audit = await listAuditForSubject(h.deps.db, 'api_key', id);
    expect(audit.map((a) => [a.action, a.actorType, a.actorId])).toEqual([
      ['api_key.revoked', 'api_key', 'env:1'],
      ['api_key.created', 'user', admin.userId],
    ]);
  });

  it('reads the role from the database on every request: a demoted admin is refused at once', async () => {
    const other = await adminSession(h, 'second-admin@example.com');
    const before = await h.app.inject({
      method: 'GET',
      url: '/api/admin/whoami',
      headers: { cookie: other.cookie },
    });
    expect(before.statusCode).toBe(200);
    await h.deps.db.update(users).set({ role: 'member' }).where(eq(users.id, other.userId));
    const after = await h.app.inject({
      method: 'GET',
      url: '/api/admin/whoami',
      headers: { cookie: other.cookie },
    });
    expect(after.statusCode).toBe(403);
  });

  it('lists the audit log by subject, newest first', async () => {
    const r = await h.app.inject({
      method: 'GET',
      url: `/api/admin/audit?subjectType=user&subjectId=${admin.userId}`,
      headers: bearer(ENV_KEY),
    });
    expect(r.statusCode).toBe(200);
    expect(r.json().items.map((i: { action: string; after: unknown }) => [i.action, i.after])).toEqual([
      ['user.role_changed', { role: 'admin' }],
    ]);
    const n = await h.deps.db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM audit_log`);
    expect(n.rows[0]!.n).toBeGreaterThan(2);
  });
});

describe('requireUser on a state-changing user route', () => {
  it('401 anonymous, 403 csrf_invalid without token or cross-origin, 200 with both; GET needs no token', async () => {
    const { buildApp } = await import('../../src/http/app.js');
    const { requireUser } = await import('../../src/http/guards.js');
    const a = await buildApp(h.deps, { defaultMetrics: false });
    a.post('/user-action', { preHandler: requireUser }, async (request) => ({ actor: request.actor }));
    a.get('/user-read', { preHandler: requireUser }, async (request) => ({ actor: request.actor }));
    await a.ready();
    try {
      const anon = await a.inject({ method: 'POST', url: '/user-action', payload: {} });
      expect(anon.statusCode).toBe(401);
      const noToken = await a.inject({
        method: 'POST',
        url: '/user-action',
        headers: { cookie: member.cookie, origin: TEST_APP_URL },
        payload: {},
      });
      expect(noToken.statusCode).toBe(403);
      expect(noToken.json().error.code).toBe('csrf_invalid');
      const crossOrigin = await a.inject({
        method: 'POST',
        url: '/user-action',
        headers: { ...browserHeaders(member), origin: 'https://evil.example' },
        payload: {},
      });
      expect(crossOrigin.statusCode).toBe(403);
      const ok = await a.inject({
        method: 'POST',
        url: '/user-action',
        headers: browserHeaders(member),
        payload: {},
      });
      expect(ok.statusCode).toBe(200);
      expect(ok.json().actor).toMatchObject({ kind: 'user', userId: member.userId, role: 'member' });
      const read = await a.inject({ method: 'GET', url: '/user-read', headers: { cookie: member.cookie } });
      expect(read.statusCode).toBe(200);
    } finally {
      await a.close();
    }
  });

  it('better-auth refuses a cookie-bearing profile update from another origin', async () => {
    const r = await h.app.inject({
      method: 'POST',
      url: '/api/auth/update-user',
      headers: { cookie: member.cookie, origin: 'https://evil.example' },
      payload: { name: 'Evil' },
    });
    expect(r.statusCode).toBe(403);
    const [row] = await h.deps.db.select().from(users).where(eq(users.id, member.userId));
    expect(row!.name).toBe('member');
  });
});
