/**
 * The outbox sender (issue 5): without SMTP the rows are kept pending; with SMTP_URL each pending row is delivered
 * once (a second run and a concurrent run send nothing more), with a Message-ID derived from its key; a refusing
 * server leaves the row pending with the error, and after the last try `failed`. Enqueueing the same key twice is
 * one row.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  enqueueNotification,
  enqueueNotificationLater,
} from '../../../src/notifications/enqueue-notification.js';
import { deferWrites } from '../../../src/db/deferred-writes.js';
import {
  MAX_SEND_ATTEMPTS,
  sendPendingNotifications,
} from '../../../src/notifications/send-pending-notifications.js';
import { testConfig } from '../../helpers/app.js';
import { startSmtpSink, type SmtpSink } from '../../helpers/smtp-sink.js';
import { iso, T0 } from '../../story/index.js';
import { addUser, storyWorld, type StoryWorld } from '../../story/world.js';

let w: StoryWorld;
let sink: SmtpSink;
beforeAll(async () => {
  w = await storyWorld({
    label: 'notifications-sender',
    start: iso(T0),
    maxConnections: 8,
    catalogue: 'roles',
  });
  sink = await startSmtpSink();
  await addUser(w.deps, 'u_n');
});
afterAll(async () => {
  await sink.close();
  await w.close();
});

const at = new Date('2026-09-13T00:00:00Z');

describe('notifications outbox sender', () => {
  it('the same key enqueued twice is one row', async () => {
    const input = {
      key: 'trial_ending:sub_x:1790000000',
      template: 'trial_ending' as const,
      userId: 'u_n',
      at,
      data: { planName: 'Pro', trialEnd: '2026-09-21T00:00:00.000Z', portalUrl: 'http://app.test/account' },
    };
    const a = await w.deps.db.transaction((tx) => enqueueNotification(tx, input));
    const b = await w.deps.db.transaction((tx) => enqueueNotification(tx, input));
    expect(a?.created).toBe(true);
    expect(b).toEqual({ id: a!.id, created: false });
    expect(await w.q(`SELECT subject, to_email, status FROM outbox`)).toEqual([
      { subject: 'Your trial of Pro ends on 2026-09-21', to_email: 'u_n@example.com', status: 'pending' },
    ]);
  });

  it('without SMTP_URL nothing is attempted and the row stays pending', async () => {
    expect(await sendPendingNotifications(w.deps)).toEqual({ sent: 0, failed: 0, skipped: true });
    expect(await w.q(`SELECT status, attempts FROM outbox`)).toEqual([{ status: 'pending', attempts: 0 }]);
  });

  it('with SMTP_URL: sent once, even with two senders at once; Message-ID from the key', async () => {
    const deps = { ...w.deps, config: testConfig({ SMTP_URL: sink.url }) };
    const [a, b] = await Promise.all([sendPendingNotifications(deps), sendPendingNotifications(deps)]);
    expect(a.sent + b.sent).toBe(1);
    expect(await sendPendingNotifications(deps)).toEqual({ sent: 0, failed: 0, skipped: false });
    expect(sink.messages).toHaveLength(1);
    expect(sink.messages[0]!.to).toEqual(['<u_n@example.com>']);
    expect(sink.messages[0]!.data).toContain('Message-ID: <trial_ending:sub_x:1790000000@sertantai>');
    expect(sink.messages[0]!.data).toContain('Subject: Your trial of Pro ends on 2026-09-21');
    const [row] = await w.q<{ status: string; attempts: number; sent_at: Date }>(
      `SELECT status, attempts, sent_at FROM outbox`,
    );
    expect(row).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('a server that refuses leaves the row pending with the error, then failed after the last try', async () => {
    await w.deps.db.transaction((tx) =>
      enqueueNotification(tx, {
        key: 'receipt:in_x',
        template: 'receipt',
        userId: 'u_n',
        at,
        data: { amountMinor: 2900, currency: 'usd' },
      }),
    );
    const deps = { ...w.deps, config: testConfig({ SMTP_URL: 'smtp://127.0.0.1:1' }) };
    const first = await sendPendingNotifications(deps);
    expect(first).toEqual({ sent: 0, failed: 1, skipped: false });
    const [row] = await w.q<{ status: string; attempts: number; last_error: string }>(
      `SELECT status, attempts, last_error FROM outbox WHERE key = 'receipt:in_x'`,
    );
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row!.last_error).toContain('ECONNREFUSED');
    for (let i = 1; i < MAX_SEND_ATTEMPTS; i++) await sendPendingNotifications(deps);
    const [after] = await w.q<{ status: string; attempts: number }>(
      `SELECT status, attempts FROM outbox WHERE key = 'receipt:in_x'`,
    );
    expect(after).toEqual({ status: 'failed', attempts: 5 });
  });

  it("deferred (the dispatcher's batch): one insert at flush, a key already there or twice in it is one row", async () => {
    const receipt = (key: string, amountMinor: number) => ({
      key,
      template: 'receipt' as const,
      userId: 'u_n',
      recipient: { email: 'u_n@example.com', name: 'N' },
      at,
      data: {
        planName: 'Pro',
        amountMinor,
        currency: 'usd',
        paidAt: at.toISOString(),
        invoiceUrl: null,
        invoiceNumber: null,
      },
    });
    const mine = `SELECT key, subject FROM outbox WHERE key LIKE 'receipt:in_d%' ORDER BY created_at, key`;
    await w.deps.db.transaction((tx) => enqueueNotification(tx, receipt('receipt:in_d0', 100)));
    await w.deps.db.transaction(async (tx) => {
      const later = deferWrites(tx);
      await enqueueNotificationLater(tx, receipt('receipt:in_d0', 999)); // already there: skipped
      await enqueueNotificationLater(tx, receipt('receipt:in_d1', 2000));
      await enqueueNotificationLater(tx, receipt('receipt:in_d1', 3000)); // twice in the batch: the first stays
      expect((await tx.execute(sql.raw(mine))).rows).toHaveLength(1);
      await later.flush();
      // Not deferred any more: straight in.
      await enqueueNotificationLater(tx, receipt('receipt:in_d2', 4000));
    });
    expect(await w.q(mine)).toEqual([
      { key: 'receipt:in_d0', subject: expect.stringContaining('1.00') },
      { key: 'receipt:in_d1', subject: expect.stringContaining('20.00') },
      { key: 'receipt:in_d2', subject: expect.stringContaining('40.00') },
    ]);
  });
});
