/** The drift report of a reconciliation run as text: what changed, per object kind, before → after. Pure. */
import type { SyncReport } from './run-sync.js';

const show = (v: unknown): string => {
  if (v === null || v === undefined) return '∅';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

export function formatDriftReport(r: SyncReport): string {
  const lines: string[] = [];
  lines.push(`Reconciliation ${r.runId}${r.resumed ? ' (resumed)' : ''}: window since ${r.since}`);
  lines.push(
    `Checked: ${r.seen.events} events, ${r.seen.customers} customers, ${r.seen.subscriptions} subscriptions, ` +
      `${r.seen.invoices} invoices; ${r.requests} Stripe requests` +
      (r.throttled > 0 ? ` (${r.throttled} rate-limited and retried)` : '') +
      `; ${r.eventsRecovered} missed events recovered.`,
  );
  if (r.corrections.length === 0) lines.push('No drift: every row matched Stripe.');
  const byKind = new Map<string, typeof r.corrections>();
  for (const c of r.corrections) byKind.set(c.kind, [...(byKind.get(c.kind) ?? []), c]);
  for (const [kind, entries] of [...byKind.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const inserted = entries.filter((e) => e.action === 'inserted').length;
    lines.push(
      `${kind}: ${entries.length} repaired (${inserted} missing, ${entries.length - inserted} different)`,
    );
    for (const e of entries) {
      lines.push(
        `  ${e.stripeId} [${e.action}${e.via === 'event' ? ` by ${e.eventIds?.length ?? 0} missed event(s)` : ' from the object'}]`,
      );
      for (const c of e.changes) lines.push(`    ${c.field}: ${show(c.before)} → ${show(c.after)}`);
    }
  }
  for (const u of r.unlinkable) lines.push(`Not repaired: ${u.kind} ${u.stripeId} (${u.reason})`);
  return lines.join('\n');
}
