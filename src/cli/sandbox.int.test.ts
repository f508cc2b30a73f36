/**
 * `npm start` without STRIPE_SECRET_KEY: prepareStripe starts the sandbox, points the config at it, registers
 * the app's webhook endpoint signed with the configured secret, and keeps state in DATA_DIR/sandbox.json
 * across a restart.
 */
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { createStripe } from '../billing/stripe/client.js';
import { prepareStripe } from './start.js';

describe('prepareStripe with no STRIPE_SECRET_KEY', () => {
  it('starts the sandbox, wires the config, and the state survives a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sandbox-start-'));
    const config = loadConfig({
      DATA_DIR: dataDir,
      PORT: '0',
      STRIPE_WEBHOOK_SECRET: 'whsec_configured_secret',
      LOG_LEVEL: 'silent',
    });
    const logger = createLogger({ level: 'silent' });
    const first = await prepareStripe(config, logger);
    expect(first.config.port).toBeGreaterThan(0);
    expect(first.config.stripe.secretKey).toMatch(/^sk_test_/);
    expect(first.config.stripe.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(first.config.stripe.webhookSecrets).toEqual(['whsec_configured_secret']);
    const stripe = createStripe(first.config);
    const endpoints = await stripe.webhookEndpoints.list();
    expect(endpoints.data.map((e) => e.url)).toEqual([
      `http://127.0.0.1:${first.config.port}/webhooks/stripe`,
    ]);
    const customer = await stripe.customers.create({ email: 'demo@example.com' });
    await first.stop();
    expect(existsSync(join(dataDir, 'sandbox.json'))).toBe(true);

    const second = await prepareStripe({ ...config, port: first.config.port }, logger);
    const again = createStripe(second.config);
    expect(((await again.customers.retrieve(customer.id)) as Stripe.Customer).email).toBe('demo@example.com');
    expect((await again.webhookEndpoints.list()).data).toHaveLength(1);
    await second.stop();
  });

  it('leaves the config alone when a key is set', async () => {
    const config = loadConfig({ STRIPE_SECRET_KEY: 'sk_test_real', LOG_LEVEL: 'silent' });
    const r = await prepareStripe(config, createLogger({ level: 'silent' }));
    expect(r.config).toBe(config);
    await r.stop();
  });
});
