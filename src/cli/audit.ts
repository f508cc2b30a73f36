/** `sertantai audit verify`: walks the hash chain; exits 1 naming the first broken row. */
import type { Command } from 'commander';
import { verifyAuditChain } from '../audit/verify-audit-chain.js';
import { withDatabase } from './with-database.js';

export function registerAuditCommands(program: Command): Command {
  const audit = program.command('audit').description('The append-only audit log');
  audit
    .command('verify')
    .description('Recompute every row hash of the audit chain; exit 1 at the first broken row')
    .action(async () => {
      const result = await withDatabase(({ database }) => verifyAuditChain(database.db));
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
