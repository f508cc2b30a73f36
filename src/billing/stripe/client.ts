/**
 * The one Stripe SDK client. The API version is pinned by the installed `stripe` package
 * (Stripe.API_VERSION); `STRIPE_API_URL` points it elsewhere (the local sandbox, or a proxy) with no other change.
 */
import Stripe from 'stripe';
import type { Config } from '../../config.js';

export const STRIPE_API_VERSION = Stripe.API_VERSION;

export function createStripe(config: Pick<Config, 'stripe'>, opts: { timeoutMs?: number } = {}): Stripe {
  const key = config.stripe.secretKey;
  if (!key) throw new Error('STRIPE_SECRET_KEY is not set (npm start sets it to the sandbox when unset)');
  const base = config.stripe.apiUrl ? new URL(config.stripe.apiUrl) : undefined;
  return new Stripe(key, {
    maxNetworkRetries: 3,
    timeout: opts.timeoutMs ?? 20_000,
    telemetry: false,
    ...(base
      ? {
          host: base.hostname,
          port: Number(base.port || (base.protocol === 'https:' ? 443 : 80)),
          protocol: base.protocol === 'https:' ? 'https' : 'http',
        }
      : {}),
  });
}
