/**
 * Words for "why this role": an entitlement's source (src/accounts/roles/apply-entitled-role.ts sourceForAudit)
 * and an audit row's cause chain (src/accounts/roles/role-cause.ts). Both arrive as JSON; fields are read one by
 * one, and anything unknown is shown by its kind rather than guessed at.
 */
type Json = Record<string, unknown>;
const obj = (v: unknown): Json | null => (v && typeof v === 'object' ? (v as Json) : null);
const str = (v: unknown) => (typeof v === 'string' ? v : null);

export function describeSource(source: unknown): string {
  const s = obj(source);
  switch (str(s?.kind)) {
    case 'override':
      return `an admin override${str(s?.expiresAt) ? ' (with an expiry)' : ''}`;
    case 'subscription':
      return `subscription ${str(s?.subscriptionId) ?? ''} is ${str(s?.status) ?? '?'}${
        str(s?.graceUntil) ? ' (in its grace period)' : ''
      }`;
    case 'admin':
      return 'an administrator';
    case 'default':
    case 'none':
      return 'no paying subscription: the free role';
    default:
      return str(s?.kind) ?? 'unknown';
  }
}

/** The `role` field of an audit row's before/after (a role change or an override). */
export function roleOf(v: unknown): string | null {
  return str(obj(v)?.role);
}

export function describeCause(cause: unknown, actor: { type: string; id: string | null }): string {
  const c = obj(cause);
  const sub = obj(c?.subscription);
  const subText = sub
    ? ` — subscription ${str(sub.stripeId) ?? ''} ${str(sub.from) ?? 'new'} → ${str(sub.to) ?? '?'}`
    : '';
  switch (str(c?.kind)) {
    case 'stripe_event':
      return `Stripe event ${str(c?.eventType) ?? ''} (${str(c?.eventId) ?? ''})${subText}`;
    case 'admin':
      return `${str(c?.actorType) ?? 'admin'} ${str(c?.actorId) ?? ''}: ${str(c?.action) ?? ''}${subText}`;
    case 'job':
      return `job ${str(c?.job) ?? ''}`;
    default:
      return `by ${actor.type}${actor.id ? ` ${actor.id}` : ''}`;
  }
}
