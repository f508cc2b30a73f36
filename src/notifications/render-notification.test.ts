import { describe, expect, it } from 'vitest';
import { renderNotification } from './render-notification.js';

describe('renderNotification', () => {
  it('payment failed: amount, grace end and the card link', () => {
    const r = renderNotification('payment_failed', {
      name: 'Ann',
      planName: 'Pro',
      amountMinor: 2900,
      currency: 'usd',
      graceUntil: '2026-10-20T00:01:10.000Z',
      portalUrl: 'http://app.test/account',
    });
    expect(r).toEqual({
      subject: 'Your payment of $29.00 failed',
      body:
        'Hello Ann,\n\nWe could not collect $29.00 for Pro. You keep full access until 2026-10-20 while we retry.\n' +
        'Update your card here: http://app.test/account',
    });
  });

  it('payment failed without a known amount yet', () => {
    expect(renderNotification('payment_failed', { portalUrl: 'x' }).subject).toBe('Your payment failed');
  });

  it('zero-decimal and three-decimal currencies through money.ts', () => {
    expect(
      renderNotification('receipt', { amountMinor: 500, currency: 'jpy', invoiceNumber: 'A-1' }).subject,
    ).toBe('Receipt A-1: ¥500 paid');
    expect(renderNotification('receipt', { amountMinor: 1234, currency: 'bhd' }).subject).toBe(
      'Receipt: BHD\u00a01.234 paid', // Intl puts a no-break space after the code
    );
  });

  it('grace ending, downgraded, trial ending', () => {
    expect(
      renderNotification('grace_ending', { planName: 'Pro', graceUntil: '2026-10-20T00:00:00Z' }).subject,
    ).toBe('Action needed: Pro ends on 2026-10-20');
    expect(renderNotification('downgraded', { role: 'member' }).body).toContain(
      'your access has changed to member',
    );
    expect(
      renderNotification('trial_ending', { planName: 'Pro', trialEnd: '2026-09-21T00:00:00Z' }).subject,
    ).toBe('Your trial of Pro ends on 2026-09-21');
  });
});

describe('account emails', () => {
  it('verification, change of address and reset carry their link and its expiry (UTC, to the minute)', () => {
    const link = {
      actionUrl: 'http://app.test/verify-email?token=t1',
      linkExpiresAt: '2026-01-16T12:00:30Z',
    };
    expect(renderNotification('verify_email', { name: 'Vera', ...link })).toEqual({
      subject: 'Verify your email address',
      body:
        'Hello Vera,\n\nOpen this link to verify your email address. It works once, until 2026-01-16 12:00 UTC:\n' +
        'http://app.test/verify-email?token=t1\n\nIf you did not create a Sertantai account, ignore this email.',
    });
    expect(renderNotification('verify_email', { newEmail: 'v2@example.com', ...link }).subject).toBe(
      'Confirm your new email address',
    );
    const reset = renderNotification('reset_password', {
      actionUrl: 'http://app.test/reset-password?token=r1',
      linkExpiresAt: '2026-01-15T13:00:00Z',
    });
    expect(reset.subject).toBe('Reset your password');
    expect(reset.body).toContain(
      'until 2026-01-15 13:00 UTC, and signs you out everywhere else:\nhttp://app.test/reset-password?token=r1',
    );
  });

  it('account_exists: tells the owner of an address someone tried to sign up with, with no link that signs in', () => {
    expect(
      renderNotification('account_exists', {
        name: 'Ann',
        signInUrl: 'http://app.test/sign-in',
        resetUrl: 'http://app.test/forgot-password',
      }),
    ).toEqual({
      subject: 'Someone tried to sign up with your address',
      body:
        'Hello Ann,\n\nSomeone (perhaps you) tried to create a Sertantai account with this email address, which ' +
        'already has one.\nIf it was you, sign in: http://app.test/sign-in\nForgot your password? Choose a new ' +
        'one: http://app.test/forgot-password\n\nIf it was not you, ignore this email: nothing about your account ' +
        'has changed.',
    });
  });
});
