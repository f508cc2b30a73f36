/**
 * Time-driven work. When a clock moves (a test clock advance, the sandbox clock's advance or tick), every
 * due action of the objects on that clock runs at its own scheduled time, earliest first, so events carry
 * the time they would have on Stripe: trial_will_end (3 days before), trial end, renewals, scheduled
 * cancellations, automatic finalization, payment retries, incomplete expiry (23 h), pause_collection end.
 */
import type { Sandbox } from '../state.js';
import type { Obj } from '../store.js';
import { collectInvoice } from './invoices.js';
import {
  autoFinalize,
  cancelSubscriptionNow,
  endTrial,
  expireIncomplete,
  itemPeriod,
  startNewPeriod,
} from './subscription-ops.js';

interface Due {
  at: number;
  /** Lower runs first among actions at the same second. */
  rank: number;
  run: () => void;
  obj?: Obj;
}

/** What an action's decision depends on; a batched action whose object changed meanwhile is re-planned. */
function fingerprint(o: Obj | undefined): string {
  if (!o) return '';
  return JSON.stringify([
    o.status,
    o.trial_end,
    o.cancel_at,
    o.pause_collection,
    o.latest_invoice,
    o.next_payment_attempt,
    o.automatically_finalizes_at,
    o.object === 'subscription' ? (o.items.data as Obj[]).map((it) => it.current_period_end) : null,
  ]);
}

const DAY = 86400;

function dueActions(sb: Sandbox, clockId: string | null, until: number): Due[] {
  const out: Due[] = [];
  for (const sub of sb.store.all('subscription')) {
    if (sb.clockOfCustomer(sub.customer) !== clockId) continue;
    const m = sb.store.m(sub.id);
    const status = sub.status as string;
    if (status === 'trialing' && sub.trial_end !== null) {
      const twe = Math.max(sub.trial_start as number, (sub.trial_end as number) - 3 * DAY);
      if (!m.trialWillEndSent && twe <= until && twe < sub.trial_end) {
        out.push({
          obj: sub,
          at: twe,
          rank: 1,
          run: () => {
            m.trialWillEndSent = true;
            sb.emit('customer.subscription.trial_will_end', sub);
          },
        });
      }
      if (sub.trial_end <= until) {
        out.push({
          obj: sub,
          at: sub.trial_end,
          rank: 3,
          run: () => {
            if (sub.cancel_at !== null && sub.cancel_at <= sub.trial_end)
              cancelSubscriptionNow(sb, sub, { reason: 'cancellation_requested' });
            else endTrial(sb, sub);
          },
        });
      }
    }
    if (['active', 'past_due', 'unpaid'].includes(status)) {
      const { end } = itemPeriod(sub);
      if (sub.cancel_at !== null && sub.cancel_at <= until && sub.cancel_at <= end) {
        out.push({
          obj: sub,
          at: sub.cancel_at,
          rank: 2,
          run: () => cancelSubscriptionNow(sb, sub, { reason: 'cancellation_requested' }),
        });
      } else if (end <= until) {
        out.push({
          obj: sub,
          at: end,
          rank: 3,
          run: () => startNewPeriod(sb, sub, end, 'subscription_cycle'),
        });
      }
      const resumesAt = sub.pause_collection?.resumes_at as number | null | undefined;
      if (resumesAt && resumesAt <= until) {
        out.push({
          obj: sub,
          at: resumesAt,
          rank: 0,
          run: () => sb.update(sub, () => (sub.pause_collection = null)),
        });
      }
    }
    if (status === 'incomplete' && (sub.created as number) + 23 * 3600 <= until) {
      out.push({
        obj: sub,
        at: (sub.created as number) + 23 * 3600,
        rank: 5,
        run: () => expireIncomplete(sb, sub),
      });
    }
  }
  for (const inv of sb.store.all('invoice')) {
    if (sb.clockOfCustomer(inv.customer) !== clockId) continue;
    if (
      inv.status === 'draft' &&
      inv.auto_advance &&
      inv.automatically_finalizes_at !== null &&
      inv.automatically_finalizes_at <= until
    ) {
      out.push({
        obj: inv,
        at: inv.automatically_finalizes_at,
        rank: 4,
        run: () => autoFinalize(sb, inv),
      });
    }
    if (
      inv.status === 'open' &&
      inv.collection_method === 'charge_automatically' &&
      inv.next_payment_attempt !== null &&
      inv.next_payment_attempt <= until
    ) {
      out.push({
        obj: inv,
        at: inv.next_payment_attempt,
        rank: 4,
        run: () => collectInvoice(sb, inv as Obj, { offSession: true }),
      });
    }
  }
  return out;
}

/** Run everything due on `clockId` up to `target`, in time order; returns how many actions ran. */
export function runUntil(sb: Sandbox, clockId: string | null, target: number): number {
  let n = 0;
  for (let pass = 0; ; pass++) {
    if (pass > 1_000_000) throw new Error('lifecycle runaway');
    const due = dueActions(sb, clockId, target).sort((a, b) => a.at - b.at || a.rank - b.rank);
    const first = due[0];
    if (!first) break;
    // everything due in the same second runs in one pass (bulk data renews together); each action
    // still sees the state it was planned on, or waits for the next pass
    const batch = due.filter((d) => d.at === first.at).map((d) => ({ d, fp: fingerprint(d.obj) }));
    for (const { d, fp } of batch) {
      if (fingerprint(d.obj) !== fp) continue;
      sb.withProcessingTime(clockId, d.at, d.run);
      n++;
    }
  }
  return n;
}

/** Advance a test clock: `advancing` event, everything due, `ready` event. */
export function advanceTestClock(sb: Sandbox, clock: Obj, target: number): Obj {
  sb.update(clock, () => (clock.status = 'advancing'), { emit: false });
  sb.emit('test_helpers.test_clock.advancing', clock);
  runUntil(sb, clock.id, target);
  sb.update(
    clock,
    () => {
      clock.frozen_time = target;
      clock.status = 'ready';
    },
    { emit: false },
  );
  sb.emit('test_helpers.test_clock.ready', clock);
  return clock;
}

/** Advance the sandbox-wide clock (objects without a test clock) and let due webhook retries go. */
export function advanceSandboxClock(sb: Sandbox, target: number): void {
  runUntil(sb, null, target);
  sb.clock.set(target);
  sb.delivery.tick();
}
