/**
 * `sertantai sync [--since 30d] [--fresh]`: reconciliation against Stripe (src/inbox/reconcile/run-sync.ts) with a
 * progress bar on a terminal and the drift report at the end. An interrupted run resumes on the next invocation
 * unless `--fresh`. The daily job runs the same code (src/inbox/reconcile/reconcile.jobs.ts).
 */
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { formatDriftReport } from '../inbox/reconcile/drift-report.js';
import { runSync, type SyncPass } from '../inbox/reconcile/run-sync.js';
import { handlers } from '../inbox/webhooks/handlers/index.js';
import { buildDeps } from './build-deps.js';
import { prepareStripe } from './start.js';
import { withDatabase } from './with-database.js';

/** `30d`, `12h`, `90m` → milliseconds. */
export function parseWindow(v: string): number {
  const m = /^(\d{1,4})([dhm])$/.exec(v.trim());
  if (!m) throw new Error(`--since must look like 30d, 12h or 90m (got "${v}")`);
  return Number(m[1]) * { d: 86_400_000, h: 3_600_000, m: 60_000 }[m[2] as 'd' | 'h' | 'm'];
}

export function registerSyncCommands(program: Command): void {
  program
    .command('sync')
    .description(
      'Reconcile customers, subscriptions, invoices and recent events with Stripe; print the drift repaired',
    )
    .option('--since <window>', 'how far back to list events and invoices', '30d')
    .option('--fresh', 'start a new run instead of resuming an interrupted one')
    .option('--json', 'print the report as JSON')
    .action(async (opts: { since: string; fresh?: boolean; json?: boolean }) => {
      const windowMs = parseWindow(opts.since);
      await withDatabase(async ({ config: base, logger, url }) => {
        const stripe = await prepareStripe(base, logger);
        const deps = buildDeps(stripe.config, {
          databaseUrl: url,
          logger,
          maxConnections: 4,
          maintenance: false,
        });
        const bar =
          process.stdout.isTTY && !opts.json
            ? new cliProgress.SingleBar(
                { format: ' {pass} |{bar}| {value} seen, {corrections} repaired', hideCursor: true },
                cliProgress.Presets.shades_classic,
              )
            : null;
        let current: SyncPass | null = null;
        try {
          const report = await runSync(deps, {
            since: new Date(deps.clock.now().getTime() - windowMs),
            handlers,
            trigger: 'cli',
            resume: !opts.fresh,
            onProgress: ({ pass, seen, corrections }) => {
              if (!bar) return;
              if (pass !== current) {
                if (current) bar.stop();
                current = pass;
                bar.start(Math.max(seen, 1), seen, { pass: pass.padEnd(13), corrections });
              }
              bar.setTotal(Math.max(seen, 1));
              bar.update(seen, { corrections });
            },
          });
          bar?.stop();
          console.log(opts.json ? JSON.stringify(report, null, 2) : formatDriftReport(report));
        } finally {
          bar?.stop();
          await deps.database.close();
          await stripe.stop();
        }
      });
    });
}
