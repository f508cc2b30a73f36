/**
 * Every domain's Drizzle tables, gathered for the Drizzle instance (relational queries).
 * drizzle-kit reads every `*.tables.ts` under src directly. Each domain owns its `*.tables.ts`; add it here too.
 */
export const tables = {};
