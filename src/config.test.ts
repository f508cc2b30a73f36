import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('applies defaults on an empty environment', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.graceDays).toBe(7);
    expect(c.stripe.webhookSecrets).toEqual([]);
    expect(c.stripe.rateBudget).toBe(80);
    expect(c.bootstrapAdmin).toBeUndefined();
    expect(c.webhooks).toEqual({ workers: 4, yieldToIngest: true });
  });

  it('reads the webhook dispatcher settings', () => {
    expect(loadConfig({ WEBHOOK_WORKERS: '8', WEBHOOK_YIELD_TO_INGEST: 'false' }).webhooks).toEqual({
      workers: 8,
      yieldToIngest: false,
    });
    expect(loadConfig({ WEBHOOK_YIELD_TO_INGEST: '1' }).webhooks.yieldToIngest).toBe(true);
  });

  it('reads the process settings: pool size and which jobs a worker runs', () => {
    expect(loadConfig({}).databasePoolMax).toBe(20);
    expect(loadConfig({}).jobs).toBe('all');
    expect(loadConfig({ DATABASE_POOL_MAX: '30' }).databasePoolMax).toBe(30);
    expect(loadConfig({ JOBS: 'all' }).jobs).toBe('all');
    expect(loadConfig({ JOBS: 'none' }).jobs).toEqual([]);
    expect(loadConfig({ JOBS: 'dunning.sweep, notifications.send' }).jobs).toEqual([
      'dunning.sweep',
      'notifications.send',
    ]);
  });

  it('reads the event payload retention: 90 days by default, 0 keeps every payload', () => {
    expect(loadConfig({}).eventPayloadRetentionDays).toBe(90);
    expect(loadConfig({ EVENT_PAYLOAD_RETENTION_DAYS: '0' }).eventPayloadRetentionDays).toBe(0);
    expect(loadConfig({ EVENT_PAYLOAD_RETENTION_DAYS: '31' }).eventPayloadRetentionDays).toBe(31);
    expect(() => loadConfig({ EVENT_PAYLOAD_RETENTION_DAYS: '30' })).toThrow(
      'EVENT_PAYLOAD_RETENTION_DAYS: must be 0 (keep every payload) or at least 31 days, got 30',
    );
  });

  it('splits the webhook secrets list for rotation', () => {
    const c = loadConfig({ STRIPE_WEBHOOK_SECRET: 'whsec_a, whsec_b' });
    expect(c.stripe.webhookSecrets).toEqual(['whsec_a', 'whsec_b']);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['GRACE_DAYS', '-1'],
    ['EVENT_PAYLOAD_RETENTION_DAYS', '-1'],
    ['EVENT_PAYLOAD_RETENTION_DAYS', '7'],
    ['STRIPE_SECRET_KEY', 'pk_test_123'],
    ['STRIPE_WEBHOOK_SECRET', 'nope'],
    ['DATABASE_URL', 'mysql://x'],
    ['BOOTSTRAP_ADMIN_EMAIL', 'not-an-email'],
    ['WEBHOOK_WORKERS', '0'],
    ['DATABASE_POOL_MAX', '1'],
    ['WEBHOOK_YIELD_TO_INGEST', 'maybe'],
  ])('names %s when its value %s is bad', (variable, value) => {
    try {
      loadConfig({ [variable]: value });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).message).toContain(variable);
    }
  });

  it('requires the bootstrap admin email and password together', () => {
    expect(() => loadConfig({ BOOTSTRAP_ADMIN_EMAIL: 'a@b.co' })).toThrow(/BOOTSTRAP_ADMIN_PASSWORD/);
  });

  it('derives livemode from the key', () => {
    expect(loadConfig({ STRIPE_SECRET_KEY: 'sk_live_abc' }).stripe.livemode).toBe(true);
    expect(loadConfig({ STRIPE_SECRET_KEY: 'sk_test_abc' }).stripe.livemode).toBe(false);
  });
});
