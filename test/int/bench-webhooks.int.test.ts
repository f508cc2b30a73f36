/** `npm run bench:webhooks` runs on tiny data and prints its figures (the figures themselves are not asserted). */
import { spawnSync } from 'node:child_process';
import { describe, expect, it, inject } from 'vitest';

describe('bench:webhooks', () => {
  it('runs on tiny data and prints one JSON figure per measurement', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', 'webhooks'], {
      env: {
        ...process.env,
        DATABASE_URL: inject('pgAdminUrl'),
        BENCH_ROWS: '100',
        BENCH_EVENTS: '60',
        BENCH_CONCURRENCY: '10',
      },
      encoding: 'utf8',
      timeout: 170_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const figures = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('{"name"'))
      .map((l) => JSON.parse(l) as { name: string; value: number; unit: string; n: number; rows: number });
    expect(figures.map((f) => f.name)).toEqual([
      'webhooks.ack.customer.updated.c10',
      'webhooks.e2e.customer.updated.c10',
      'webhooks.ack.invoice.paid.c10',
      'webhooks.e2e.invoice.paid.c10',
      'webhooks.ack.customer.subscription.updated.c10',
      'webhooks.e2e.customer.subscription.updated.c10',
    ]);
    for (const f of figures) {
      expect(f).toMatchObject({ unit: 'events/s', n: 60, rows: 100 });
      expect(f.value).toBeGreaterThan(0);
    }
  }, 180_000);
});
