/**
 * Issue 13 / RELIABILITY 21 at the named points where the app acts outside its database: a process running the
 * app's own code (test/helpers/effects-child.ts) is started with a crash point armed (src/failpoints.ts) at a
 * random hit, SIGKILLs itself there, and is started again — armed again until the run's kills are done, then
 * unarmed to the end, as a restarted worker or a retried request would. Then:
 *
 *  - stripe.after-call (Stripe answered, the stored operation key not yet marked; customer and subscription
 *    creation): every user has exactly one customer and one subscription in the sandbox's objects, every
 *    operation key `succeeded` with that object's id, one row each in our mirror.
 *  - job.mid (a role sync run's chunk: role changes written, not committed): every user ends with the entitled
 *    role, one role change and one audit row each, the run finished with processed = total.
 *  - notify.after-send (the SMTP server accepted a message, its outbox row not yet marked sent): every row `sent`,
 *    every message delivered. The outbox promises at-least-once: the message in flight at a kill goes out again
 *    with the SAME Message-ID (mail systems drop the repeat), so up to one repeat per kill is the promise and is
 *    counted apart (`repeats`); `doubled` counts anything beyond it (a second Message-ID for a row, or more repeats
 *    than kills).
 *
 * One run = one kill at the point. CHAOS_RUNS kills per point (default 1); KILL9_POINT=name: only that point.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billingStack, type BillingStack } from '../../helpers/billing-stack.js';
import { ROOT } from '../../helpers/cli.js';
import { TEST_APP_URL, TEST_AUTH_SECRET } from '../../helpers/app.js';
import { startSmtpSink, type SmtpSink } from '../../helpers/smtp-sink.js';
import { recordChaos } from '../../helpers/chaos-record.js';
import { prng } from '../../helpers/prng.js';
import { createPlan } from '../../../src/billing/plans/create-plan.js';
import { enqueueNotification } from '../../../src/notifications/enqueue-notification.js';

const ONLY = process.env.KILL9_POINT;
const RUNS = Number(process.env.CHAOS_RUNS ?? 1);
const ENTRY = path.join(ROOT, 'test/helpers/effects-child.ts');

let s: BillingStack;
let sink: SmtpSink;
let priceId: string;
beforeAll(async () => {
  s = await billingStack({ label: 'kill9-effects' });
  sink = await startSmtpSink();
  const plan = await createPlan(
    s.h.deps,
    { type: 'user', id: 'admin-1', requestId: 'seed-plan', operationId: 'seed-plan' },
    {
      key: 'pro',
      name: 'Pro',
      grantsRole: 'professional',
      trialDays: 7,
      features: [],
      prices: [{ currency: 'usd', unitAmount: 2900, interval: 'month', intervalCount: 1 }],
    },
  );
  priceId = plan.prices[0]!.stripePriceId;
}, 120_000);
afterAll(async () => {
  await sink?.close();
  await s?.close();
});

/** Runs the child once; whether it was SIGKILLed (at its crash point) or finished. */
function child(args: string[], failpoint?: string): Promise<'killed' | 'done'> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        TZ: 'UTC',
        NODE_ENV: 'test',
        DATABASE_URL: s.h.t.url,
        APP_URL: TEST_APP_URL,
        AUTH_SECRET: TEST_AUTH_SECRET,
        STRIPE_SECRET_KEY: s.sandbox.secretKey,
        STRIPE_API_URL: s.sandbox.url,
        SMTP_URL: sink.url,
        ...(failpoint ? { SERTANTAI_FAILPOINT: failpoint } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    p.once('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve('killed');
      else if (code === 0 && out.includes('{"done":true}')) resolve('done');
      else reject(new Error(`effects child ${args[0]} exited ${code ?? signal}:\n${out.slice(-3000)}`));
    });
  });
}

/**
 * Runs `args` with `point` armed at a random hit among the first `spread`, again after each kill until `kills`
 * kills happened (or a run finished with the point unreached), then unarmed to the end. The kills made.
 */
