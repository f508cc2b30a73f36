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
        BENCH_WARMUP: '30',
      },
      encoding: 'utf8',
      timeout: 170_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const figures = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('{"name"'))
      .map((l) => JSON.parse(l) as { name: string; value: number; unit: string; n: number; rows: number });
    const types = ['customer.updated', 'invoice.paid', 'customer.subscription.updated'];
    expect(figures.map((f) => f.name)).toEqual([
      ...types.flatMap((t) => [
        `webhooks.ack.${t}.c10`,
        `webhooks.e2e.${t}.c10`,
        `webhooks.cpu_client.${t}.c10`,
        `webhooks.cpu_app.${t}.c10`,
        `webhooks.cpu_pg.${t}.c10`,
      ]),
      // The same load against @supabase/stripe-sync-engine, and our figures divided by its.
      ...types.flatMap((t) => [
        `webhooks.peer.ack.${t}.c10`,
        `webhooks.ratio.ack.${t}.c10`,
        `webhooks.ratio.e2e.${t}.c10`,
      ]),
    ]);
    for (const f of figures) {
      const cpu = f.name.includes('.cpu_');
      const unit = cpu ? 'µs/event' : f.name.includes('.ratio.') ? 'x' : 'events/s';
      expect(f).toMatchObject({ unit, n: 60, rows: 100 });
      // CPU is sampled in 10 ms ticks, so 60 events may show 0 for PostgreSQL (still a real reading: a number, not
      // NaN from a missing /proc entry); the app's and the load generator's shares cannot be 0.
      if (cpu && f.name.includes('cpu_pg')) expect(Number.isFinite(f.value) && f.value >= 0).toBe(true);
      else if (cpu) expect(f.value).toBeGreaterThanOrEqual(1);
      else expect(f.value).toBeGreaterThan(0);
    }
  }, 180_000);
});
