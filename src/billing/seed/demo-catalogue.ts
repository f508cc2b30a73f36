/** The demo catalogue `npm start` seeds on first start (and `sertantai db seed`): three plans, prices in USD cents. */
import type { CreatePlanInput } from '../plans/plan-input.js';

export const DEMO_PLANS: CreatePlanInput[] = [
  {
    key: 'starter',
    name: 'Starter',
    description: 'For individuals getting started',
    grantsRole: 'professional',
    trialDays: 0,
    features: ['1 workspace', 'Email support'],
    prices: [
      { currency: 'usd', unitAmount: 900, interval: 'month', intervalCount: 1 },
      { currency: 'usd', unitAmount: 9000, interval: 'year', intervalCount: 1 },
    ],
  },
  {
    key: 'professional',
    name: 'Professional',
    description: 'For professionals and small teams',
    grantsRole: 'professional',
    trialDays: 14,
    features: ['10 workspaces', 'Priority support', 'Reports'],
    prices: [
      { currency: 'usd', unitAmount: 2900, interval: 'month', intervalCount: 1 },
      { currency: 'usd', unitAmount: 29000, interval: 'year', intervalCount: 1 },
    ],
  },
  {
    key: 'enterprise',
    name: 'Enterprise',
    description: 'For organisations with many teams',
    grantsRole: 'enterprise',
    trialDays: 0,
    features: ['Unlimited workspaces', 'SSO', 'Dedicated support'],
    prices: [{ currency: 'usd', unitAmount: 9900, interval: 'month', intervalCount: 1 }],
  },
];

/** Demo customers: a user each, a test card on file and a subscription (skipped when `users: false`). */
export const DEMO_CUSTOMERS = [
  { email: 'ann@demo.sertantai.test', name: 'Ann Demo', planKey: 'starter', interval: 'month' as const },
  { email: 'bob@demo.sertantai.test', name: 'Bob Demo', planKey: 'professional', interval: 'year' as const },
  { email: 'cat@demo.sertantai.test', name: 'Cat Demo', planKey: 'enterprise', interval: 'month' as const },
];
