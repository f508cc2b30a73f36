/** A status as a coloured badge (Stripe's subscription statuses and the app's own). */
const TONE: Record<string, string> = {
  active: 'good',
  trialing: 'info',
  succeeded: 'good',
  past_due: 'warn',
  unpaid: 'bad',
  incomplete: 'warn',
  incomplete_expired: 'muted',
  canceled: 'muted',
  paused: 'muted',
  failed: 'bad',
  requires_payment_method: 'bad',
  requires_action: 'warn',
  requires_confirmation: 'warn',
  requires_capture: 'info',
  processing: 'info',
  delinquent: 'bad',
  inactive: 'muted',
  revoked: 'muted',
  sent: 'good',
  processed: 'good',
  good_standing: 'good',
  pending: 'info',
  parked: 'warn',
  skipped: 'muted',
};

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${TONE[status] ?? 'muted'}`}>{status.replace(/_/g, ' ')}</span>;
}
