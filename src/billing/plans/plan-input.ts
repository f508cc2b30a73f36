/** Request bodies of the plans admin API (zod): invalid input is a 422 `invalid_input` with the issues. */
import { z } from 'zod';

export const priceInput = z.object({
  currency: z
    .string()
    .regex(/^[A-Za-z]{3}$/, 'an ISO 4217 code')
    .transform((c) => c.toLowerCase()),
  unitAmount: z.number().int().min(0).max(99_999_999),
  interval: z.enum(['day', 'week', 'month', 'year']),
  intervalCount: z.number().int().min(1).max(12).default(1),
});
export type PriceInput = z.infer<typeof priceInput>;

const role = z.enum(['member', 'professional', 'enterprise']);

export const createPlanInput = z.object({
  key: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lowercase letters, digits, _ and -'),
  name: z.string().trim().min(1).max(200),
  description: z.string().trim().max(2000).optional(),
  grantsRole: role,
  trialDays: z.number().int().min(0).max(730).default(0),
  features: z.array(z.string().trim().min(1).max(80)).max(15).default([]),
  prices: z
    .array(priceInput)
    .min(1)
    .max(20)
    .refine(
      (ps) => new Set(ps.map((p) => `${p.currency}/${p.interval}/${p.intervalCount}`)).size === ps.length,
      'at most one price per currency and billing interval',
    ),
});
export type CreatePlanInput = z.infer<typeof createPlanInput>;

export const updatePlanInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().trim().max(2000).nullable(),
    grantsRole: role,
    trialDays: z.number().int().min(0).max(730),
    features: z.array(z.string().trim().min(1).max(80)).max(15),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'nothing to change');
export type UpdatePlanInput = z.infer<typeof updatePlanInput>;
