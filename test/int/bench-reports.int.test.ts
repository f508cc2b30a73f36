/** `npm run bench:reports` runs on tiny data and prints its figures (the figures themselves are not asserted). */
import { spawnSync } from 'node:child_process';
import { describe, expect, it, inject } from 'vitest';

describe('bench:reports', () => {
  it('runs on tiny data and prints one JSON figure per report, cold and warm, and per drill-down', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', 'reports'], {
      env: { ...process.env, DATABASE_URL: inject('pgAdminUrl'), BENCH_CUSTOMERS: '150', BENCH_REPEAT: '1' },
      encoding: 'utf8',
      timeout: 170_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const figures = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('{"name"'))
      .map((l) => JSON.parse(l) as { name: string; value: number; unit: string; rows: number });
    const names = figures.map((f) => f.name);
    // The generated history: 150 customers, 225 subscriptions (1.5 each).
    expect(figures.find((f) => f.name === 'reports.history.customers')?.value).toBe(150);
    expect(figures.find((f) => f.name === 'reports.history.subscriptions')?.value).toBe(225);
    for (const report of [
      'summary',
      'mrr',
      'churn',
      'ltv',
      'revenue',
      'payment-failures',
      'recovery',
      'signups',
      'cohorts',
    ]) {
      expect(names).toContain(`reports.${report}.cold`);
      expect(names).toContain(`reports.${report}.warm`);
    }
    expect(names).toContain('reports.mrr.rows.warm');
    expect(names).toContain('reports.churn.rows.warm');
    for (const f of figures) expect(f.value).toBeGreaterThan(0);
  }, 180_000);
});
