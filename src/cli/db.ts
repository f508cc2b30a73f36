/** `sertantai db …`: database maintenance. Other groups add subcommands to the returned `db` command (e.g. `seed`). */
import type { Command } from 'commander';
import { runMigrations } from '../db/migrate.js';
import { withDatabase } from './with-database.js';

export function registerDbCommands(program: Command): Command {
  const db = program.command('db').description('Database maintenance');
  db.command('migrate')
    .description('Apply the committed migrations in drizzle/ (also done by `start`)')
    .action(async () => {
      await withDatabase(async ({ database }) => {
        await runMigrations(database.db);
        console.log('Migrations applied.');
      });
    });
  return db;
}
