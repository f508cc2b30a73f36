/**
 * The "downgraded" notice of a lost dunning case: sent only when losing the case actually lowered the user's role
 * (another subscription may still grant it), once per case (outbox key `downgraded:<case id>`).
 */
import type { Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { roleRank } from '../accounts/roles/entitled-role.js';
import type { RoleApplication } from '../accounts/roles/apply-entitled-role.js';
import { enqueueNotification } from './enqueue-notification.js';
import { portalLink } from '../dunning/open-dunning-case.js';

export async function notifyDowngraded(
  tx: Tx,
  deps: Pick<Deps, 'config'>,
  input: {
    caseId: string;
    userId: string;
    application: RoleApplication | null;
    planName: string | null;
    amountMinor: number | null;
    currency: string;
    at: Date;
  },
): Promise<boolean> {
  const a = input.application;
  if (!a || !a.changed || roleRank(a.after) >= roleRank(a.before)) return false;
  const r = await enqueueNotification(tx, {
    key: `downgraded:${input.caseId}`,
    template: 'downgraded',
    userId: input.userId,
    at: input.at,
    data: {
      planName: input.planName,
      amountMinor: input.amountMinor,
      currency: input.currency,
      role: a.after,
      portalUrl: portalLink(deps.config),
    },
  });
  return r?.created ?? false;
}
