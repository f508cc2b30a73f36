import { describe, expect, it } from 'vitest';
import type { JobDefinition } from './registry.js';
import { selectJobs } from './start-worker.js';

const job = (name: string) => ({ name, run: async () => {} }) as unknown as JobDefinition;
const all = [job('dunning.sweep'), job('notifications.send'), job('reconcile')];

describe('selectJobs (JOBS)', () => {
  it('all, none, or the named ones in registry order', () => {
    expect(selectJobs(all, 'all').map((j) => j.name)).toEqual([
      'dunning.sweep',
      'notifications.send',
      'reconcile',
    ]);
    expect(selectJobs(all, [])).toEqual([]);
    expect(selectJobs(all, ['reconcile', 'dunning.sweep']).map((j) => j.name)).toEqual([
      'dunning.sweep',
      'reconcile',
    ]);
  });

  it('an unknown name is an error naming it and the known ones', () => {
    expect(() => selectJobs(all, ['dunning.sweep', 'dunning.swep'])).toThrow(
      'JOBS names unknown jobs: dunning.swep (known: dunning.sweep, notifications.send, reconcile, or all / none)',
    );
  });
});
