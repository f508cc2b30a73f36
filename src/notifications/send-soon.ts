/**
 * createSendSoon: delivers the outbox right after a commit that needs an email now (a verification or reset link
 * the person is waiting for), instead of at the sender job's next minute.
 *
 * It adds no second way to send: `kick()` runs the same sendPendingNotifications as the job, which claims each row
 * `FOR UPDATE SKIP LOCKED` and marks it sent in that transaction, so a kick and the job (in this or any other
 * process) never send one row twice. It is called only after the outbox row committed; if the kick fails or the
 * process dies, the row is still `pending` and the minute job sends it. Kicks coalesce: while a run is going, more
 * kicks make one more run after it (rows committed during a run are not missed).
 */
import type { Deps } from '../deps.js';
import { sendPendingNotifications } from './send-pending-notifications.js';

export interface SendSoon {
  /** Starts a delivery run in the background (no-op without SMTP_URL). Never throws; failures are logged. */
  kick(): void;
  /** Resolves when no run is going (tests; close()). */
  idle(): Promise<void>;
  /** Stops taking kicks and waits for the run in progress. */
  close(): Promise<void>;
}

export function createSendSoon(deps: Pick<Deps, 'db' | 'config' | 'clock' | 'logger'>): SendSoon {
  let running: Promise<void> | null = null;
  let again = false;
  let closed = false;

  const run = async () => {
    do {
      again = false;
      try {
        const r = await sendPendingNotifications(deps);
        if (r.sent + r.failed > 0) deps.logger.info({ ...r, by: 'send-soon' }, 'notifications sent');
      } catch (err) {
        // The rows stay pending: the sender job delivers them within the minute.
        deps.logger.warn({ err }, 'sending notifications right away failed; the sender job will retry');
      }
    } while (again && !closed);
  };

  return {
    kick() {
      if (closed || !deps.config.smtp.url) return;
      if (running) {
        again = true;
        return;
      }
      running = run().finally(() => {
        running = null;
      });
    },
    async idle() {
      while (running) await running;
    },
    async close() {
      closed = true;
      while (running) await running;
    },
  };
}
