/**
 * Named crash points for the kill -9 chaos family (issue 13, RELIABILITY 21): `failpoint('ingest.after-verify')`
 * is a no-op unless this process was started with `SERTANTAI_FAILPOINT` naming that point, in which case the
 * process SIGKILLs itself there — the same death as an OOM kill or a power cut at exactly that line: no finally
 * blocks, no reply, no COMMIT, the open connections simply dropped.
 *
 * `SERTANTAI_FAILPOINT=name` kills at the first hit, `name@n` at the n-th (so a sweep lands on different events,
 * batches or rows). Read once, when this module loads; with the variable unset every call is one comparison.
 * Not configuration (nothing in production sets it), so it is read here rather than through src/config.ts.
 *
 * Points (each one line at its call site):
 *  - ingest.after-verify   the delivery's signature checked, nothing stored          (ingest-event.ts)
 *  - ingest.after-insert   the inbox INSERT committed, its callers not yet resolved  (ingest-writer.ts)
 *  - ingest.after-commit   stored and committed, the 200 not yet sent                (webhook.routes.ts)
 *  - dispatch.mid-batch    a batch's events applied in its transaction, not committed (dispatch-event.ts)
 *  - stripe.after-call     Stripe answered, the operation key not yet marked         (with-operation-key.ts)
 *  - job.mid               a role sync chunk's role changes written, not committed    (sync-roles.ts)
 *  - notify.after-send     SMTP accepted a message, its outbox row not marked sent  (send-pending-…)
 */

export const FAILPOINTS = [
  'ingest.after-verify',
  'ingest.after-insert',
  'ingest.after-commit',
  'dispatch.mid-batch',
  'stripe.after-call',
  'job.mid',
  'notify.after-send',
] as const;
export type Failpoint = (typeof FAILPOINTS)[number];

// eslint-disable-next-line no-restricted-properties -- a crash switch for the chaos tests, not configuration
const spec = process.env.SERTANTAI_FAILPOINT ?? '';
const [armed, nth] = spec.split('@') as [string, string | undefined];
let remaining = nth === undefined ? 1 : Math.max(1, Number(nth) || 1);

export function failpoint(name: Failpoint): void {
  if (name !== armed) return;
  if (--remaining > 0) return;
  process.kill(process.pid, 'SIGKILL');
}
