/**
 * Display formats. Money goes through the server's own money module (one place knows each currency's exponent:
 * JPY 0, USD 2, BHD 3; never `/ 100` here); dates show in the viewer's time zone with the UTC instant on hover.
 */
import { formatMoney, parseMajor } from '../../../src/money.js';

const locale = navigator.language || 'en-US';

export const money = (amountMinor: number, currency: string) =>
  formatMoney({ amountMinor, currency: currency.toLowerCase() }, locale);

/** A typed major-unit amount ("12.50" USD, "500" JPY) in minor units by the currency's exponent; null if invalid. */
export function parseMoney(typed: string, currency: string): number | null {
  try {
    return parseMajor(typed, currency).amountMinor;
  } catch {
    return null;
  }
}

const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(locale, { dateStyle: 'medium' });

export function localDate(iso: string, withTime = false): string {
  return (withTime ? dateTime : dateOnly).format(new Date(iso));
}

export const utcTitle = (iso: string) =>
  new Date(iso)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');

const count = new Intl.NumberFormat(locale);
export const number = (n: number) => count.format(n);

const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
export const share = (ratio: number) => percent.format(ratio);
