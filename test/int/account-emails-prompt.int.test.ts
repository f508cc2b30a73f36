/**
 * Issue 16: account emails go out right after they commit, not at the sender job's next minute. No worker runs in
 * this file (no cron, no pg-boss job): only the app's own after-commit kick can have sent them. The outbox's
 * guarantees hold: an email the SMTP server refused stays `pending` for the job, and the sign-up answers the same.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendPendingNotifications } from '../../src/notifications/send-pending-notifications.js';
import { freePort } from '../../src/db/embedded.js';
import { testApp, TEST_APP_URL, type TestApp } from '../helpers/app.js';
import { signUp } from '../helpers/auth.js';
import { recordSecret } from '../helpers/log-capture.js';
import { startSmtpSink, textOf, waitForLink, type SmtpSink } from '../helpers/smtp-sink.js';

let h: TestApp;
let sink: SmtpSink;

beforeAll(async () => {
  sink = await startSmtpSink();
  h = await testApp({ label: 'account-emails-prompt', env: { SMTP_URL: sink.url } });
});
afterAll(async () => {
  await h?.close();
  await sink?.close();
});

const statusOf = async (to: string, template: string) => {
  const { rows } = await h.t.pool.query<{ status: string }>(
    `SELECT status FROM outbox WHERE to_email = $1 AND template = $2`,
    [to, template],
  );
  return rows.map((r) => r.status);
};

describe('account emails are sent right after they commit', () => {
  it('the verification link of a sign-up arrives within seconds, without the sender job', async () => {
    const started = Date.now();
    await signUp(h.app, { email: 'quick@example.com' });
    const link = await waitForLink(sink, 'quick@example.com', '/verify-email', 5_000);
    recordSecret(new URL(link).searchParams.get('token')!);
    expect(Date.now() - started).toBeLessThan(5_000);
    await h.app.httpContext.sendSoon.idle();
    expect(await statusOf('quick@example.com', 'verify_email')).toEqual(['sent']);
  });

  it('a password reset link, and the notice to an address someone tried to sign up with, arrive the same way', async () => {
    const reset = await h.app.inject({
      method: 'POST',
      url: '/api/auth/request-password-reset',
      headers: { origin: TEST_APP_URL },
      payload: { email: 'quick@example.com' },
    });
    expect(reset.statusCode).toBe(200);
    const link = await waitForLink(sink, 'quick@example.com', '/reset-password', 5_000);
    recordSecret(new URL(link).searchParams.get('token')!);

    const again = await signUp(h.app, { email: 'quick@example.com', password: 'a-copycat-password-5' });
    expect(again.res.statusCode).toBe(200);
    const until = Date.now() + 5_000;
    const notice = () =>
      sink.messages.find(
        (m) => textOf(m).includes('already has one') && m.to.some((t) => t.includes('quick@')),
      );
    while (!notice() && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(notice()).toBeDefined();
    await h.app.httpContext.sendSoon.idle();
    expect(await statusOf('quick@example.com', 'account_exists')).toEqual(['sent']);
  });

  it('an SMTP server that refuses leaves the email pending for the sender job; the sign-up answers the same', async () => {
    const down = await testApp({
      database: h.t,
      clock: h.clock,
      label: 'account-emails-prompt-down',
      env: { SMTP_URL: `smtp://127.0.0.1:${await freePort()}` },
    });
    try {
      const r = await signUp(down.app, { email: 'offline@example.com' });
      expect(r.res.statusCode).toBe(200);
      expect(r.res.body).toBe('{"status":"check_email"}');
      await down.app.httpContext.sendSoon.idle();
      expect(await statusOf('offline@example.com', 'verify_email')).toEqual(['pending']);
    } finally {
      await down.close();
    }
    // The job (here: its work, run once) delivers it through the working server.
    expect((await sendPendingNotifications(h.deps)).sent).toBe(1);
    const link = await waitForLink(sink, 'offline@example.com', '/verify-email', 1_000);
    recordSecret(new URL(link).searchParams.get('token')!);
    expect(await statusOf('offline@example.com', 'verify_email')).toEqual(['sent']);
  });
});
