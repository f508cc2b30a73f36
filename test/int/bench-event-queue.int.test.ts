/** `npm run bench event-queue` runs on tiny data and prints its figures (the figures themselves are not asserted). */
import { spawnSync } from 'node:child_process';
import { describe, expect, it, inject } from 'vitest';

describe('bench event-queue', () => {
  it('runs on tiny data and prints one JSON figure per measurement', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', 'event-queue'], {
      env: {
        ...process.env,
        DATABASE_URL: inject('pgAdminUrl'),
        BENCH_EVENTS: '40',
        BENCH_CONCURRENCY: '10',
      },
      encoding: 'utf8',
      timeout: 110_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const figures = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('{"name"'))
      .map((l) => JSON.parse(l) as { name: string; value: number; unit: string; n: number });
    expect(figures.map((f) => [f.name, f.n])).toEqual([
      ['event_queue.store.inbox.c10', 40],
      ['event_queue.store.inbox_plus_pgboss_job.c10', 40],
      ['event_queue.take.inbox_claim', 40],
      ['event_queue.take.pgboss_fetch_complete', 40],
    ]);
    for (const f of figures) expect(f.value).toBeGreaterThan(0);
  }, 120_000);
});
