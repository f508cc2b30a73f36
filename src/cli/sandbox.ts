/**
 * The local Stripe sandbox from the CLI: `sertantai sandbox` runs it on its own, and `npm start` starts it
 * in-process (through `prepareStripe` in start.ts) when STRIPE_SECRET_KEY is unset. The app itself never
 * imports sandbox/; only this launcher does.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { appOrigin } from '../accounts/auth.js';
import { freePort } from '../db/embedded.js';
import { startSandbox } from '../../sandbox/index.js';

/**
 * Start the sandbox for this app: state in `<DATA_DIR>/sandbox.json` (a demo survives a restart), webhooks to
 * `<app url>/webhooks/stripe` signed with the first configured STRIPE_WEBHOOK_SECRET (or a generated one, handed
 * back in the returned config), and the config pointed at it (STRIPE_SECRET_KEY, STRIPE_API_URL).
 */
export async function startSandboxForApp(
  config: Config,
  logger: Logger,
): Promise<{ config: Config; stop(): Promise<void> }> {
  // the webhook URL needs the app's real port, so a free one is chosen here when PORT=0
  const withPort = config.port === 0 ? { ...config, port: await freePort() } : config;
  mkdirSync(withPort.dataDir, { recursive: true });
  const configured = withPort.stripe.webhookSecrets[0];
  const sandbox = await startSandbox({
    host: '127.0.0.1',
    port: 0,
    webhookUrl: `${appOrigin(withPort)}/webhooks/stripe`,
    webhookSecret: configured,
    persistPath: join(withPort.dataDir, 'sandbox.json'),
  });
  logger.info(
    { url: sandbox.url, webhooks: `${appOrigin(withPort)}/webhooks/stripe` },
    'Stripe sandbox started (STRIPE_SECRET_KEY is unset)',
  );
  return {
    config: {
      ...withPort,
      stripe: {
        ...withPort.stripe,
        secretKey: sandbox.secretKey,
        apiUrl: sandbox.url,
        livemode: false,
        webhookSecrets: configured ? withPort.stripe.webhookSecrets : [sandbox.webhookSecret],
      },
    },
    stop: () => sandbox.stop(),
  };
}

interface SandboxOpts {
  port: string;
  host: string;
  webhookUrl?: string;
  webhookSecret?: string;
  persist?: string;
  secretKey?: string;
}

export function registerSandboxCommands(program: Command): Command {
  return program
    .command('sandbox')
    .description(
      'Run the local Stripe sandbox (the official SDK talks to it with host/port/protocol options)',
    )
    .option('--port <port>', 'port to listen on (0 = any free port)', '12111')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--webhook-url <url>', 'register a webhook endpoint for every event at this URL')
    .option('--webhook-secret <whsec>', 'signing secret for that endpoint (generated when omitted)')
    .option('--persist <file>', 'keep state in this JSON file across restarts')
    .option('--secret-key <sk_test>', 'the API key clients must send (generated when omitted)')
    .action(async (opts: SandboxOpts) => {
      if (opts.webhookSecret && !opts.webhookSecret.startsWith('whsec_'))
        throw new Error('--webhook-secret must start with whsec_');
      if (opts.secretKey && !opts.secretKey.startsWith('sk_test_'))
        throw new Error('--secret-key must start with sk_test_');
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new Error('--port must be a port number');
      const sandbox = await startSandbox({
        port,
        host: opts.host,
        webhookUrl: opts.webhookUrl,
        webhookSecret: opts.webhookSecret,
        persistPath: opts.persist,
        secretKey: opts.secretKey,
      });
      const lines = [
        '',
        `  Stripe sandbox listening on ${sandbox.url}`,
        '  Point an app at it with:',
        `    STRIPE_API_URL=${sandbox.url}`,
        `    STRIPE_SECRET_KEY=${sandbox.secretKey}`,
        ...(opts.webhookUrl
          ? [`    STRIPE_WEBHOOK_SECRET=${sandbox.webhookSecret}   (webhooks to ${opts.webhookUrl})`]
          : []),
        `  Control API: ${sandbox.url}/_sandbox/…   Stop with Ctrl+C.`,
        '',
      ];
      process.stdout.write(lines.join('\n') + '\n');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await sandbox.stop();
    });
}
