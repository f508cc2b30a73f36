import { describe, expect, it } from 'vitest';
import { parseWindow } from '../../cli/sync.js';
import { formatDriftReport } from './drift-report.js';
import type { SyncReport } from './run-sync.js';

const base: SyncReport = {
  runId: 'sync_1_x',
  since: '2026-01-01T00:00:00.000Z',
  resumed: false,
  finished: true,
  requests: 4,
  throttled: 0,
  seen: { events: 10, customers: 2, subscriptions: 1, invoices: 3 },
  eventsRecovered: 2,
  corrections: [],
  unlinkable: [],
};

describe('formatDriftReport', () => {
  it('says so when nothing drifted', () => {
    expect(formatDriftReport(base)).toBe(
      [
        'Reconciliation sync_1_x: window since 2026-01-01T00:00:00.000Z',
        'Checked: 10 events, 2 customers, 1 subscriptions, 3 invoices; 4 Stripe requests; 2 missed events recovered.',
        'No drift: every row matched Stripe.',
      ].join('\n'),
    );
  });

  it('counts the requests Stripe rate-limited (retried after a backoff)', () => {
    expect(formatDriftReport({ ...base, requests: 7, throttled: 3 }).split('\n')[1]).toBe(
      'Checked: 10 events, 2 customers, 1 subscriptions, 3 invoices; 7 Stripe requests (3 rate-limited and retried); 2 missed events recovered.',
    );
  });

  it('lists each repair per kind, before → after, and what could not be repaired', () => {
    const text = formatDriftReport({
      ...base,
      resumed: true,
      corrections: [
        {
          kind: 'subscription',
          stripeId: 'sub_1',
          via: 'event',
          action: 'updated',
          eventIds: ['evt_1', 'evt_2'],
          changes: [{ field: 'status', before: 'active', after: 'past_due' }],
        },
        {
          kind: 'customer',
          stripeId: 'cus_1',
          via: 'object',
          action: 'inserted',
          changes: [{ field: 'email', before: null, after: 'a@b.c' }],
        },
      ],
      unlinkable: [{ kind: 'customer', stripeId: 'cus_2', reason: 'unlinked_customer: cus_2' }],
    });
    expect(text.split('\n').slice(2)).toEqual([
      'customer: 1 repaired (1 missing, 0 different)',
      '  cus_1 [inserted from the object]',
      '    email: ∅ → a@b.c',
      'subscription: 1 repaired (0 missing, 1 different)',
      '  sub_1 [updated by 2 missed event(s)]',
      '    status: active → past_due',
      'Not repaired: customer cus_2 (unlinked_customer: cus_2)',
    ]);
    expect(text.split('\n')[0]).toBe(
      'Reconciliation sync_1_x (resumed): window since 2026-01-01T00:00:00.000Z',
    );
  });
});

describe('parseWindow', () => {
  it('reads d/h/m windows and refuses anything else', () => {
    expect([parseWindow('30d'), parseWindow('12h'), parseWindow('90m')]).toEqual([
      2_592_000_000, 43_200_000, 5_400_000,
    ]);
    for (const bad of ['30', '1w', '-3d', 'd', '']) expect(() => parseWindow(bad)).toThrow(/--since/);
  });
});
