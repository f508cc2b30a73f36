/**
 * The dispatcher commits its batches asynchronously (no wait for the WAL flush: a crash can only lose whole
 * batches, whose events are then still due); everything else keeps synchronous commit — above all the ingest,
 * whose 200 means "stored".
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HandlerMap } from '../../src/inbox/webhooks/types.js';
import { event, fixture, postWebhook } from '../story/index.js';
import { storyApp, type StoryApp } from '../story/app.js';

const seen: string[] = [];
const handlers = {
  'customer.updated': async (ctx) => {
    const r = await ctx.tx.execute<{ synchronous_commit: string }>(sql`SHOW synchronous_commit`);
    seen.push(r.rows[0]!.synchronous_commit);
    return { outcome: 'applied' };
  },
} as HandlerMap;
let h: StoryApp;

beforeAll(async () => {
  h = await storyApp({ label: 'async-commit', start: '2026-01-15T12:00:00Z', webhookHandlers: handlers });
});
afterAll(() => h.close());

describe('dispatcher commit mode', () => {
  it('a batch runs with synchronous_commit off; the same pool outside a batch keeps it on', async () => {
    const object = fixture<Record<string, unknown>>('object.customer');
    const body = JSON.stringify(event('customer.updated', object, 1_790_000_000, { id: 'evt_async_1' }));
    expect((await postWebhook(h.app, body, { at: h.clock.now() })).statusCode).toBe(200);
    expect(await h.drain()).toBe(1);
    expect(seen).toEqual(['off']);
    // SET LOCAL ended with the batch: the connection it used is back to the server's setting.
    const after = await h.deps.db.transaction((tx) =>
      tx.execute<{ s: string }>(sql`SELECT current_setting('synchronous_commit') AS s`),
    );
    expect(after.rows[0]!.s).toBe('on');
    const { rows } = await h.t.pool.query(`SELECT status FROM stripe_events WHERE id = 'evt_async_1'`);
    expect(rows).toEqual([{ status: 'processed' }]);
  });
});
