/**
 * `sertantai report` against a test database holding the payment-failures payments (test/fixtures/analytics/
 * payment-failures.ts, delivered as signed webhooks): the real CLI prints the API's figures as a table, CSV or JSON,
 * and names the problem (exit 1) for an unknown report or a bad parameter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/clock.js';
import { drainEvents } from '../../src/inbox/webhooks/dispatch-event.js';
import { handlers } from '../../src/inbox/webhooks/handlers/index.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { runCli } from '../helpers/cli.js';
import { postWebhook, WEBHOOK_SECRET } from '../story/index.js';
import { seedStoryWorld } from '../fixtures/analytics/story.js';
import { paymentFailureEvents } from '../fixtures/analytics/payment-failures.js';

let h: TestApp;
beforeAll(async () => {
  h = await testApp({
    env: { STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET },
    clock: new FakeClock('2026-07-01T00:00:00Z'),
    label: 'cli-report',
  });
  await seedStoryWorld(h.deps.db);
  for (const e of paymentFailureEvents()) {
    expect((await postWebhook(h.app, e, { at: h.clock.now() })).statusCode).toBe(200);
  }
  await drainEvents(h.deps, { handlers, maxAttempts: 3 });
});
afterAll(() => h?.close());

const ARGS = ['report', 'payment-failures', '--from', '2026-03', '--to', '2026-03', '--currency', 'eur'];
const cli = (args: string[]) => runCli(args, { DATABASE_URL: h.t.url });

// eur, March 2026: H's 3600 paid (visa, FR, team) and H's 3600 failed generic_decline (visa, FR, team):
// attempts 2, failures 1, rate 1 ÷ 2 = 0.5; every breakdown has one key with the same 2 / 1 / 0.5.
// Each case spawns the real CLI (tsx compiles on start): allow for a loaded machine.
describe('sertantai report', { timeout: 180_000 }, () => {
  it('--format table: the figures in aligned columns', async () => {
    const r = await cli([...ARGS, '--format', 'table']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'currency  month    dimension     key              attempts  failures  failure_rate',
        '--------  -------  ------------  ---------------  --------  --------  ------------',
        'eur       2026-03  total                                 2         1           0.5',
        'eur       2026-03  decline_code  generic_decline                   1',
        'eur       2026-03  card_brand    visa                    2         1           0.5',
        'eur       2026-03  card_country  FR                      2         1           0.5',
        'eur       2026-03  plan          team                    2         1           0.5',
        '',
      ].join('\n'),
    );
  });

  it('--format csv: the API’s CSV', async () => {
    const r = await cli([...ARGS, '--format', 'csv']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'currency,month,dimension,key,attempts,failures,failure_rate',
        'eur,2026-03,total,,2,1,0.5',
        'eur,2026-03,decline_code,generic_decline,,1,',
        'eur,2026-03,card_brand,visa,2,1,0.5',
        'eur,2026-03,card_country,FR,2,1,0.5',
        'eur,2026-03,plan,team,2,1,0.5',
        '',
      ].join('\r\n'),
    );
  });

  it('--format json: the API’s body', async () => {
    const r = await cli([...ARGS, '--format', 'json']);
    expect(r.code).toBe(0);
    const slice = { attempts: 2, failures: 1, failureRate: 0.5 };
    expect(JSON.parse(r.stdout)).toEqual({
      report: 'payment-failures',
      from: '2026-03',
      to: '2026-03',
      tz: 'UTC',
      currency: 'eur',
      plan: null,
      provider: null,
      country: null,
      conventions: { pastDue: 'count', trials: 'zero', churnAt: 'period_end', sameWindow: 'include' },
      series: [
        {
          currency: 'eur',
          months: [
            {
              month: '2026-03',
              ...slice,
              byDeclineCode: [{ key: 'generic_decline', failures: 1 }],
              byCardBrand: [{ key: 'visa', ...slice }],
              byCardCountry: [{ key: 'FR', ...slice }],
              byPlan: [{ key: 'team', ...slice }],
            },
          ],
        },
      ],
    });
  });

  it('--provider and --country: the figures of the customers matching, the filters leading each CSV row', async () => {
    // usd March, google users in GB: D alone (A is google but US; B is GB but github) → P4 failed do_not_honor
    // (mastercard GB, team): attempts 1, failures 1, rate 1 ÷ 1 = 1
    const r = await cli([
      ...['report', 'payment-failures', '--from', '2026-03', '--to', '2026-03', '--currency', 'usd'],
      ...['--provider', 'google', '--country', 'gb', '--format', 'csv'],
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'provider,country,currency,month,dimension,key,attempts,failures,failure_rate',
        'google,GB,usd,2026-03,total,,1,1,1',
        'google,GB,usd,2026-03,decline_code,do_not_honor,,1,',
        'google,GB,usd,2026-03,card_brand,mastercard,1,1,1',
        'google,GB,usd,2026-03,card_country,GB,1,1,1',
        'google,GB,usd,2026-03,plan,team,1,1,1',
        '',
      ].join('\r\n'),
    );
  });

  it('--tz: the months of that zone, the zone leading each CSV row', async () => {
    // usd April in New York is [Apr 1 04:00Z, May 1 04:00Z): P6 (Apr 1 00:00Z = Mar 31 20:00 EDT) is March's there,
    // leaving P7 failed expired_card (no decline code; visa US, team): attempts 1, failures 1, rate 1 ÷ 1 = 1
    const r = await cli([
      ...['report', 'payment-failures', '--from', '2026-04', '--to', '2026-04', '--currency', 'usd'],
      ...['--tz', 'America/New_York', '--format', 'csv'],
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'tz,currency,month,dimension,key,attempts,failures,failure_rate',
        'America/New_York,usd,2026-04,total,,1,1,1',
        'America/New_York,usd,2026-04,decline_code,,,1,',
        'America/New_York,usd,2026-04,card_brand,visa,1,1,1',
        'America/New_York,usd,2026-04,card_country,US,1,1,1',
        'America/New_York,usd,2026-04,plan,team,1,1,1',
        '',
      ].join('\r\n'),
    );
    const bad = await cli(['report', 'payment-failures', '--tz', 'Mars/Olympus_Mons']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(
      '--tz: tz: "Mars/Olympus_Mons" is not a time zone this server knows [invalid_tz]',
    );
  });

  it('an unknown report exits 1 naming it and the known ones', async () => {
    const r = await cli(['report', 'payment-failure']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('no report is named "payment-failure"');
    expect(r.stderr).toContain('payment-failures');
  });

  it('a bad parameter exits 1 naming it', async () => {
    const bad = await cli(['report', 'payment-failures', '--from', '2026-13']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--from: from: "2026-13" is not a real month [invalid_from]');
    const format = await cli(['report', 'payment-failures', '--format', 'xml']);
    expect(format.code).toBe(1);
    expect(format.stderr).toContain('--format: "xml" is not one of table, csv, json');
    const provider = await cli(['report', 'payment-failures', '--provider', 'facebook']);
    expect(provider.code).toBe(1);
    expect(provider.stderr).toContain('--provider: provider must be one of email, google, github');
    expect(provider.stderr).toContain('[invalid_provider]');
  });
});
