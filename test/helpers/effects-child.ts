/**
 * The process under test for kill9-effects.int.test.ts: the app's own code for one kind of outward effect, run
 * in a process of its own so a crash point armed in it (SERTANTAI_FAILPOINT, src/failpoints.ts) kills a real
 * process in the middle of it. Configured from the environment as `sertantai start` is (DATABASE_URL,
 * STRIPE_SECRET_KEY / STRIPE_API_URL, SMTP_URL). Prints `{"done":true}` when it finished; a SIGKILLed one prints
 * nothing more.
 *
 *   effects-child.ts stripe <priceId> <userId>...   ensureCustomer then createSubscription (a 7-day trial) per user
 *   effects-child.ts job <runId>                    runRoleSync: the role sync job's work
 *   effects-child.ts notify                         sendPendingNotifications: the outbox sender job's work
 */
import { loadConfig } from '../../src/config.js';
import { buildDeps } from '../../src/cli/build-deps.js';
import { createLogger } from '../../src/logger.js';
import { ensureCustomer } from '../../src/billing/customers/ensure-customer.js';
import { createSubscription } from '../../src/billing/subscriptions/create-subscription.js';
import { runRoleSync } from '../../src/accounts/roles/sync-roles.js';
import { sendPendingNotifications } from '../../src/notifications/send-pending-notifications.js';
import { createSubscriptionRoles, ensureCustomerRoles } from '../../src/accounts/roles/operation-roles.js';

const [op, ...args] = process.argv.slice(2);
const config = loadConfig();
const logger = createLogger({ level: 'warn' });
const deps = buildDeps(config, { databaseUrl: config.databaseUrl!, logger, maxConnections: 4 });

if (op === 'stripe') {
  const [priceId, ...userIds] = args;
  for (const id of userIds) {
    const user = { id, email: `${id}@example.com`, name: id };
    const customer = await ensureCustomer(deps, user, ensureCustomerRoles(deps));
    // One operation per user (the same id on a retry, as an HTTP retry carries its request id).
    const operationId = `chaos-sub-${id}`;
    await createSubscription(
      deps,
      { type: 'user', id: 'chaos-admin', requestId: operationId, operationId },
      { customerId: customer.id, priceId: priceId!, quantity: 1, trialDays: 7 },
      createSubscriptionRoles(deps),
    );
  }
} else if (op === 'job') {
  await runRoleSync(deps, args[0]!, 'chaos-job');
} else if (op === 'notify') {
  for (;;) {
    const r = await sendPendingNotifications(deps, { limit: 1000 });
    if (r.sent === 0 && r.failed === 0) break;
  }
} else {
  throw new Error(`unknown op ${op}`);
}
await deps.database.close();
process.stdout.write('{"done":true}\n');
process.exit(0);
