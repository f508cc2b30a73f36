/** `sertantai admin …`: create or promote an admin; create, list and revoke admin API keys. */
import crypto from 'node:crypto';
import type { Command } from 'commander';
import { createApiKey, listApiKeys, revokeApiKey } from '../accounts/api-keys.js';
import { createAuth } from '../accounts/auth.js';
import { checkPassword } from '../accounts/password-policy.js';
import { ensureAdmin } from '../accounts/ensure-admin.js';
import { systemClock } from '../clock.js';
import { runMigrations } from '../db/migrate.js';
import { withDatabase } from './with-database.js';

export function registerAdminCommands(program: Command): Command {
  const admin = program.command('admin').description('Administrators and admin API keys');

  admin
    .command('create')
    .description('Create an admin, or promote an existing user to admin (and set the password when given)')
    .requiredOption('--email <email>', 'email address of the admin')
    .option('--password <password>', 'password for email sign-in (at least 10 characters)')
    .option('--name <name>', 'display name')
    .action(async (opts: { email: string; password?: string; name?: string }) => {
      if (opts.password !== undefined) {
        const pw = checkPassword(opts.password, opts.email);
        if (!pw.ok) {
          console.error(`Password ${pw.reason}.`);
          process.exit(1);
        }
      }
      await withDatabase(async ({ config, logger, database }) => {
        await runMigrations(database.db);
        // Password hashing does not use the secret; sessions are never created here.
        const auth = createAuth({
          config,
          db: database.db,
          logger,
          secret: config.authSecret ?? crypto.randomBytes(32).toString('base64url'),
        });
        const r = await ensureAdmin(
          { auth, db: database.db },
          { email: opts.email, password: opts.password, name: opts.name, source: 'cli' },
        );
        const what = r.created ? 'Created admin' : r.promoted ? 'Promoted to admin' : 'Already an admin';
        console.log(
          `${what}: ${opts.email.toLowerCase()} (id ${r.userId})${r.passwordSet ? ', password set' : ''}`,
        );
      });
    });

  const keys = admin
    .command('api-key')
    .description('Admin API keys (Authorization: Bearer <key> on /api/admin/*)');
  keys
    .command('create')
    .description('Create an API key; it is printed once and only its hash is stored')
    .option('--name <name>', 'what the key is for', 'cli')
    .action(async (opts: { name: string }) => {
      await withDatabase(async ({ database }) => {
        await runMigrations(database.db);
        const k = await createApiKey(database.db, {
          name: opts.name,
          actor: { actorType: 'system', actorId: 'cli' },
        });
        console.log(`Created API key ${k.id} (${k.name}). It is shown only once:\n\n  ${k.key}\n`);
      });
    });
  keys
    .command('list')
    .description('List API keys (never the keys themselves)')
    .action(async () => {
      await withDatabase(async ({ database }) => {
        for (const k of await listApiKeys(database.db)) {
          const state = k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : 'active';
          console.log(`${k.id}  ${k.prefix}…  ${k.name}  ${state}`);
        }
      });
    });
  keys
    .command('revoke')
    .description('Revoke an API key by id')
    .argument('<id>', 'key id (key_…)')
    .action(async (id: string) => {
      await withDatabase(async ({ database }) => {
        await revokeApiKey(database.db, systemClock, { id, actor: { actorType: 'system', actorId: 'cli' } });
        console.log(`Revoked ${id}.`);
      });
    });
  return admin;
}
