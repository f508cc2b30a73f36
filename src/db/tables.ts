/**
 * Every domain's Drizzle tables, gathered for the Drizzle instance (relational queries).
 * drizzle-kit reads every `*.tables.ts` under src directly. Each domain owns its `*.tables.ts`; add it here too.
 */
import * as accounts from '../accounts/accounts.tables.js';
import * as analytics from '../analytics/analytics.tables.js';
import * as roles from '../accounts/roles/roles.tables.js';
import * as audit from '../audit/audit.tables.js';
import * as billing from '../billing/billing.tables.js';
import * as dunning from '../dunning/dunning.tables.js';
import * as inbox from '../inbox/inbox.tables.js';
import * as operationKeys from '../billing/operation-keys.tables.js';
import * as reconcile from '../inbox/reconcile/reconcile.tables.js';
import * as notifications from '../notifications/notifications.tables.js';

export const tables = {
  ...accounts,
  ...analytics,
  ...roles,
  ...audit,
  ...billing,
  ...dunning,
  ...inbox,
  ...operationKeys,
  ...reconcile,
  ...notifications,
};
