/**
 * The Stripe sandbox: a small stateful HTTP server speaking Stripe's API to the official SDK
 * (`new Stripe(secretKey, { host, port, protocol: 'http' })`), with test clocks, signed webhooks,
 * hosted Checkout / portal pages and fault injection. The app never imports this; the CLI and tests do.
 */
import { randomChars, Store, type Obj } from './store.js';
import { Sandbox, type Settings } from './state.js';
import { createSandboxServer, newSecretKey } from './server.js';
import { controlHandler, SandboxControl } from './control.js';
import { allRoutes } from './routes.js';
import { pagesHandler } from './pages/pages.js';
import { registerWebhookEndpoint } from './resources/events.js';
import { newWebhookSecret } from './webhooks/sign.js';
import { runUntil } from './billing/lifecycle.js';

export { SandboxControl } from './control.js';
export type { ApiFaultInput } from './control.js';
export type { DeliveryFault, DeliveryAttempt } from './webhooks/delivery.js';
export type { Settings } from './state.js';
export { prorate } from './billing/proration.js';

export interface SandboxOptions {
  port?: number;
  host?: string;
  /** Register a webhook endpoint for every event type at this URL. */
  webhookUrl?: string;
  /** Its signing secret (generated when omitted). */
  webhookSecret?: string;
  /** Keep state in this JSON file (loaded at start, written after every change). */
  persistPath?: string;
  /** The API key clients must send (generated when omitted, or taken from the persisted state). */
  secretKey?: string;
  /** Freeze the sandbox-wide clock at this unix time (it then moves only through control.advanceClock). */
  startTime?: number;
  settings?: Partial<Settings>;
  onResponse?: (path: string, body: unknown) => void;
  onEvent?: (event: unknown) => void;
}

export interface SandboxHandle {
  url: string;
  port: number;
  secretKey: string;
  webhookSecret: string;
  control: SandboxControl;
  stop(): Promise<void>;
}

/** How often a persisted sandbox writes its state file while it changes. */
const PERSIST_EVERY_MS = 1000;

export async function startSandbox(opts: SandboxOptions = {}): Promise<SandboxHandle> {
  const sb = new Sandbox({ startTime: opts.startTime });
  const saved = opts.persistPath ? Store.readFile(opts.persistPath) : undefined;
  if (saved) {
    sb.store.load(saved);
    if (saved.clock) sb.clock.restore(saved.clock as { frozen: number | null; offset: number });
    if (saved.settings) sb.settings = { ...sb.settings, ...(saved.settings as Settings) };
  }
  if (opts.settings) sb.settings = { ...sb.settings, ...opts.settings };
  sb.onEvent = opts.onEvent as ((e: Obj) => void) | undefined;
  const secretKey = opts.secretKey ?? (saved?.secretKey as string | undefined) ?? newSecretKey();
  const persistNow = (): void => {
    if (saveTimer) clearTimeout(saveTimer);
    saveTimer = undefined;
    // deliveries still owed are saved too: at-least-once, so a restart may repeat some, never lose them
    if (opts.persistPath) {
      sb.store.saveTo(opts.persistPath, {
        clock: sb.clock.state(),
        settings: sb.settings,
        secretKey,
        deliveries: sb.delivery.snapshot(),
      });
    }
  };
  // Every change asks for a save; the file is written at most once per PERSIST_EVERY_MS (and at stop). Writing the
  // whole store on each request made a seeded history (thousands of objects) quadratic and blocked the event loop.
  // A crash (not a stop) may lose the last second of sandbox state.
  let saveTimer: NodeJS.Timeout | undefined;
  const persist = (): void => {
    if (!opts.persistPath || saveTimer) return;
    saveTimer = setTimeout(persistNow, PERSIST_EVERY_MS);
    saveTimer.unref();
  };

  const { server, hanging } = createSandboxServer({
    sb,
    routes: allRoutes,
    secretKey,
    control: controlHandler(sb, persist),
    pages: pagesHandler(sb, persist),
    onResponse: opts.onResponse,
    persist,
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (opts.port ?? 0);
  const url = `http://${host}:${port}`;
  sb.baseUrl = url;

  let webhookSecret = opts.webhookSecret ?? '';
  if (opts.webhookUrl) {
    const existing = sb.store.all('webhook_endpoint').find((e) => e.url === opts.webhookUrl);
    if (existing) {
      webhookSecret = opts.webhookSecret ?? (sb.store.m(existing.id).secret as string);
      sb.store.m(existing.id).secret = webhookSecret;
    } else {
      webhookSecret = opts.webhookSecret ?? newWebhookSecret();
      registerWebhookEndpoint(sb, {
        url: opts.webhookUrl,
        enabled_events: ['*'],
        secret: webhookSecret,
        description: 'registered at sandbox start',
      });
    }
  }
  if (!webhookSecret) webhookSecret = `whsec_${randomChars(32)}`;
  // webhooks not delivered before the last stop go out again (a retry if they had failed)
  if (saved?.deliveries) {
    sb.delivery.restore(
      saved.deliveries as Parameters<typeof sb.delivery.restore>[0],
      (eventId, endpointId) => {
        const event = sb.store.get(eventId, 'event');
        const ep = sb.store.get(endpointId, 'webhook_endpoint');
        if (!event || !ep) return undefined;
        return { event, url: ep.url as string, secret: sb.store.m(endpointId).secret as string };
      },
    );
  }
  persistNow();

  // Following the wall clock, due renewals and webhook retries happen as time passes.
  const ticker = sb.clock.isFrozen
    ? null
    : setInterval(() => {
        try {
          if (runUntil(sb, null, sb.clock.now()) > 0) persist();
          sb.delivery.tick();
        } catch (e) {
          console.error('[sandbox] lifecycle tick failed', e);
        }
      }, 1000);
  ticker?.unref();

  return {
    url,
    port,
    secretKey,
    webhookSecret,
    control: new SandboxControl(url),
    async stop() {
      if (ticker) clearInterval(ticker);
      sb.delivery.stop();
      for (const r of hanging) r.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      persistNow();
    },
  };
}
