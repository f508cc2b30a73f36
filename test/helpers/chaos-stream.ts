/**
 * What the stream chaos tests share (PostgreSQL down, processes killed): the state of an uninterrupted run of a
 * lifecycle stream, to compare a disturbed run with, and delivery as Stripe delivers — one or several requests in flight,
 * each retried until it is answered 2xx — to an app process that may be replaced meanwhile.
 */
import type Stripe from 'stripe';
import { testDatabase, type TestDatabase } from './db.js';
import { deliverInOrder, startAppProcess, type AppProcess } from './app-process.js';
import { billingSnapshot, type BillingSnapshot } from './billing-snapshot.js';
import { seedLifecycle, type LifecycleStream } from '../story/lifecycle.js';

export interface Answer {
  id: string;
  /** The HTTP status, or 0 when no answer came (connection refused or reset: the process was gone). */
  status: number;
  at: number;
}

/** The snapshot of `stream` delivered in order to one undisturbed process on a fresh database (dropped by the
 *  caller with the other databases it keeps in `dbs`). */
export async function uninterruptedSnapshot(
  stream: LifecycleStream,
  label: string,
  dbs: TestDatabase[],
): Promise<BillingSnapshot> {
  const reference = await testDatabase({ max: 4 });
  dbs.push(reference);
  await seedLifecycle(reference.pool, stream);
  const app = await startAppProcess({ databaseUrl: reference.url, label: `${label}-reference` });
  try {
    await deliverInOrder(app, reference.pool, stream.events);
  } finally {
    await app.stop();
  }
  return billingSnapshot(reference.pool);
}

/**
 * Delivers `events` with `inFlight` requests at once to whatever process `target()` names at that moment, each
 * retried (after 50 ms) until it is answered 2xx; every answer is recorded. Resolves with the acknowledged ids.
 */
export async function deliverWithRetries(
  target: () => AppProcess,
  events: Stripe.Event[],
  answers: Answer[],
  inFlight: number,
): Promise<Set<string>> {
  const acked = new Set<string>();
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= events.length) return;
      const e = events[i]!;
      for (;;) {
        const status = await target()
          .deliver(e)
          .catch(() => 0);
        answers.push({ id: e.id, status, at: Date.now() });
        if (status >= 200 && status < 300) {
          acked.add(e.id);
          break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return acked;
}