async function killAndRestart(args: string[], point: string, kills: number, spread: number, seed: number) {
  const rnd = prng(seed);
  let killed = 0;
  while (killed < kills) {
    const r = await child(args, `${point}@${1 + Math.floor(rnd() * spread)}`);
    if (r === 'done') return killed;
    killed++;
  }
  expect(await child(args)).toBe('done');
  return killed;
}

const points = ['stripe.after-call', 'job.mid', 'notify.after-send'].filter((p) => !ONLY || p === ONLY);
const q = async <T>(text: string, values: unknown[] = []) =>
  (await s.h.t.pool.query(text, values)).rows as T[];
let batch = 0;

describe.runIf(points.includes('stripe.after-call'))(
  'kill -9 after a Stripe call, before its DB write',
  () => {
    it(
      'each customer and subscription made once in Stripe; keys succeeded with its id; one row each',
      async () => {
        let runs = 0;
        let duplicates = 0;
        for (let round = 0; runs < RUNS; round++) {
          // 3 users: 6 Stripe calls through withOperationKey (a kill at any of them).
          const users = [0, 1, 2].map((i) => `u_k9s_${round}_${i}`);
          await q(
            `INSERT INTO users (id, name, email, email_verified) SELECT u, u, u || '@example.com', true FROM unnest($1::text[]) u`,
            [users],
          );
          const killed = await killAndRestart(
            ['stripe', priceId, ...users],
            'stripe.after-call',
            Math.min(3, RUNS - runs),
            6,
            round + 1,
          );
          runs += killed;
          const stripe = s.h.deps.stripe;
          const all = await stripe.customers.list({ limit: 100 }).autoPagingToArray({ limit: 10_000 });
          for (const u of users) {
            const inStripe = all.filter((c) => c.metadata?.user_id === u);
            const subs = inStripe.length
              ? (await stripe.subscriptions.list({ customer: inStripe[0]!.id, status: 'all' })).data
              : [];
            duplicates += Math.max(0, inStripe.length - 1) + Math.max(0, subs.length - 1);
            expect(inStripe).toHaveLength(1);
            expect(subs).toHaveLength(1);
            const keys = await q<{ scope: string; status: string; result_id: string }>(
              `SELECT scope, status, result_id FROM operation_keys
             WHERE natural_key = $1 OR natural_key LIKE '%:chaos-sub-' || $1 ORDER BY scope`,
              [u],
            );
            expect(keys).toEqual([
              { scope: 'customer', status: 'succeeded', result_id: inStripe[0]!.id },
              { scope: 'subscription.create', status: 'succeeded', result_id: subs[0]!.id },
            ]);
            expect(await q(`SELECT stripe_customer_id FROM customers WHERE user_id = $1`, [u])).toEqual([
              { stripe_customer_id: inStripe[0]!.id },
            ]);
            expect(
              await q(
                `SELECT s.stripe_subscription_id FROM subscriptions s JOIN customers c ON c.id = s.customer_id
               WHERE c.user_id = $1`,
                [u],
              ),
            ).toEqual([{ stripe_subscription_id: subs[0]!.id }]);
          }
          recordChaos('kill9-stripe.after-call', { runs: killed, duplicateStripeObjects: duplicates });
          if (killed === 0) throw new Error('the crash point was never reached');
        }
      },
      300_000 + RUNS * 45_000,
    );
  },
);

