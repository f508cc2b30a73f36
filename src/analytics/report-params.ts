/**
 * The one parser of report query strings (every `GET /api/admin/reports/<name>` and its drill-down). Pure: the
 * caller passes "now". A "no" is a normal outcome, so it returns a Result naming the bad parameter; the route turns
 * it into a 400 whose code is stable and names the parameter (`invalid_from`, `invalid_currency`, …).
 *
 * - `from`, `to`: first and last month, included (`YYYY-MM` or `YYYY-MM-DD`, see periods.ts); defaults: the 12
 *   months ending with the current one. `from` after `to` is `invalid_range`.
 * - `tz`: the IANA time zone whose calendar months the periods are (`Europe/Berlin`); default `UTC`. Months, the
 *   current month and a date-only `at` are read in it. Echoed in every answer; an unknown zone is `invalid_tz`.
 * - `at`: an instant for point-in-time reports (ISO date-time with offset, or a date = its 00:00 in `tz`); default
 *   now.
 * - `currency`: lowercase ISO 4217 (any case accepted); absent = one series per currency, never a sum.
 * - `plan`: a plan key; absent = all plans.
 * - `provider`: a sign-up provider (`users.signup_provider`: email, google, github, microsoft, linkedin, okta,
 *   airtable); absent = every customer. Keeps the customers whose user signed up with it.
 * - `country`: the customer's country, ISO 3166-1 alpha-2 (any case accepted; uppercase, as Stripe writes it to
 *   `customers.country`); absent = every customer.
 * - conventions (echoed in every answer): `pastDue=count|exclude`, `trials=zero|list`,
 *   `churnAt=period_end|cancel_request`, `sameWindow=include|exclude`.
 * - `format=json|csv`.
 * Anything else is `unknown_parameter`; a parameter given twice is invalid.
 */
import { SIGNUP_PROVIDERS } from '../accounts/signup-providers.js';
import { err, ok, type Result } from '../errors.js';
import {
  addMonths,
  localMidnight,
  MAX_MONTHS,
  monthOf,
  monthsBetween,
  parseMonth,
  parseZone,
  UTC,
  type Month,
} from './periods.js';

export const CONVENTIONS = {
  pastDue: ['count', 'exclude'],
  trials: ['zero', 'list'],
  churnAt: ['period_end', 'cancel_request'],
  sameWindow: ['include', 'exclude'],
} as const;

export type Conventions = { -readonly [K in keyof typeof CONVENTIONS]: (typeof CONVENTIONS)[K][number] };

export const DEFAULT_CONVENTIONS: Conventions = {
  pastDue: 'count',
  trials: 'zero',
  churnAt: 'period_end',
  sameWindow: 'include',
};

export interface ReportParams {
  /** The months' zone: `UTC` (the rollups' own months) or an IANA name as the runtime spells it. */
  tz: string;
  months: Month[];
  at: Date;
  currency: string | null;
  plan: string | null;
  /** The customers counted: by their user's sign-up provider and their country (null = no filter). */
  provider: string | null;
  country: string | null;
  conventions: Conventions;
  format: 'json' | 'csv';
  /** Parameters a report may take beyond the shared ones (e.g. a drill-down's `metric`), as given. */
  extra: Record<string, string>;
}

export interface ParamError {
  code: string;
  message: string;
  parameter: string;
}

const SHARED = [
  'from', 'to', 'tz', 'at', 'currency', 'plan', 'provider', 'country', 'format', ...Object.keys(CONVENTIONS),
]; // prettier-ignore
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const PLAN_KEY = /^[a-z0-9][a-z0-9_-]{0,63}$/;

let currencies: Set<string> | undefined;
/** ISO 4217 codes known to the runtime's Intl data (lowercase, as Stripe writes them). */
function knownCurrency(code: string): boolean {
  currencies ??= new Set(Intl.supportedValuesOf('currency').map((c) => c.toLowerCase()));
  return currencies.has(code);
}

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const bad = (parameter: string, message: string, code = `invalid_${snake(parameter)}`) =>
  err<ParamError>({ code, message, parameter });

