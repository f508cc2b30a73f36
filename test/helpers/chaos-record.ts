/**
 * What a chaos family measured, for `npm run chaos` (test/chaos/run.ts): each family's test appends one JSON line
 * per run to the file named by CHAOS_OUT (nothing when unset, as in `npm test`), with the counts the runner adds up
 * and prints — runs, lost (acknowledged but never applied), doubled (an effect applied twice), wrong roles,
 * duplicate Stripe objects, let in (a forgery or an unauthorized request that succeeded), 5xx.
 * Tests count first and assert after, so a failing run still reports what it found.
 */
import fs from 'node:fs';

export interface ChaosCounts {
  runs: number;
  lost?: number;
  doubled?: number;
  wrongRoles?: number;
  duplicateStripeObjects?: number;
  letIn?: number;
  serverErrors?: number;
  /** A burst's 99th percentile acknowledgement time (the runner prints the largest). */
  p99AckMs?: number;
}

export function recordChaos(family: string, counts: ChaosCounts): void {
  const out = process.env.CHAOS_OUT;
  if (!out) return;
  fs.appendFileSync(out, JSON.stringify({ family, ...counts }) + '\n');
}
