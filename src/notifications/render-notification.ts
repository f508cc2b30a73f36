/**
 * The notification templates (pure): template + data → subject and plain-text body. Amounts arrive in minor units
 * with their currency and are formatted by money.ts; instants are printed as UTC dates.
 */
import { formatMoney, money } from '../money.js';
import type { NotificationTemplate } from './notifications.tables.js';

export interface NotificationData {
  name?: string | null;
  planName?: string | null;
  amountMinor?: number | null;
  currency?: string | null;
  /** ISO instants. */
  graceUntil?: string | null;
  trialEnd?: string | null;
  paidAt?: string | null;
  /** Where the customer fixes the card (the account page, which opens Stripe's portal). */
  portalUrl?: string | null;
  invoiceUrl?: string | null;
  invoiceNumber?: string | null;
  role?: string | null;
  /** The one-time link of an account email (verify, reset); never kept once the email is sent. */
  actionUrl?: string | null;
  /** Set when the verification confirms a change of address (the email goes to the new address). */
  newEmail?: string | null;
  /** When the link stops working (ISO instant). */
  linkExpiresAt?: string | null;
  /** The sign-in and forgot-password pages (an `account_exists` email: no link that signs anyone in). */
  signInUrl?: string | null;
  resetUrl?: string | null;
}

const day = (iso: string | null | undefined) => (iso ? new Date(iso).toISOString().slice(0, 10) : 'soon');
/** An instant to the minute, in UTC (links expire within the hour or the day). */
const at = (iso: string | null | undefined) =>
  iso ? `${new Date(iso).toISOString().slice(0, 16).replace('T', ' ')} UTC` : 'it expires';
const amount = (d: NotificationData) =>
  d.amountMinor !== null && d.amountMinor !== undefined && d.currency
    ? formatMoney(money(d.amountMinor, d.currency))
    : 'your payment';
const hasAmount = (d: NotificationData) =>
  d.amountMinor !== null && d.amountMinor !== undefined && !!d.currency;
const hello = (d: NotificationData) => `Hello${d.name ? ` ${d.name}` : ''},`;
const plan = (d: NotificationData) => d.planName ?? 'your plan';

export function renderNotification(
  template: NotificationTemplate,
  d: NotificationData,
): { subject: string; body: string } {
  switch (template) {
    case 'payment_failed':
      return {
        subject: hasAmount(d) ? `Your payment of ${amount(d)} failed` : 'Your payment failed',
        body: [
          hello(d),
          '',
          `We could not collect ${amount(d)} for ${plan(d)}. You keep full access until ${day(d.graceUntil)} while we retry.`,
          `Update your card here: ${d.portalUrl ?? ''}`,
        ].join('\n'),
      };
    case 'grace_ending':
      return {
        subject: `Action needed: ${plan(d)} ends on ${day(d.graceUntil)}`,
        body: [
          hello(d),
          '',
          `Your payment of ${amount(d)} is still outstanding. Unless it succeeds by ${day(d.graceUntil)}, your account returns to the free tier.`,
          `Update your card here: ${d.portalUrl ?? ''}`,
        ].join('\n'),
      };
    case 'downgraded':
      return {
        subject: `Your account is now on the free tier`,
        body: [
          hello(d),
          '',
          `We could not collect ${amount(d)} for ${plan(d)}, so your access has changed to ${d.role ?? 'member'}.`,
          `You can subscribe again at any time: ${d.portalUrl ?? ''}`,
        ].join('\n'),
      };
    case 'receipt':
      return {
        subject: `Receipt${d.invoiceNumber ? ` ${d.invoiceNumber}` : ''}: ${amount(d)} paid`,
        body: [
          hello(d),
          '',
          `We received ${amount(d)} for ${plan(d)} on ${day(d.paidAt)}. Thank you.`,
          ...(d.invoiceUrl ? [`Invoice: ${d.invoiceUrl}`] : []),
        ].join('\n'),
      };
    case 'verify_email':
      return d.newEmail
        ? {
            subject: 'Confirm your new email address',
            body: [
              hello(d),
              '',
              `Open this link to make ${d.newEmail} the address of your Sertantai account. It works once, until ${at(d.linkExpiresAt)}:`,
              d.actionUrl ?? '',
              '',
              'If you did not ask for this change, ignore this email: your address stays as it is.',
            ].join('\n'),
          }
        : {
            subject: 'Verify your email address',
            body: [
              hello(d),
              '',
              `Open this link to verify your email address. It works once, until ${at(d.linkExpiresAt)}:`,
              d.actionUrl ?? '',
              '',
              'If you did not create a Sertantai account, ignore this email.',
            ].join('\n'),
          };
    case 'reset_password':
      return {
        subject: 'Reset your password',
        body: [
          hello(d),
          '',
          `Open this link to choose a new password. It works once, until ${at(d.linkExpiresAt)}, and signs you out everywhere else:`,
          d.actionUrl ?? '',
          '',
          'If you did not ask for a new password, ignore this email: your password stays as it is.',
        ].join('\n'),
      };
    case 'account_exists':
      return {
        subject: 'Someone tried to sign up with your address',
        body: [
          hello(d),
          '',
          'Someone (perhaps you) tried to create a Sertantai account with this email address, which already has one.',
          `If it was you, sign in: ${d.signInUrl ?? ''}`,
          `Forgot your password? Choose a new one: ${d.resetUrl ?? ''}`,
          '',
          'If it was not you, ignore this email: nothing about your account has changed.',
        ].join('\n'),
      };
    case 'trial_ending':
      return {
        subject: `Your trial of ${plan(d)} ends on ${day(d.trialEnd)}`,
        body: [
          hello(d),
          '',
          `Your trial of ${plan(d)} ends on ${day(d.trialEnd)}. Make sure a card is on file to keep access: ${d.portalUrl ?? ''}`,
        ].join('\n'),
      };
  }
}