describe.runIf(points.includes('job.mid'))('kill -9 in the middle of a role sync job', () => {
  it(
    'every user gets the entitled role once (one role change, one audit row), the run finishes',
    async () => {
      let runs = 0;
      for (let round = 0; runs < RUNS; round++) {
        // 8 users stored as professional with nothing paying: entitled member. Chunks of 2: 4 chunks.
        const users = Array.from({ length: 8 }, (_, i) => `u_k9j_${++batch}_${i}`);
        await q(
          `INSERT INTO users (id, name, email, email_verified, role) SELECT u, u, u || '@example.com', true, 'professional' FROM unnest($1::text[]) u`,
          [users],
        );
        const [run] = await q<{ id: string }>(
          `INSERT INTO role_sync_runs (status, requested_by_type, requested_by, reason, batch_size, total, user_ids, created_at)
           VALUES ('queued', 'user', 'admin-1', 'chaos', 2, $2, $1::jsonb, now()) RETURNING id`,
          [JSON.stringify(users), users.length],
        );
        const killed = await killAndRestart(
          ['job', run!.id],
          'job.mid',
          Math.min(3, RUNS - runs),
          4,
          round + 1,
        );
        runs += killed;
        const roles = await q<{ role: string }>(`SELECT role FROM users WHERE id = ANY($1)`, [users]);
        const audit = await q<{ subject_id: string; n: number }>(
          `SELECT subject_id, count(*)::int AS n FROM audit_log WHERE subject_id = ANY($1) GROUP BY subject_id`,
          [users],
        );
        const doubled = audit.reduce((a, r) => a + Math.max(0, r.n - 1), 0);
        const wrongRoles = roles.filter((r) => r.role !== 'member').length;
        recordChaos('kill9-job.mid', { runs: killed, doubled, wrongRoles });
        expect(wrongRoles).toBe(0);
        expect(audit.map((r) => r.n)).toEqual(users.map(() => 1));
        expect(
          await q(`SELECT status, processed, changed, cursor FROM role_sync_runs WHERE id = $1`, [run!.id]),
        ).toEqual([{ status: 'finished', processed: 8, changed: 8, cursor: 8 }]);
        if (killed === 0) throw new Error('the crash point was never reached');
      }
    },
    300_000 + RUNS * 45_000,
  );
});

describe.runIf(points.includes('notify.after-send'))(
  'kill -9 after SMTP accepted, before the row is marked sent',
  () => {
    it(
      'every row sent; each message delivered, repeated at most once per kill with the same Message-ID',
      async () => {
        let runs = 0;
        for (let round = 0; runs < RUNS; round++) {
          sink.messages.length = 0;
          const keys = Array.from({ length: 6 }, (_, i) => `receipt:in_k9n_${++batch}_${i}`);
          await q(
            `INSERT INTO users (id, name, email, email_verified) VALUES ($1, 'N', $1 || '@example.com', true)
           ON CONFLICT DO NOTHING`,
            ['u_k9n'],
          );
          await s.h.deps.db.transaction(async (tx) => {
            for (const key of keys)
              await enqueueNotification(tx, {
                key,
                template: 'receipt',
                userId: 'u_k9n',
                at: new Date(),
                data: { amountMinor: 2900, currency: 'usd' },
              });
          });
          const killed = await killAndRestart(
            ['notify'],
            'notify.after-send',
            Math.min(3, RUNS - runs),
            6,
            round + 1,
          );
          runs += killed;
          const ids = sink.messages.map((m) => /Message-ID: (<[^>]+>)/i.exec(m.data)?.[1]);
          const byKey = keys.map((k) => ids.filter((id) => id === `<${k}@sertantai>`).length);
          const strangers = ids.filter((id) => !keys.some((k) => id === `<${k}@sertantai>`)).length;
          const repeats = byKey.reduce((a, n) => a + Math.max(0, n - 1), 0);
          const lost = byKey.filter((n) => n === 0).length;
          recordChaos('kill9-notify.after-send', {
            runs: killed,
            lost,
            doubled: strangers + Math.max(0, repeats - killed),
          });
          console.log(
            `notify.after-send round ${round}: ${killed} kills, ${repeats} repeats (same Message-ID)`,
          );
          expect(lost).toBe(0);
          expect(strangers).toBe(0);
          expect(repeats).toBeLessThanOrEqual(killed);
          expect(
            await q(`SELECT status, count(*)::int AS n FROM outbox WHERE key = ANY($1) GROUP BY status`, [
              keys,
            ]),
          ).toEqual([{ status: 'sent', n: keys.length }]);
          if (killed === 0) throw new Error('the crash point was never reached');
        }
      },
      300_000 + RUNS * 45_000,
    );
  },
);
