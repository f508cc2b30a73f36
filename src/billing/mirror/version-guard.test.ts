import { describe, expect, it } from 'vitest';
import { invoiceRank, isNewer, subscriptionRank, succeeds, successionOf } from './version-guard.js';

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
  describe('same second: succession from previous_attributes', () => {
    const sub = (
      eventId: string,
      status: string,
      previous: Record<string, unknown> | null,
      created = false,
    ) => ({
      at: at(10),
      eventId,
      rank: subscriptionRank(status),
      state: { status, cancel_at_period_end: false },
      previous,
      created,
    });
    it('past_due → active applies in both orders (the rank rule alone would keep past_due)', () => {
      const card = sub('evt_z', 'past_due', { default_payment_method: 'pm_old' });
      const recovered = sub('evt_a', 'active', { status: 'past_due' });
      expect(isNewer(recovered, card)).toBe(true);
      expect(isNewer(card, recovered)).toBe(false);
    });
    it('a field the event did not change must still equal the other side', () => {
      const toggled = sub('evt_b', 'active', { cancel_at_period_end: false });
      const pastDueRow = sub('evt_a', 'past_due', { status: 'active' });
      expect(succeeds(toggled, pastDueRow)).toBe(false);
      expect(
        succeeds(pastDueRow, { ...toggled, state: { status: 'active', cancel_at_period_end: false } }),
      ).toBe(true);
    });
    it('nested paths and expanded references', () => {
      const created = {
        at: at(10),
        eventId: 'evt_z',
        created: true,
        state: { 'invoice_settings.default_payment_method': null },
      };
      const updated = {
        at: at(10),
        eventId: 'evt_a',
        previous: { invoice_settings: { default_payment_method: null } },
        state: { 'invoice_settings.default_payment_method': 'pm_1' },
      };
      expect(isNewer(updated, created)).toBe(true);
      expect(isNewer(created, updated)).toBe(false);
      expect(
        succeeds(
          { ...updated, previous: { invoice_settings: { default_payment_method: { id: 'pm_0' } } } },
          { ...created, created: false, state: { 'invoice_settings.default_payment_method': 'pm_0' } },
        ),
      ).toBe(true);
    });
    it('a created never succeeds; without previous_attributes, or when both succeed, the rank rule decides', () => {
      expect(
        succeeds(sub('evt_b', 'active', null, true), sub('evt_a', 'active', { status: 'trialing' })),
      ).toBe(false);
      expect(isNewer(sub('evt_b', 'active', null), sub('evt_a', 'past_due', null))).toBe(false);
      // A ping-pong (active → past_due → active): each describes the other; rank keeps past_due.
      const a = sub('evt_b', 'active', { status: 'past_due' });
      const b = sub('evt_a', 'past_due', { status: 'active' });
      expect(isNewer(a, b)).toBe(false);
      expect(isNewer(b, a)).toBe(true);
    });
    it('a duplicate is never a successor, and writes without an event id never use succession', () => {
      const recovered = sub('evt_a', 'active', { status: 'active' });
      expect(succeeds(recovered, recovered)).toBe(false);
      expect(isNewer(recovered, recovered)).toBe(false);
      expect(
        isNewer(
          { ...sub('x', 'active', { status: 'past_due' }), eventId: null },
          sub('evt_a', 'past_due', null),
        ),
      ).toBe(false);
    });
    it('successionOf reads the payload', () => {
      expect(successionOf({ type: 'customer.created', data: {} })).toEqual({ created: true, previous: null });
      expect(
        successionOf({
          type: 'customer.subscription.updated',
          data: { previous_attributes: { status: 'past_due' } },
        }),
      ).toEqual({ created: false, previous: { status: 'past_due' } });
    });
  });
});
