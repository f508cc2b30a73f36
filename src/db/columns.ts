/** Column builders every domain's *.tables.ts shares: instants as timestamptz, money as bigint minor units. */
import { bigint, timestamp } from 'drizzle-orm/pg-core';

export const ts = (name: string) => timestamp(name, { withTimezone: true });
export const minor = (name: string) => bigint(name, { mode: 'number' });