export function parseReportParams(
  query: Record<string, unknown>,
  now: Date,
  extraAllowed: readonly string[] = [],
): Result<ReportParams, ParamError> {
  const text: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    if (!SHARED.includes(key) && !extraAllowed.includes(key)) {
      return bad(key, `unknown parameter "${key}"`, 'unknown_parameter');
    }
    if (typeof value !== 'string') return bad(key, `"${key}" must be given once, as text`);
    text[key] = value;
  }

  let tz = UTC;
  if (text.tz !== undefined) {
    const zone = parseZone(text.tz);
    if (!zone.ok) return bad('tz', `tz: ${zone.error}`);
    tz = zone.value;
  }

  const current = monthOf(now, tz);
  const to = text.to === undefined ? ok(current) : parseMonth(text.to);
  if (!to.ok) return bad('to', `to: ${to.error}`);
  const from = text.from === undefined ? ok(addMonths(to.value, -11)) : parseMonth(text.from);
  if (!from.ok) return bad('from', `from: ${from.error}`);
  const months = monthsBetween(from.value, to.value, tz);
  if (months.length === 0) return bad('from', '`from` is after `to`', 'invalid_range');
  if (months.length > MAX_MONTHS)
    return bad('from', `at most ${MAX_MONTHS} months per report`, 'invalid_range');

  let at = now;
  if (text.at !== undefined) {
    at = new Date(text.at);
    if (!ISO_INSTANT.test(text.at) || !parseMonth(text.at.slice(0, 10)).ok || Number.isNaN(at.getTime())) {
      return bad('at', `at: "${text.at}" is not an ISO date or date-time`);
    }
    // a date alone is the start of that day where the figures are read (a date-time carries its own offset)
    if (tz !== UTC && text.at.length === 10) {
      at = localMidnight(
        Number(text.at.slice(0, 4)),
        Number(text.at.slice(5, 7)),
        Number(text.at.slice(8, 10)),
        tz,
      );
    }
  }

  let currency: string | null = null;
  if (text.currency !== undefined) {
    currency = text.currency.toLowerCase();
    if (!/^[a-z]{3}$/.test(currency) || !knownCurrency(currency)) {
      return bad('currency', `currency: "${text.currency}" is not an ISO 4217 code`);
    }
  }

  const plan = text.plan ?? null;
  if (plan !== null && !PLAN_KEY.test(plan)) return bad('plan', `plan: "${plan}" is not a plan key`);

  const provider = text.provider ?? null;
  if (provider !== null && !(SIGNUP_PROVIDERS as readonly string[]).includes(provider)) {
    return bad('provider', `provider must be one of ${SIGNUP_PROVIDERS.join(', ')}`);
  }

  let country: string | null = null;
  if (text.country !== undefined) {
    country = text.country.toUpperCase();
    if (!/^[A-Z]{2}$/.test(country)) {
      return bad('country', `country: "${text.country}" is not an ISO 3166-1 alpha-2 code`);
    }
  }

  const conventions = { ...DEFAULT_CONVENTIONS };
  for (const name of Object.keys(CONVENTIONS) as (keyof Conventions)[]) {
    const value = text[name];
    if (value === undefined) continue;
    const allowed: readonly string[] = CONVENTIONS[name];
    if (!allowed.includes(value)) return bad(name, `${name} must be one of ${allowed.join(', ')}`);
    (conventions as Record<string, string>)[name] = value;
  }

  const format = text.format ?? 'json';
  if (format !== 'json' && format !== 'csv') return bad('format', 'format must be json or csv');

  const extra = Object.fromEntries(Object.entries(text).filter(([k]) => extraAllowed.includes(k)));
  return ok({ tz, months, at, currency, plan, provider, country, conventions, format, extra });
}
