/**
 * Webhook ingest (docs/RELIABILITY.md 1-9, 20): what is answered and what is stored for each kind of delivery.
 * Dispatching is covered in webhooks-dispatch.int.test.ts.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handlers } from '../../src/inbox/webhooks/handlers/index.js';
import {
  eventFromFixture,
  postWebhook,
  signatureHeader,
  WEBHOOK_SECRET,
  WEBHOOK_SECRET_OLD,
} from '../story/index.js';
import { storyApp, type StoryApp } from '../story/app.js';

let h: StoryApp;
let seq = 0;
const nextId = () => `evt_ingest_${String(++seq).padStart(6, '0')}`;
const now = () => h.clock.now();
const nowS = () => Math.floor(now().getTime() / 1000);

async function storedEvents(): Promise<{ id: string; status: string; type: string; note: string | null }[]> {
  const r = await h.t.pool.query('SELECT id, status, type, note FROM stripe_events ORDER BY id');
  return r.rows;
}
async function count(id: string): Promise<number> {
  const r = await h.t.pool.query('SELECT count(*)::int AS n FROM stripe_events WHERE id = $1', [id]);
  return r.rows[0].n;
}
const errorCode = (res: { json(): unknown }) => (res.json() as { error: { code: string } }).error.code;

beforeAll(async () => {
  h = await storyApp({ label: 'webhooks', start: '2026-01-15T12:00:00Z', webhookHandlers: handlers });
});
afterAll(() => h.close());

describe('webhook ingest', () => {
  it('stores a valid event as pending with its ordering key, and answers 200 after the commit', async () => {
    const e = eventFromFixture('invoice.paid', { id: nextId() });
    const res = await postWebhook(h.app, e, { at: now() });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ received: true, duplicate: false });
    const r = await h.t.pool.query(
      `SELECT type, status, ordering_key, object_id, livemode, attempts, created_at, payload->>'id' AS pid
       FROM stripe_events WHERE id = $1`,
      [e.id],
    );
    expect(r.rows).toEqual([
      {
        type: 'invoice.paid',
        status: 'pending',
        ordering_key: 'cus_RrHuoIQciTfbbe',
        object_id: 'in_1haSRqEmU8dAtADnIqoqi2l2',
        livemode: false,
        attempts: 0,
        created_at: new Date('2026-08-17T10:04:03Z'),
        pid: e.id,
      },
    ]);
  });

  it('R1 no signature header, an empty one, t= missing, non-numeric or NaN: 400 and nothing stored', async () => {
    const cases: [string | null, string][] = [
      [null, 'signature_missing'],
      ['', 'signature_missing'],
      [`v1=${'a'.repeat(64)}`, 'signature_malformed'],
      [`t=12abc,v1=${'a'.repeat(64)}`, 'signature_malformed'],
      [`t=NaN,v1=${'a'.repeat(64)}`, 'signature_malformed'],
      [`t=${nowS()},t=${nowS()},v1=${'a'.repeat(64)}`, 'signature_malformed'],
    ];
    for (const [signature, code] of cases) {
      const e = eventFromFixture('customer.updated', { id: nextId() });
      const res = await postWebhook(h.app, e, { at: now(), signature });
      expect([res.statusCode, errorCode(res)]).toEqual([400, code]);
      expect(await count(e.id)).toBe(0);
    }
  });

  it('R1 two Stripe-Signature headers (real HTTP): 400 and nothing stored', async () => {
    const e = eventFromFixture('customer.updated', { id: nextId() });
    const body = JSON.stringify(e);
    const sig = signatureHeader(body, nowS());
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = h.app.server.address() as AddressInfo;
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/webhooks/stripe' }, (r) => {
        let data = '';
        r.on('data', (c) => (data += c));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body: data }));
      });
      req.on('error', reject);
      req.setHeader('content-type', 'application/json');
      req.setHeader('stripe-signature', [sig, sig]);
      req.end(body);
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error.code).toBe('signature_malformed');
    expect(await count(e.id)).toBe(0);
  });

  it('R2 one body byte flipped, another endpoint secret, only a v0 scheme: 400 signature_invalid', async () => {
    const e = eventFromFixture('customer.updated', { id: nextId() });
    const body = JSON.stringify(e);
    const sig = signatureHeader(body, nowS());
    const flipped = Buffer.from(body);
    flipped[40] = flipped[40]! ^ 0x01;
    const r1 = await postWebhook(h.app, flipped, { at: now(), signature: sig });
    const r2 = await postWebhook(h.app, body, { at: now(), secret: 'whsec_another_endpoint_0123456789' });
    const v0 = sig.replace('v1=', 'v0=');
    const r3 = await postWebhook(h.app, body, { at: now(), signature: v0 });
    for (const r of [r1, r2, r3]) expect([r.statusCode, errorCode(r)]).toEqual([400, 'signature_invalid']);
    expect(await count(e.id)).toBe(0);
  });

  it('R3 a timestamp 301 s old or 301 s in the future is refused; 299 s either way is accepted', async () => {
    for (const skew of [-301, 301]) {
      const e = eventFromFixture('customer.updated', { id: nextId() });
      const res = await postWebhook(h.app, e, { at: new Date(now().getTime() + skew * 1000) });
      expect([res.statusCode, errorCode(res)]).toEqual([400, 'timestamp_out_of_tolerance']);
      expect(await count(e.id)).toBe(0);
    }
    for (const skew of [-299, 299]) {
      const e = eventFromFixture('customer.updated', { id: nextId() });
      const res = await postWebhook(h.app, e, { at: new Date(now().getTime() + skew * 1000) });
      expect(res.statusCode).toBe(200);
      expect(await count(e.id)).toBe(1);
    }
  });

  it('R6 a valid signature over a body that is not JSON, or JSON that is not an event: 400 payload_invalid', async () => {
    const bodies = [
      'not json at all',
      '{"id": "evt_1", ',
      '[]',
      'null',
      '{"hello":"world"}',
      JSON.stringify({ id: 'evt_x', object: 'event', type: 'customer.updated', created: 1, livemode: false }),
      JSON.stringify({ ...eventFromFixture('customer.updated'), object: 'customer' }),
      JSON.stringify({ ...eventFromFixture('customer.updated'), created: 'yesterday' }),
    ];
    for (const body of bodies) {
      const res = await postWebhook(h.app, body, { at: now() });
      expect([res.statusCode, errorCode(res)]).toEqual([400, 'payload_invalid']);
    }
    expect((await storedEvents()).filter((r) => r.id === 'evt_x' || r.id === 'evt_1')).toEqual([]);
  });

  it('R7 a 300 KB invoice event is accepted and stored byte-for-byte', async () => {
    const base = eventFromFixture('invoice.paid', { id: nextId() });
    const invoice = base.data.object as unknown as { lines: { data: unknown[] } };
    const line = invoice.lines.data[0];
    invoice.lines.data = Array.from({ length: 400 }, (_, i) => ({ ...(line as object), id: `il_${i}` }));
    const body = JSON.stringify(base);
    expect(body.length).toBeGreaterThan(300_000);
    expect(body.length).toBeLessThan(1024 * 1024);
    const res = await postWebhook(h.app, body, { at: now() });
    expect(res.statusCode).toBe(200);
    const r = await h.t.pool.query(
      `SELECT json_array_length(payload->'data'->'object'->'lines'->'data') AS n FROM stripe_events WHERE id = $1`,
      [base.id],
    );
    expect(r.rows[0].n).toBe(400);
  });

  it('R7 a body over 1 MiB is refused with 413 (Content-Length checked first)', async () => {
    const body = 'x'.repeat(1024 * 1024 + 1);
    const res = await postWebhook(h.app, body, { at: now() });
    expect([res.statusCode, errorCode(res)]).toEqual([413, 'payload_too_large']);
  });

  it('R7 a 50 MB body is refused with 413 before it is buffered (declared length and chunked stream)', async () => {
    await h.app.listen({ port: 0, host: '127.0.0.1' }).catch(() => {});
    const { port } = h.app.server.address() as AddressInfo;
    // Declared 50 MB: answered without waiting for the body (what the client got written is what the kernel's
    // socket buffers took, a few MB, not the 50 MB).
    const declared = await sendPartial(port, { 'content-length': String(50 * 1024 * 1024) });
    expect(declared.status).toBe(413);
    expect(declared.sentBytes).toBeLessThan(16 * 1024 * 1024);
    // Chunked (no Content-Length): the stream is cut once it passes 1 MiB.
    const chunked = await sendPartial(port, { 'transfer-encoding': 'chunked' });
    expect(chunked.status).toBe(413);
    expect(chunked.sentBytes).toBeLessThan(16 * 1024 * 1024);
  });

  it('R8 the same delivery replayed inside the tolerance: 200 both times, one row, nothing queued twice', async () => {
    const e = eventFromFixture('customer.updated', { id: nextId() });
    const body = JSON.stringify(e);
    const signature = signatureHeader(body, nowS());
    const first = await postWebhook(h.app, body, { at: now(), signature });
    h.clock.advance(60_000);
    const second = await postWebhook(h.app, body, { at: now(), signature });
    expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
    expect(second.json()).toEqual({ received: true, duplicate: true });
    const r = await h.t.pool.query('SELECT status, received_at FROM stripe_events WHERE id = $1', [e.id]);
    expect(r.rows).toEqual([{ status: 'pending', received_at: new Date('2026-01-15T12:00:00Z') }]);
    h.clock.set('2026-01-15T12:00:00Z');
  });

  it('R9 an event type without a handler: 200, stored skipped, never queued', async () => {
    const e = eventFromFixture('customer.updated', { id: nextId(), type: 'issuing_card.created' });
    const res = await postWebhook(h.app, e, { at: now() });
    expect(res.statusCode).toBe(200);
    const r = await h.t.pool.query('SELECT status, note FROM stripe_events WHERE id = $1', [e.id]);
    expect(r.rows).toEqual([{ status: 'skipped', note: 'no_handler' }]);
  });

  it('R9 livemode different from the configured key: 200, stored ignored, no effect', async () => {
    const e = eventFromFixture('customer.updated', { id: nextId(), livemode: true });
    const res = await postWebhook(h.app, e, { at: now() });
    expect(res.statusCode).toBe(200);
    const r = await h.t.pool.query('SELECT status, note FROM stripe_events WHERE id = $1', [e.id]);
    expect(r.rows).toEqual([{ status: 'ignored', note: 'livemode_mismatch' }]);
  });

  it('accepts any content type and none (the bytes are what is signed)', async () => {
    for (const ct of ['text/plain', 'application/json; charset=utf-8', 'application/octet-stream']) {
      const e = eventFromFixture('customer.updated', { id: nextId() });
      const res = await postWebhook(h.app, e, { at: now(), headers: { 'content-type': ct } });
      expect(res.statusCode).toBe(200);
    }
  });
});

describe('R5 secret rotation', () => {
  it('accepts either configured secret and a header carrying two v1 values; a removed secret stops working', async () => {
    const both = await storyApp({
      webhookHandlers: handlers,
      database: h.t,
      clock: h.clock,
      env: { STRIPE_WEBHOOK_SECRET: `${WEBHOOK_SECRET_OLD},${WEBHOOK_SECRET}` },
      label: 'rotation-both',
    });
    const newOnly = await storyApp({
      database: h.t,
      clock: h.clock,
      label: 'rotation-new',
      webhookHandlers: handlers,
    });
    try {
      const e1 = eventFromFixture('customer.updated', { id: nextId() });
      expect((await postWebhook(both.app, e1, { at: now(), secret: WEBHOOK_SECRET_OLD })).statusCode).toBe(
        200,
      );
      const e2 = eventFromFixture('customer.updated', { id: nextId() });
      expect((await postWebhook(both.app, e2, { at: now(), secret: WEBHOOK_SECRET })).statusCode).toBe(200);
      // Stripe signs with both secrets during a rotation: t=…,v1=<old>,v1=<new>.
      const e3 = eventFromFixture('customer.updated', { id: nextId() });
      const body = JSON.stringify(e3);
      const a = signatureHeader(body, nowS(), WEBHOOK_SECRET_OLD);
      const b = signatureHeader(body, nowS(), WEBHOOK_SECRET);
      const two = `${a},${b.split(',').find((p) => p.startsWith('v1='))}`;
      expect((await postWebhook(newOnly.app, body, { at: now(), signature: two })).statusCode).toBe(200);
      const e4 = eventFromFixture('customer.updated', { id: nextId() });
      const old = await postWebhook(newOnly.app, e4, { at: now(), secret: WEBHOOK_SECRET_OLD });
      expect([old.statusCode, errorCode(old)]).toEqual([400, 'signature_invalid']);
      expect(await count(e4.id)).toBe(0);
    } finally {
      await both.close();
      await newOnly.close();
    }
  });
});

describe('R4 raw body', () => {
  it('R4 a global JSON parser that re-serializes bodies does not reach the webhook route', async () => {
    const app = await storyApp({
      webhookHandlers: handlers,
      database: h.t,
      clock: h.clock,
      label: 'r4',
      root: (root) => {
        root.removeContentTypeParser('application/json');
        root.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
          // A parser that canonicalizes: the bytes it hands on are not the bytes Stripe signed.
          done(null, JSON.parse(JSON.stringify(JSON.parse(body as string))));
        });
        root.post('/echo', async (request) => ({ parsed: typeof request.body }));
      },
    });
    try {
      const echo = await app.app.inject({
        method: 'POST',
        url: '/echo',
        headers: { 'content-type': 'application/json' },
        payload: '{"a": 1}',
      });
      expect(echo.json()).toEqual({ parsed: 'object' });
      // Whitespace and key order that any re-serialization would change:
      const e = eventFromFixture('customer.updated', { id: nextId() });
      const body = `{\n  "type": "customer.updated",   "id": "${e.id}",\n${JSON.stringify(e).slice(1)}`;
      expect(JSON.stringify(JSON.parse(body))).not.toBe(body);
      const res = await postWebhook(app.app, body, { at: now() });
      expect(res.statusCode).toBe(200);
      expect(await count(e.id)).toBe(1);
    } finally {
      await app.close();
    }
  });
});

describe('R20 database down', () => {
  it('R20 PostgreSQL refusing connections while a webhook arrives: 503 unavailable; the retry after it is back: 200', async () => {
    const down = await storyApp({ label: 'r20', start: '2026-01-15T12:00:00Z', webhookHandlers: handlers });
    const admin = new pg.Client({ connectionString: down.t.adminUrl });
    await admin.connect();
    try {
      const e = eventFromFixture('customer.updated', { id: nextId() });
      const body = JSON.stringify(e);
      await admin.query(`ALTER DATABASE "${down.t.name}" ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [
        down.t.name,
      ]);
      const res = await postWebhook(down.app, body, { at: down.clock.now() });
      expect([res.statusCode, errorCode(res)]).toEqual([503, 'unavailable']);
      await admin.query(`ALTER DATABASE "${down.t.name}" ALLOW_CONNECTIONS true`);
      const retry = await postWebhook(down.app, body, { at: down.clock.now() });
      expect(retry.statusCode).toBe(200);
      const r = await down.t.pool.query('SELECT status FROM stripe_events WHERE id = $1', [e.id]);
      expect(r.rows).toEqual([{ status: 'pending' }]);
    } finally {
      await admin.query(`ALTER DATABASE "${down.t.name}" ALLOW_CONNECTIONS true`).catch(() => {});
      await admin.end();
      await down.close();
    }
  });
});

/** Sends headers then up to 50 MB in 64 KB chunks, stopping as soon as the server answers. */
function sendPartial(
  port: number,
  headers: Record<string, string>,
): Promise<{ status: number; sentBytes: number }> {
  return new Promise((resolve, reject) => {
    let sentBytes = 0;
    let answered = false;
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/webhooks/stripe',
        headers: {
          'content-type': 'application/json',
          'stripe-signature': `t=1,v1=${'a'.repeat(64)}`,
          ...headers,
        },
      },
      (res) => {
        answered = true;
        res.resume();
        resolve({ status: res.statusCode ?? 0, sentBytes });
        req.destroy();
      },
    );
    req.on('error', (e) => {
      if (!answered) reject(e);
    });
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const pump = () => {
      while (!answered && sentBytes < 50 * 1024 * 1024) {
        sentBytes += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      if (!answered) req.end();
    };
    pump();
  });
}
