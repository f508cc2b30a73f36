/**
 * `npm run chaos` — issue 13's chaos and abuse families, each the test that `npm test` runs in its short version,
 * run here at full size: loopback only, bounded in count (the sizes below, or CHAOS_SCALE to multiply them) and in
 * time (CHAOS_MINUTES per family, default 30). Prints one JSON line per family —
 * `{ family, passed, runs, lost, doubled, wrongRoles, duplicateStripeObjects, letIn, serverErrors, seconds }` —
 * from the counts each run recorded (test/helpers/chaos-record.ts), and exits 1 when a family failed or counted
 * anything but runs. CHAOS_FAMILIES=a,b runs only those.
 *
 * Families so far: webhook-fuzz (forged and malformed deliveries), access-matrix (every route x every principal),
 * postgres-down (the database stopped under a stream of deliveries), kill9-stream (the app SIGKILLed four times
 * under a stream, at random points), roles-oracle (R19: shuffled, duplicated, concurrent lifecycles against the
 * oracle of the final Stripe objects), kill9-<point> for each named crash point of src/failpoints.ts (50 kills
 * each), stripe-faults (500 / 429 / hangs on every creating call), missed-webhooks (days dark, then
 * reconciliation), burst (10,000 events at once; its p99 acknowledgement time is printed as `p99AckMs`).
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const SCALE = Number(process.env.CHAOS_SCALE ?? 1);
const MINUTES = Number(process.env.CHAOS_MINUTES ?? 30);
/** A family's run count at this scale (at least one). */
const runs = (full: number) => String(Math.max(1, Math.round(full * SCALE)));

interface Family {
  name: string;
  file: string;
  env: Record<string, string>;
  /** Its own time bound, when longer than CHAOS_MINUTES (per invocation). */
  minutes?: number;
  /** Times the file is run (each on a fresh database), its records summed; default 1. */
  invocations?: number;
}

const FAMILIES: Family[] = [
  {
    name: 'webhook-fuzz',
    file: 'test/int/webhooks-fuzz.int.test.ts',
    env: { FUZZ_RUNS: String(100_000 * SCALE) },
  },
  { name: 'access-matrix', file: 'test/int/access-matrix.int.test.ts', env: {} },
  {
    name: 'postgres-down',
    file: 'test/int/billing/postgres-down-stream.int.test.ts',
    env: { CHAOS_RUNS: String(20 * SCALE) },
  },
  {
    name: 'kill9-stream',
    file: 'test/int/billing/kill9-stream.int.test.ts',
    env: { CHAOS_RUNS: String(50 * SCALE) },
    // About 35 s a scenario.
    minutes: 45 * SCALE,
  },
  {
    name: 'roles-oracle',
    file: 'test/int/billing/shuffled-delivery-converges.int.test.ts',
    // In ten invocations of 1,000 runs (fast-check draws a new seed each time): every run leaves its rows in the
    // file's database and the test's own checks find a run's rows by an id prefix (a scan), so one database of
    // 10,000 runs slowed from 600 to under 100 runs a minute.
    env: { PROPERTY_RUNS: String(1_000 * SCALE) },
    invocations: 10,
    // About 4 minutes an invocation on an idle 2-core machine.
    minutes: 8 * SCALE,
  },
  // kill -9 at each named crash point (src/failpoints.ts), CHAOS_RUNS kills each: the webhook path's four under a
  // stream of deliveries (about 15 s a kill on an idle 2-core machine), the outward effects' three.
  ...['ingest.after-verify', 'ingest.after-insert', 'ingest.after-commit', 'dispatch.mid-batch'].map(
    (point) => ({
      name: `kill9-${point}`,
      file: 'test/int/billing/kill9-points.int.test.ts',
      env: { KILL9_POINT: point, CHAOS_RUNS: runs(50) },
      minutes: Math.max(15, 40 * SCALE),
    }),
  ),
  ...['stripe.after-call', 'job.mid', 'notify.after-send'].map((point) => ({
    name: `kill9-${point}`,
    file: 'test/int/billing/kill9-effects.int.test.ts',
    env: { KILL9_POINT: point, CHAOS_RUNS: runs(50) },
    minutes: Math.max(15, 40 * SCALE),
  })),
  {
    name: 'stripe-faults',
    file: 'test/int/billing/stripe-faults.int.test.ts',
    env: { CHAOS_RUNS: runs(200) },
  },
  {
    name: 'missed-webhooks',
    file: 'test/int/billing/missed-webhooks.int.test.ts',
    env: { CHAOS_RUNS: runs(10) },
  },
  { name: 'burst', file: 'test/int/webhooks-burst.int.test.ts', env: { CHAOS_RUNS: runs(3) } },
];

const only = process.env.CHAOS_FAMILIES?.split(',');
const COUNTS = [
  'runs',
  'lost',
  'doubled',
  'wrongRoles',
  'duplicateStripeObjects',
  'letIn',
  'serverErrors',
] as const;
let failed = false;
for (const family of FAMILIES.filter((f) => !only || only.includes(f.name))) {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'chaos-')), 'records.jsonl');
  const started = Date.now();
  let r: SpawnSyncReturns<string> | undefined;
  for (let i = 0; i < (family.invocations ?? 1) && (r === undefined || r.status === 0); i++) {
    r = spawnSync('npx', ['vitest', 'run', family.file], {
      env: { ...process.env, ...family.env, CHAOS_OUT: out, TZ: 'UTC' },
      encoding: 'utf8',
      timeout: (family.minutes ?? MINUTES) * 60_000,
      maxBuffer: 256 * 1024 * 1024,
    });
  }
  if (!r) throw new Error(`${family.name}: no invocation`);
  const totals: Record<string, number> = Object.fromEntries(COUNTS.map((c) => [c, 0]));
  let p99AckMs: number | undefined;
  const lines = fs.existsSync(out) ? fs.readFileSync(out, 'utf8').split('\n').filter(Boolean) : [];
  for (const line of lines) {
    const rec = JSON.parse(line) as Record<string, unknown>;
    if (rec.family !== family.name) continue;
    for (const c of COUNTS) totals[c]! += Number(rec[c] ?? 0);
    if (typeof rec.p99AckMs === 'number') p99AckMs = Math.max(p99AckMs ?? 0, rec.p99AckMs);
  }
  const passed = r.status === 0 && COUNTS.every((c) => c === 'runs' || totals[c] === 0) && totals.runs! > 0;
  if (!passed) {
    failed = true;
    const log = path.join(path.dirname(out), 'vitest.log');
    fs.writeFileSync(log, `${r.stdout ?? ''}\n${r.stderr ?? ''}`);
    process.stderr.write(`${family.name}: vitest exited ${r.status ?? r.signal}; its whole output: ${log}\n`);
  }
  process.stdout.write(
    JSON.stringify({
      family: family.name,
      passed,
      ...totals,
      ...(p99AckMs === undefined ? {} : { p99AckMs }),
      seconds: Math.round((Date.now() - started) / 1000),
    }) + '\n',
  );
}
process.exit(failed ? 1 : 0);
