import { describe, expect, it } from 'vitest';
import { invoiceRank, isNewer, subscriptionRank } from './version-guard.js';

const at = (s: number) => new Date(s * 1000);

describe('isNewer (stale/tie rule)', () => {
  it('applies to a missing row', () => {
    expect(isNewer({ at: at(10), eventId: 'evt_a' }, null)).toBe(true);
  });
  it('orders by created first', () => {
    expect(isNewer({ at: at(11), eventId: 'evt_a' }, { at: at(10), eventId: 'evt_z' })).toBe(true);
    expect(isNewer({ at: at(9), eventId: 'evt_z' }, { at: at(10), eventId: 'evt_a' })).toBe(false);
  });
  it('same second: the later lifecycle state wins, whatever arrives first', () => {
    const active = { at: at(10), eventId: 'evt_b', rank: subscriptionRank('active') };
    const incomplete = { at: at(10), eventId: 'evt_z', rank: subscriptionRank('incomplete') };
    const canceled = { at: at(10), eventId: 'evt_a', rank: subscriptionRank('canceled') };
    expect(isNewer(active, incomplete)).toBe(true);
    expect(isNewer(incomplete, active)).toBe(false);
    expect(isNewer(active, canceled)).toBe(false);
    expect(isNewer(canceled, active)).toBe(true);
    expect(
      isNewer(
        { at: at(10), eventId: 'e1', rank: invoiceRank('open', 2) },
        { at: at(10), eventId: 'e2', rank: invoiceRank('paid', 1) },
      ),
    ).toBe(false);
    expect(
      isNewer(
        { at: at(10), eventId: 'e1', rank: invoiceRank('open', 2) },
        { at: at(10), eventId: 'e2', rank: invoiceRank('open', 1) },
      ),
    ).toBe(true);
  });
  it('same second, same rank: the greater event id wins; the same event is never newer than itself', () => {
    expect(isNewer({ at: at(10), eventId: 'evt_b' }, { at: at(10), eventId: 'evt_a' })).toBe(true);
    expect(isNewer({ at: at(10), eventId: 'evt_a' }, { at: at(10), eventId: 'evt_b' })).toBe(false);
    expect(isNewer({ at: at(10), eventId: 'evt_a' }, { at: at(10), eventId: 'evt_a' })).toBe(false);
  });
  it('writes without an event id', () => {
    expect(isNewer({ at: at(10), eventId: null }, { at: at(10), eventId: 'evt_a' })).toBe(false);
    expect(isNewer({ at: at(10), eventId: 'evt_a' }, { at: at(10), eventId: null })).toBe(true);
    expect(isNewer({ at: at(10), eventId: null }, { at: at(10), eventId: null })).toBe(false);
    expect(isNewer({ at: at(11), eventId: null }, { at: at(10), eventId: 'evt_a' })).toBe(true);
  });
});
