/**
 * Money: integer minor units + a currency code. The only module that knows a currency's exponent, formats
 * amounts and divides them. No floats anywhere: arithmetic is on integers (BigInt where a product could pass
 * 2^53), and amounts of two currencies are never added — the helpers throw `currency_mismatch`.
 *
 * Rounding rule (the one rule, used by every division here): round half away from zero, on the exact rational
 * value. E.g. 2900 × 1/3 = 966.67 → 967; 5 × 1/2 = 2.5 → 3; −5 × 1/2 = −2.5 → −3.
 */
import { AppError } from './errors.js';

export interface Money {
  readonly amountMinor: number;
  /** Lowercase ISO 4217 code, as Stripe sends it (`usd`, `jpy`). */
  readonly currency: string;
}

// Stripe's minor units: its zero-decimal and three-decimal currencies; every other currency has two decimals.
const ZERO_DECIMAL = new Set([
  'bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf',
]); // prettier-ignore
const THREE_DECIMAL = new Set(['bhd', 'jod', 'kwd', 'omr', 'tnd']);

export function normalizeCurrency(currency: string): string {
  const c = currency.trim().toLowerCase();
  if (!/^[a-z]{3}$/.test(c))
    throw new AppError('invalid_currency', `"${currency}" is not an ISO 4217 currency code`, 422);
  return c;
}

/** Digits after the decimal point of the currency's minor unit: JPY 0, USD 2, BHD 3. */
export function currencyExponent(currency: string): 0 | 2 | 3 {
  const c = normalizeCurrency(currency);
  if (ZERO_DECIMAL.has(c)) return 0;
  if (THREE_DECIMAL.has(c)) return 3;
  return 2;
}

export function money(amountMinor: number, currency: string): Money {
  if (!Number.isSafeInteger(amountMinor)) {
    throw new AppError(
      'invalid_amount',
      `amount ${amountMinor} is not an integer number of minor units`,
      422,
    );
  }
  return { amountMinor, currency: normalizeCurrency(currency) };
}

function sameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) {
    throw new AppError('currency_mismatch', `cannot combine ${a.currency} and ${b.currency} amounts`, 422);
  }
}

export function add(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return money(a.amountMinor + b.amountMinor, a.currency);
}

export function subtract(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return money(a.amountMinor - b.amountMinor, a.currency);
}

/** Sum of amounts in one currency (throws on a mix). An empty list needs the currency to be given. */
export function sum(amounts: readonly Money[], currency?: string): Money {
  const first = amounts[0];
  const start = money(0, currency ?? first?.currency ?? fail('sum of no amounts needs a currency'));
  return amounts.reduce(add, start);
}

/** Totals per currency, for reports that must never add two currencies together. */
export function sumByCurrency(amounts: readonly Money[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of amounts) out.set(m.currency, (out.get(m.currency) ?? 0) + m.amountMinor);
  return out;
}

function fail(message: string): never {
  throw new AppError('invalid_amount', message, 422);
}

/**
 * `value × numerator / denominator`, exactly, then rounded half away from zero (the module's one rule).
 * Integers only; the product is computed in BigInt so it cannot lose precision.
 */
export function mulDiv(value: number, numerator: number, denominator: number): number {
  for (const n of [value, numerator, denominator]) {
    if (!Number.isSafeInteger(n)) fail(`mulDiv needs integers, got ${n}`);
  }
  if (denominator === 0) fail('division by zero');
  return Number(divRound(BigInt(value) * BigInt(numerator), BigInt(denominator)));
}

/** `n / d` rounded half away from zero, on BigInts. */
export function divRound(n: bigint, d: bigint): bigint {
  if (d < 0n) return divRound(-n, -d);
  const negative = n < 0n;
  const a = negative ? -n : n;
  const q = a / d;
  const r = a - q * d;
  const rounded = r * 2n >= d ? q + 1n : q;
  return negative ? -rounded : rounded;
}

/** Prorates an amount by the share `part / whole` (e.g. seconds remaining / seconds in the period). */
export function prorate(m: Money, part: number, whole: number): Money {
  if (part < 0 || whole <= 0 || part > whole) fail(`cannot prorate by ${part}/${whole}`);
  return money(mulDiv(m.amountMinor, part, whole), m.currency);
}

/** The amount as an exact decimal string in major units: 2900 usd → "29.00", 500 jpy → "500", 1234 bhd → "1.234". */
export function toDecimalString(m: Money): string {
  const exp = currencyExponent(m.currency);
  const negative = m.amountMinor < 0;
  const digits = String(Math.abs(m.amountMinor)).padStart(exp + 1, '0');
  const whole = digits.slice(0, digits.length - exp);
  const frac = exp === 0 ? '' : `.${digits.slice(digits.length - exp)}`;
  return `${negative ? '-' : ''}${whole}${frac}`;
}

const formatters = new Map<string, Intl.NumberFormat>();

/** Formats for people with Intl.NumberFormat, from the exact decimal string (never a float division). */
export function formatMoney(m: Money, locale = 'en-US'): string {
  const key = `${locale}|${m.currency}`;
  let nf = formatters.get(key);
  if (!nf) {
    const exp = currencyExponent(m.currency);
    // Building a formatter costs about 100 times a format call (it was 3 % of the event dispatcher's CPU).
    nf = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency: m.currency.toUpperCase(),
      minimumFractionDigits: exp,
      maximumFractionDigits: exp,
    });
    if (formatters.size < 1000) formatters.set(key, nf);
  }
  return nf.format(toDecimalString(m) as Parameters<Intl.NumberFormat['format']>[0]);
}

/** Parses a major-unit decimal string ("29.00", "500", "1.234") into minor units, refusing extra precision. */
export function parseMajor(value: string, currency: string): Money {
  const exp = currencyExponent(currency);
  const match = /^(-)?(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!match) fail(`"${value}" is not a decimal amount`);
  const [, sign, whole, frac = ''] = match;
  if (frac.length > exp) fail(`"${value}" has more than ${exp} decimals for ${currency.toUpperCase()}`);
  const minor = BigInt(`${whole}${frac.padEnd(exp, '0')}`) * (sign ? -1n : 1n);
  if (minor > BigInt(Number.MAX_SAFE_INTEGER) || -minor > BigInt(Number.MAX_SAFE_INTEGER))
    fail('amount too large');
  return money(Number(minor), currency);
}
