/**
 * Issue 16: account emails. Verification is sent on sign-up through the outbox and SMTP; its link works once and
 * until it expires (the injected clock); a password reset answers the same for known and unknown addresses, works
 * once, signs every session out; a change of address needs the current password and takes effect only once the
 * new address is verified; asking for emails and following links are rate limited. Admins never read the links.
 * Sign-in answers an unknown address and a wrong password alike.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeClock } from '../../src/clock.js';
import { sendPendingNotifications } from '../../src/notifications/send-pending-notifications.js';
import { testApp, TEST_APP_URL, type TestApp } from '../helpers/app.js';
import { adminSession, signIn, signUp, TEST_PASSWORD, type Session } from '../helpers/auth.js';
import { recordSecret } from '../helpers/log-capture.js';
import { linkTo, startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';

let h: TestApp;
let sink: SmtpSink;
let admin: Session;
const NEW_PASSWORD = 'a-brand-new-password-42';
recordSecret(NEW_PASSWORD);

beforeAll(async () => {
  sink = await startSmtpSink();
  // This file drives the sender itself (deliver()); test/int/account-emails-prompt.int.test.ts covers the prompt send.
  h = await testApp({
    label: 'account-emails',
    env: { SMTP_URL: sink.url },
    app: { sendEmailsPromptly: false },
  });
  admin = await adminSession(h);
});
afterAll(async () => {
  await h?.close();
  await sink?.close();
});

const clock = () => h.clock as FakeClock;
const deliver = () => sendPendingNotifications(h.deps);
const tokenOf = (link: string) => {
  const token = new URL(link).searchParams.get('token')!;
  recordSecret(token);
  return token;
};
const verify = (token: string, remoteAddress = '198.51.100.1') =>
  h.app.inject({
    method: 'GET',
    url: `/api/auth/verify-email?token=${encodeURIComponent(token)}`,
    remoteAddress,
  });
const me = (cookie: string) => h.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } });
const post = (url: string, payload: object, opts: { cookie?: string; remoteAddress?: string } = {}) =>
  h.app.inject({
    method: 'POST',
    url,
    headers: { origin: TEST_APP_URL, ...(opts.cookie ? { cookie: opts.cookie } : {}) },
    payload,
    remoteAddress: opts.remoteAddress ?? '198.51.100.2',
  });

describe('email verification', () => {
  it('sign-up sends a link through the outbox; it verifies once, then is refused as used', async () => {
    const { cookie } = await signUp(h.app, { email: 'vera@example.com', name: 'Vera' });
    expect((await me(cookie!)).json().emailVerified).toBe(false);
    expect(await deliver()).toEqual({ sent: 1, failed: 0, skipped: false });
    const link = linkTo(sink, 'vera@example.com', '/verify-email');
    expect(link.startsWith('http://app.test/verify-email?token=')).toBe(true);
    const token = tokenOf(link);

    const ok = await verify(token);
    expect(ok.statusCode).toBe(200);
    expect((await me(cookie!)).json().emailVerified).toBe(true);

    const again = await verify(token);
    expect(again.statusCode).toBe(410);
    expect(again.json().error.code).toBe('link_used');
  });

  it('the outbox keeps no link once sent, and admins never read one', async () => {
    const { rows } = await h.t.pool.query<{ body: string; data: Record<string, unknown> }>(
      `SELECT body, data FROM outbox WHERE to_email = 'vera@example.com'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.body).not.toContain('token=');
    expect(JSON.stringify(rows[0]!.data)).not.toContain('token=');
    await signUp(h.app, { email: 'pending@example.com' });
    const list = await h.app.inject({
      method: 'GET',
      url: '/api/admin/notifications?template=verify_email',
      headers: { cookie: admin.cookie },
    });
    expect(list.statusCode).toBe(200);
    const bodies = (list.json() as { data: { body: string; status: string }[] }).data;
    expect(bodies.map((b) => b.status).sort()).toEqual(['pending', 'sent']);
    for (const b of bodies) expect(b.body).not.toContain('token=');
  });

  it('a link is refused once expired (24 hours on the clock), and a made-up one as invalid', async () => {
    const { cookie } = await signUp(h.app, { email: 'late@example.com' });
    await deliver();
    const token = tokenOf(linkTo(sink, 'late@example.com', '/verify-email'));
    clock().advance(24 * 60 * 60 * 1000 + 1000);
    const late = await verify(token);
    expect(late.statusCode).toBe(410);
    expect(late.json().error.code).toBe('link_expired');
    expect((await me(cookie!)).json().emailVerified).toBe(false);

    const bogus = await verify('not-a-token');
    expect(bogus.statusCode).toBe(400);
    expect(bogus.json().error.code).toBe('link_invalid');
  });

  it('resend: a new link that works, the same answer for an unknown address, 429 after 5 per address', async () => {
    const known = await post('/api/auth/send-verification-email', { email: 'late@example.com' });
    const unknown = await post('/api/auth/send-verification-email', { email: 'nobody@example.com' });
    expect([known.statusCode, known.body]).toEqual([200, '{"status":true}']);
    expect([unknown.statusCode, unknown.body]).toEqual([200, '{"status":true}']);
    await deliver();
    expect(sink.messages.filter((m) => m.to.some((t) => t.includes('nobody@')))).toEqual([]);
    expect((await verify(tokenOf(linkTo(sink, 'late@example.com', '/verify-email')))).statusCode).toBe(200);

    // 5 per recipient per 15 minutes, from any address
    for (let i = 0; i < 5; i++) {
      const r = await post(
        '/api/auth/send-verification-email',
        { email: 'target@example.com' },
        { remoteAddress: `203.0.113.${10 + i}` },
      );
      expect(r.statusCode).toBe(200);
    }
    const sixth = await post(
      '/api/auth/send-verification-email',
      { email: 'target@example.com' },
      { remoteAddress: '203.0.113.99' },
    );
    expect(sixth.statusCode).toBe(429);
    expect(sixth.json().error.code).toBe('rate_limited');
    expect(sixth.headers['retry-after']).toBe('900');
  });
});

describe('password reset', () => {
  it('the same answer for a known and an unknown address; only the known one gets an email', async () => {
    await signUp(h.app, { email: 'rosa@example.com' });
    await deliver();
    const before = sink.messages.length;
    const known = await post('/api/auth/request-password-reset', { email: 'rosa@example.com' });
    const unknown = await post('/api/auth/request-password-reset', { email: 'ghost@example.com' });
    expect(known.statusCode).toBe(200);
    expect(unknown.statusCode).toBe(200);
    expect(unknown.body).toBe(known.body);
    expect(known.json()).toEqual({
      status: true,
      message: 'If this email exists in our system, check your email for the reset link',
    });
    await deliver();
    expect(sink.messages.slice(before).map((m) => m.to)).toEqual([['<rosa@example.com>']]);
  });

  it('resets once, signs every session out, and the old password no longer works', async () => {
    const a = await signIn(h.app, 'rosa@example.com');
    const b = await signIn(h.app, 'rosa@example.com');
    const token = tokenOf(linkTo(sink, 'rosa@example.com', '/reset-password'));

    const weak = await post('/api/auth/reset-password', { token, newPassword: 'short' });
    expect(weak.statusCode).toBe(422);
    expect(weak.json().error.code).toBe('weak_password');

    const ok = await post('/api/auth/reset-password', { token, newPassword: NEW_PASSWORD });
    expect([ok.statusCode, ok.body]).toEqual([200, '{"status":true}']);
    expect((await me(a.cookie!)).statusCode).toBe(401);
    expect((await me(b.cookie!)).statusCode).toBe(401);
    expect((await signIn(h.app, 'rosa@example.com', TEST_PASSWORD)).res.statusCode).toBe(401);
    expect((await signIn(h.app, 'rosa@example.com', NEW_PASSWORD)).res.statusCode).toBe(200);

    const again = await post('/api/auth/reset-password', { token, newPassword: `${NEW_PASSWORD}-2` });
    expect(again.statusCode).toBe(410);
    expect(again.json().error.code).toBe('link_used');
  });

  it('an expired reset link (1 hour on the clock) is refused and changes nothing', async () => {
    await post(
      '/api/auth/request-password-reset',
      { email: 'rosa@example.com' },
      { remoteAddress: '198.51.100.7' },
    );
    await deliver();
    const token = tokenOf(linkTo(sink, 'rosa@example.com', '/reset-password'));
    clock().advance(60 * 60 * 1000 + 1000);
    const late = await post('/api/auth/reset-password', { token, newPassword: 'yet-another-password-9' });
    expect(late.statusCode).toBe(410);
    expect(late.json().error.code).toBe('link_expired');
    expect((await signIn(h.app, 'rosa@example.com', NEW_PASSWORD)).res.statusCode).toBe(200);
  });

  it('5 requests per recipient, then 429 — for known and unknown addresses alike', async () => {
    for (const email of ['rosa@example.com', 'ghost2@example.com']) {
      const codes: number[] = [];
      for (let i = 0; i < 6; i++) {
        const r = await post(
          '/api/auth/request-password-reset',
          { email },
          { remoteAddress: `192.0.2.${i + 1}` },
        );
        codes.push(r.statusCode);
      }
      // (rosa@'s earlier requests are more than 15 minutes old on the clock)
      expect(codes).toEqual([200, 200, 200, 200, 200, 429]);
    }
  });

  it('following links is rate limited per address (20 per 15 minutes)', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 21; i++) codes.push((await verify(`guess-${i}`, '192.0.2.200')).statusCode);
    expect(codes.slice(0, 20).every((c) => c === 400)).toBe(true);
    expect(codes[20]).toBe(429);
  });
});

describe('no account enumeration at sign-in', () => {
  it('an unknown address and a wrong password get the same answer', async () => {
    const unknown = await signIn(h.app, 'no-such-user@example.com', 'whatever-password-1', {
      remoteAddress: '192.0.2.50',
    });
    const wrong = await signIn(h.app, 'vera@example.com', 'whatever-password-1', {
      remoteAddress: '192.0.2.50',
    });
    const shape = (r: typeof unknown.res) => {
      const e = (r.json() as { error: { code: string; message: string } }).error;
      return [r.statusCode, e.code, e.message];
    };
    expect(shape(unknown.res)).toEqual([401, 'invalid_credentials', 'Invalid email or password']);
    expect(shape(wrong.res)).toEqual([401, 'invalid_credentials', 'Invalid email or password']);
  });
});

describe('change of address', () => {
  it('needs the current password, and takes effect only once the new address is verified', async () => {
    const { cookie } = await signUp(h.app, { email: 'max@example.com' });
    const wrong = await post(
      '/api/auth/change-email',
      { newEmail: 'max.new@example.com', password: 'not-my-password-1' },
      { cookie },
    );
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().error.code).toBe('wrong_password');

    const ok = await post(
      '/api/auth/change-email',
      { newEmail: 'max.new@example.com', password: TEST_PASSWORD },
      { cookie },
    );
    expect(ok.statusCode).toBe(200);
    expect((await me(cookie!)).json().email).toBe('max@example.com');
    await deliver();
    const link = linkTo(sink, 'max.new@example.com', '/verify-email');
    expect((await verify(tokenOf(link))).statusCode).toBe(200);
    expect((await me(cookie!)).json().email).toBe('max.new@example.com');
  });
});
