/**
 * `persistPath`: objects, settings, the API key and webhooks still owed survive a restart.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import { startSandbox } from '../index.js';
import { T0 } from './harness.js';

describe('persistence', () => {
  it('restores state and redelivers webhooks the endpoint had not accepted', async () => {
    const persistPath = join(mkdtempSync(join(tmpdir(), 'sandbox-persist-')), 'sandbox.json');
    let accept = false;
    const received: string[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (accept) received.push((JSON.parse(body) as Stripe.Event).type);
        res.writeHead(accept ? 200 : 503);
        res.end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    const addr = receiver.address();
    const webhookUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/hook`;

    const first = await startSandbox({
      startTime: T0,
      persistPath,
      webhookUrl,
      webhookSecret: 'whsec_persist',
    });
    const s1 = new Stripe(first.secretKey, { host: '127.0.0.1', port: first.port, protocol: 'http' });
    const customer = await s1.customers.create({ email: 'kept@example.com' });
    await first.control.settings({ afterRetries: 'unpaid' });
    await first.control.flush();
    await first.stop();

    accept = true;
    const second = await startSandbox({
      startTime: T0,
      persistPath,
      webhookUrl,
      webhookSecret: 'whsec_persist',
    });
    expect(second.secretKey).toBe(first.secretKey);
    const s2 = new Stripe(second.secretKey, { host: '127.0.0.1', port: second.port, protocol: 'http' });
    expect(((await s2.customers.retrieve(customer.id)) as Stripe.Customer).email).toBe('kept@example.com');
    expect((await second.control.settings()).afterRetries).toBe('unpaid');
    expect((await second.control.retryNow()).count).toBe(1);
    await second.control.flush();
    expect(received).toEqual(['customer.created']);
    await second.stop();
    await new Promise<void>((r) => receiver.close(() => r()));
  });
});
