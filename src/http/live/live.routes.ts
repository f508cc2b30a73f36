/**
 * Live updates as Server-Sent Events:
 *   GET /api/admin/stream → `event: change` with `{"topics":["subscriptions","invoices",…]}` whenever a committed
 *     write touched those kinds of rows (admins: a session or an admin API key);
 *   GET /api/me/stream    → `event: change` with `{"topics":["me"]}` when the signed-in user's own billing or role
 *     changed (the account page's "processing…" until the webhook has applied).
 * The browser then refetches what it shows: an event names what changed, never the data, so the stream carries
 * nothing a page's own request would not be allowed to read.
 *
 * Notices arriving within `COALESCE_MS` go out as one event (a dispatcher batch touches many tables at once).
 * `id:` is the last notice's id; EventSource sends it back as `Last-Event-ID` when it reconnects, and the stream
 * first replays what followed it, or sends `event: reset` (reload everything) when it cannot know.
 * A comment line every `HEARTBEAT_MS` keeps proxies from closing an idle stream; at each, the viewer's session is
 * checked again, so a signed-out user or a demoted admin stops receiving.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { LiveHub, LiveNotice } from './live-hub.js';
import { requireAdmin, requireUser, sessionOf } from '../guards.js';
import { AppError } from '../../errors.js';

const COALESCE_MS = 150;
const HEARTBEAT_MS = 25_000;

interface StreamScope {
  /** The topic a notice shows as on this stream, or null when this viewer must not hear of it. */
  topicOf(notice: LiveNotice): string | null;
  /** Whether the viewer may still watch (checked at each heartbeat). */
  stillAllowed(): Promise<boolean>;
}

async function openStream(
  request: FastifyRequest,
  reply: FastifyReply,
  hub: LiveHub,
  open: Set<FastifyReply['raw']>,
  scope: StreamScope,
): Promise<void> {
  // LISTEN first: a page loads its data after the stream opens, so a change committed in between is heard.
  await hub.ready().catch(() => {
    throw new AppError(
      'live_unavailable',
      'Live updates are unavailable: the database cannot be reached',
      503,
    );
  });
  reply.hijack();
  const res = reply.raw;
  open.add(res);
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-request-id': String(request.id),
  });
  res.write('retry: 2000\n\n');

  let pending = new Set<string>();
  let lastId: string | null = null;
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    if (pending.size === 0) return;
    const topics = [...pending].sort();
    pending = new Set();
    res.write(`${lastId ? `id: ${lastId}\n` : ''}event: change\ndata: ${JSON.stringify({ topics })}\n\n`);
  };
  const reset = () => {
    pending = new Set();
    clearTimeout(timer);
    timer = undefined;
    res.write('event: reset\ndata: {}\n\n');
  };
  const take = (n: LiveNotice) => {
    lastId = n.id;
    const topic = scope.topicOf(n);
    if (topic === null) return;
    pending.add(topic);
    timer ??= setTimeout(flush, COALESCE_MS);
  };

  const resumeFrom = request.headers['last-event-id'];
  if (typeof resumeFrom === 'string' && resumeFrom !== '') {
    const missed = hub.since(resumeFrom);
    if (missed === 'reset') reset();
    else missed.forEach(take);
  }
  const unsubscribe = hub.subscribe((n) => (n === 'reset' ? reset() : take(n)));

  const heartbeat = setInterval(() => {
    scope.stillAllowed().then(
      (ok) => (ok ? res.write(': ping\n\n') : res.end()),
      () => res.end(),
    );
  }, HEARTBEAT_MS);
  heartbeat.unref();

  const stop = () => {
    open.delete(res);
    unsubscribe();
    clearInterval(heartbeat);
    clearTimeout(timer);
  };
  res.on('close', stop);
  request.raw.on('close', () => {
    stop();
    res.end();
  });
}

export const liveRoutes: FastifyPluginAsync<{ hub: LiveHub }> = async (app, { hub }) => {
  // This app's open streams, ended when it closes (an open response would hold server.close()).
  const open = new Set<FastifyReply['raw']>();
  app.addHook('preClose', async () => {
    for (const res of open) res.end();
  });
  app.get('/api/admin/stream', {
    preHandler: requireAdmin,
    config: {
      doc: {
        summary: 'Live updates for the console (Server-Sent Events)',
        description:
          '`event: change` with `{"topics":[...]}` naming the kinds of rows a committed write touched ' +
          '(customers, subscriptions, invoices, payments, plans, mrr, users, jobs, events, errors, dunning, ' +
          'notifications, audit, settings); `event: reset` when the client must reload everything. Send ' +
          '`Last-Event-ID` to resume.',
        tags: ['live'],
        produces: 'text/event-stream',
      },
    },
    handler: async (request, reply) => {
      const actor = request.actor!;
      await openStream(request, reply, hub, open, {
        topicOf: (n) => (n.topic.startsWith('user:') ? null : n.topic),
        stillAllowed: async () => {
          if (actor.kind !== 'user') return true; // an API key is checked when the stream opens
          const user = await sessionOf(request);
          return user?.role === 'admin';
        },
      });
    },
  });

  app.get('/api/me/stream', {
    preHandler: requireUser,
    config: {
      doc: {
        summary: "Live updates of the signed-in user's own billing and role (Server-Sent Events)",
        description:
          '`event: change` with `{"topics":["me"]}` when the user\'s role, subscriptions, invoices, customer, ' +
          'dunning case or notifications changed; refetch GET /api/me. `event: reset`: refetch.',
        tags: ['live'],
        produces: 'text/event-stream',
      },
    },
    handler: async (request, reply) => {
      const actor = request.actor!;
      if (actor.kind !== 'user') return; // requireUser admits sessions only
      const own = `user:${actor.userId}`;
      await openStream(request, reply, hub, open, {
        topicOf: (n) => (n.topic === own ? 'me' : null),
        stillAllowed: async () => (await sessionOf(request))?.userId === actor.userId,
      });
    },
  });
};
