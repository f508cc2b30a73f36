/**
 * Query-string parameters shared by the admin list endpoints: page + limit (with the total), a whitelisted sort
 * column and direction, and the common filters. Invalid values are a 422, never a silent default.
 */
import { z } from 'zod';
import { sql } from 'drizzle-orm';

const csv = z
  .string()
  .max(500)
  .transform((s) =>
    s
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v.length > 0),
  );

const instant = z.union([z.iso.datetime({ offset: true }), z.iso.date()]).transform((v) => new Date(v));

export function listParams<S extends readonly [string, ...string[]]>(sortable: S) {
  return z
    .object({
      page: z.coerce.number().int().min(1).max(100_000).default(1),
      limit: z.coerce.number().int().min(1).max(200).default(50),
      sort: z.enum(sortable).default(sortable[0] as S[number] as never),
      order: z.enum(['asc', 'desc']).default('desc'),
      status: csv.optional(),
      plan: csv.optional(),
      currency: z
        .string()
        .regex(/^[A-Za-z]{3}$/)
        .transform((c) => c.toLowerCase())
        .optional(),
      createdFrom: instant.optional(),
      createdTo: instant.optional(),
      q: z.string().trim().min(1).max(200).optional(),
      customerId: z.string().max(100).optional(),
    })
    .strict();
}

export type ListParams<S extends string = string> = {
  page: number;
  limit: number;
  sort: S;
  order: 'asc' | 'desc';
  status?: string[] | undefined;
  plan?: string[] | undefined;
  currency?: string | undefined;
  createdFrom?: Date | undefined;
  createdTo?: Date | undefined;
  q?: string | undefined;
  customerId?: string | undefined;
};

export interface Page<T> {
  items: T[];
  page: number;
  limit: number;
  /** Rows matching, exactly or (totalExact false) at least: see COUNT_CAP in src/db/list-query.ts. */
  total: number;
  totalExact: boolean;
}

/** The response schema of a paged list (OpenAPI): `{ items, page, limit, total, totalExact }`. */
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    page: z.number().int(),
    limit: z.number().int(),
    total: z.number().int().describe('Rows matching; a lower bound when totalExact is false'),
    totalExact: z.boolean().describe('False when more than 10,000 rows past this page match (not counted)'),
  });

/**
 * The `customerId` filter of the billing lists: a customer named by its Stripe id or by its user's id. The lists
 * join customers as `c` (src/db/list-query.ts builds the rest of the query).
 */
export const customerIs = (id: string | undefined) =>
  id === undefined ? undefined : sql`(c.stripe_customer_id = ${id} OR c.user_id = ${id})`;

/**
 * The ids of customers whose email contains `pattern` (an ILIKE pattern) or whose Stripe id is `q`: a subquery on
 * customers alone, so its trigram and unique indexes serve it (drizzle/0021_list_search_indexes.sql).
 */
export const customersMatching = (q: string, pattern: string) =>
  sql`SELECT id FROM customers WHERE email ILIKE ${pattern} OR stripe_customer_id = ${q}`;
