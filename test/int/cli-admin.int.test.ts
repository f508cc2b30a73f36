import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { testApp, type TestApp } from '../helpers/app.js';
import { signIn } from '../helpers/auth.js';
import { runCli } from '../helpers/cli.js';
import { recordSecret } from '../helpers/log-capture.js';
import { users } from '../../src/accounts/accounts.tables.js';

const PASSWORD = 'cli-admin-password-42';
recordSecret(PASSWORD);

let h: TestApp;
beforeAll(async () => {
  h = await testApp();
});
afterAll(() => h.close());

// Each case spawns the real CLI (tsx compiles on start): allow for a loaded machine.
describe('sertantai admin', { timeout: 180_000 }, () => {
  it('admin create makes an admin who can sign in; running it again changes nothing', async () => {
    const env = { DATABASE_URL: h.t.url };
    const first = await runCli(
      ['admin', 'create', '--email', 'Ops@Example.com', '--password', PASSWORD],
      env,
    );
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^Created admin: ops@example.com \(id [0-9a-f-]{36}\), password set\n$/);
    const again = await runCli(
      ['admin', 'create', '--email', 'ops@example.com', '--password', PASSWORD],
      env,
    );
    expect(again.stdout).toMatch(/^Already an admin: ops@example.com/);
    const [row] = await h.deps.db.select().from(users).where(eq(users.email, 'ops@example.com'));
    expect(row).toMatchObject({ role: 'admin', emailVerified: true });
    const s = await signIn(h.app, 'ops@example.com', PASSWORD);
    expect(s.res.statusCode).toBe(200);
    const whoami = await h.app.inject({
      method: 'GET',
      url: '/api/admin/whoami',
      headers: { cookie: s.cookie! },
    });
    expect(whoami.statusCode).toBe(200);
  });

  it('admin create promotes an existing member', async () => {
    await h.app.httpContext.auth.api.signUpEmail({
      body: { email: 'member@example.com', password: PASSWORD, name: 'M' },
    });
    const r = await runCli(['admin', 'create', '--email', 'member@example.com'], { DATABASE_URL: h.t.url });
    expect(r.stdout).toMatch(/^Promoted to admin: member@example.com/);
  });

  it('refuses a weak password', async () => {
    const r = await runCli(['admin', 'create', '--email', 'x@example.com', '--password', 'short'], {
      DATABASE_URL: h.t.url,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Password must be at least 10 characters');
  });

  it('api-key create prints a working key once; revoke stops it', async () => {
    const env = { DATABASE_URL: h.t.url };
    const created = await runCli(['admin', 'api-key', 'create', '--name', 'ci'], env);
    expect(created.code).toBe(0);
    const key = /\n\n {2}(sta_\S+)\n/.exec(created.stdout)?.[1];
    const id = /Created API key (key_[0-9a-f]+) \(ci\)/.exec(created.stdout)?.[1];
    expect(key).toBeDefined();
    recordSecret(key!);
    const ok = await h.app.inject({
      method: 'GET',
      url: '/api/admin/whoami',
      headers: { authorization: `Bearer ${key}` },
    });
    expect(ok.json()).toEqual({ actor: { kind: 'api_key', keyId: id } });

    const list = await runCli(['admin', 'api-key', 'list'], env);
    expect(list.stdout).toContain(`${id}  ${key!.slice(0, 8)}…  ci  active`);
    expect(list.stdout).not.toContain(key!);

    const revoked = await runCli(['admin', 'api-key', 'revoke', id!], env);
    expect(revoked.code).toBe(0);
    const refused = await h.app.inject({
      method: 'GET',
      url: '/api/admin/whoami',
      headers: { authorization: `Bearer ${key}` },
    });
    expect(refused.statusCode).toBe(401);
  });

  it('a bad configuration stops a command with a message naming the variable', async () => {
    const r = await runCli(['db', 'migrate'], { DATABASE_URL: 'mysql://nope', PORT: 'abc' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('DATABASE_URL: must be a URL (postgres: or postgresql:)');
    expect(r.stderr).toContain('PORT: must be a whole number, got "abc"');
  });
});
