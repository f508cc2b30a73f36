/** `sertantai audit verify`: seals pending rows, walks the hash chain; exits 1 naming the first broken row. */
import type { Command } from 'commander';
import { sealAllAuditRows } from '../audit/seal-audit-log.js';
import { verifyAuditChain } from '../audit/verify-audit-chain.js';
import { withDatabase } from './with-database.js';

export function registerAuditCommands(program: Command): Command {
  const audit = program.command('audit').description('The append-only audit log');
  audit
    .command('verify')
    .description('Recompute every row hash of the audit chain; exit 1 at the first broken row')
    .action(async () => {
      const result = await withDatabase(async ({ database }) => {
        // Rows committed but not yet sealed by a worker join the chain first, so the whole log is verified.
        await sealAllAuditRows(database.db);
        return verifyAuditChain(database.db);
      });
      if (result.ok) {
        console.log(`Audit chain intact: ${result.rows} rows, last hash ${result.lastHash}`);
        return;
      }
      console.error(
        `Audit chain BROKEN at row ${result.brokenId}: ${result.problem} (${result.rows} rows verified before it)`,
      );
      process.exitCode = 1;
    });
  return audit;
}
