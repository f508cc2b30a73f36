/**
 * The `sertantai` command. One file per command group, each exporting `register…Commands(program)`; add a group
 * with one import and one line in COMMANDS below. `npm run sertantai -- <command>` or `npx sertantai <command>`.
 */
import { Command } from 'commander';
import { registerAdminCommands } from './admin.js';
import { registerAuditCommands } from './audit.js';
import { registerDbCommands } from './db.js';
import { registerOpenApiCommand } from './openapi.js';
import { registerReportCommand } from './report.js';
import { registerStartCommand } from './start.js';
import { registerSandboxCommands } from './sandbox.js';
import { registerSeedCommand } from './seed.js';
import { registerSyncCommands } from './sync.js';
import { scrub } from '../logger.js';

const program = new Command('sertantai')
  .description('Sertantai Billing: accounts, Stripe billing, roles and reports')
  .showHelpAfterError()
  .enablePositionalOptions();

// ─── COMMANDS: one line per group ────────────────────────────────────────────────────────────────────────
registerStartCommand(program); //            start
registerSeedCommand(registerDbCommands(program)); // db migrate, db seed
registerAdminCommands(program); //           admin create, admin api-key create|list|revoke
registerAuditCommands(program); //           audit verify
registerSandboxCommands(program); //         sandbox --port --webhook-url --webhook-secret --persist
registerSyncCommands(program); //            sync [--since 30d]
registerOpenApiCommand(program); //          openapi [--out file]
registerReportCommand(program); //           report <name> [--from --to --currency --plan --at --format]
// ─────────────────────────────────────────────────────────────────────────────────────────────────────────

try {
  await program.parseAsync(process.argv);
} catch (e) {
  // A clean one-line message (scrubbed of secrets), not a stack trace with SQL parameters.
  const cause = (e as { cause?: { message?: string } }).cause?.message;
  console.error(
    `Error: ${scrub(e instanceof Error ? e.message.split('\n')[0]! : String(e))}${cause ? ` (${scrub(cause)})` : ''}`,
  );
  process.exit(1);
}
