/**
 * The OpenAPI side of the reports the console reads (summary, mrr, churn and their drill-downs): zod schemas of the
 * query parameters and of the JSON answers, attached to the routes with `documented()` so the console's calls are
 * typed from the generated document and `npm run typecheck` fails when an answer stops matching. The parameters are
 * still parsed by report-params.ts (one parser, stable error codes); the query schema here only documents them.
 */
import { z } from 'zod';
import { SIGNUP_PROVIDERS } from '../accounts/signup-providers.js';
import { CONVENTIONS } from './report-params.js';

const conventionParams = {
  pastDue: z.enum(CONVENTIONS.pastDue).optional(),
  trials: z.enum(CONVENTIONS.trials).optional(),
  churnAt: z.enum(CONVENTIONS.churnAt).optional(),
  sameWindow: z.enum(CONVENTIONS.sameWindow).optional(),
};

export const reportQuery = z.object({
  from: z.string().optional().describe('first month, YYYY-MM (default: 11 months before to)'),
  to: z.string().optional().describe('last month, YYYY-MM (default: the current month)'),
  tz: z
    .string()
    .optional()
    .describe(
      'IANA time zone whose calendar months the periods are, e.g. Europe/Berlin (default: UTC); an unknown zone is 400 invalid_tz',
    ),
  at: z
    .string()
    .optional()
    .describe('instant of point-in-time reports (default: now); a date alone is its 00:00 in tz'),
  currency: z
    .string()
    .optional()
    .describe('one currency (lowercase ISO 4217); absent = one series per currency'),
  plan: z.string().optional(),
  provider: z
    .enum(SIGNUP_PROVIDERS)
    .optional()
    .describe('the customers whose user signed up with this provider (users.signup_provider)'),
  country: z
    .string()
    .optional()
    .describe('the customers of this country (ISO 3166-1 alpha-2, any case; customers.country)'),
  format: z.enum(['json', 'csv']).optional(),
  ...conventionParams,
});

export const drillQuery = reportQuery.extend({
  metric: z.string(),
  month: z.string().optional(),
  page: z.string().optional(),
  limit: z.string().optional(),
});

const conventions = z.object({
  pastDue: z.enum(CONVENTIONS.pastDue),
  trials: z.enum(CONVENTIONS.trials),
  churnAt: z.enum(CONVENTIONS.churnAt),
  sameWindow: z.enum(CONVENTIONS.sameWindow),
});

const filters = {
  currency: z.string().nullable(),
  plan: z.string().nullable(),
  provider: z.string().nullable(),
  country: z.string().nullable(),
};

/** The zone the months are in, as given (canonical spelling) or UTC. */
const tz = z.string().describe('the IANA time zone of the months (UTC unless tz= was given)');

const head = {
  from: z.string().nullable(),
  to: z.string().nullable(),
  tz,
  ...filters,
  conventions,
};

export const summaryAnswer = z.object({
  report: z.literal('summary'),
  at: z.string(),
  tz,
  ...filters,
  conventions,
  series: z.array(
    z.object({
      currency: z.string(),
      mrr: z.number(),
      arr: z.number(),
      payingCustomers: z.number(),
      arpa: z.number().nullable(),
      subscriptions: z.object({ active: z.number(), trialing: z.number(), pastDue: z.number() }),
      mrrAtRisk: z.number(),
      trials: z
        .array(z.object({ subscription: z.string(), customer: z.string(), plan: z.string().nullable() }))
        .optional(),
    }),
  ),
});

export const mrrAnswer = z.object({
  report: z.literal('mrr'),
  ...head,
  series: z.array(
    z.object({
      currency: z.string(),
      months: z.array(
        z.object({
          month: z.string(),
          startMrr: z.number(),
          new: z.number(),
          expansion: z.number(),
          contraction: z.number(),
          churn: z.number(),
          reactivation: z.number(),
          netNew: z.number(),
          endMrr: z.number(),
        }),
      ),
    }),
  ),
});

const rate = z.number().nullable();
export const churnAnswer = z.object({
  report: z.literal('churn'),
  ...head,
  series: z.array(
    z.object({
      currency: z.string(),
      months: z.array(
        z.object({
          month: z.string(),
          customersAtStart: z.number(),
          churnedCustomers: z.number(),
          customerChurnRate: rate,
          startMrr: z.number(),
          churnedMrr: z.number(),
          contractionMrr: z.number(),
          expansionMrr: z.number(),
          reactivationMrr: z.number(),
          newMrr: z.number(),
          grossMrrChurnRate: rate,
          netMrrChurnRate: rate,
          nrr: rate,
          quickRatio: rate,
        }),
      ),
    }),
  ),
});

export const drillAnswer = z.object({
  report: z.string(),
  metric: z.string(),
  month: z.string().nullable(),
  tz,
  currency: z.string(),
  plan: z.string().nullable(),
  provider: z.string().nullable(),
  country: z.string().nullable(),
  conventions,
  total: z.number(),
  sum: z.number(),
  page: z.number(),
  limit: z.number(),
  rows: z.array(
    z.object({
      customer: z.string(),
      day: z.string().nullable(),
      kind: z.string().nullable(),
      mrrBefore: z.number().nullable(),
      mrrAfter: z.number().nullable(),
      amount: z.number(),
    }),
  ),
});

/** Any other report's JSON answer: its head and whatever series it carries (see docs/METRICS.md). */
export const anyReportAnswer = z.looseObject({ report: z.string() });
