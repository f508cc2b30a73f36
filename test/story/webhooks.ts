/**
 * Delivering story events as Stripe does: signed like Stripe signs them (`stripe.webhooks.generateTestHeaderString`)
 * and posted to an app's `/webhooks/stripe`.
 */
import Stripe from 'stripe';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

export const WEBHOOK_SECRET = 'whsec_test_pipeline_secret_0123456789abcdef';
export const WEBHOOK_SECRET_OLD = 'whsec_test_pipeline_secret_old_0123456789ab';

export function signatureHeader(
  body: string | Buffer,
  timestampSeconds: number,
  secret = WEBHOOK_SECRET,
): string {
  return Stripe.webhooks.generateTestHeaderString({
    payload: body.toString(),
    secret,
    timestamp: timestampSeconds,
  });
}

/** Posts a body (an event, or raw text) signed at `at`. */
export async function postWebhook(
  app: FastifyInstance,
  body: Stripe.Event | string | Buffer,
  opts: { at: Date; secret?: string; headers?: Record<string, string>; signature?: string | null },
): Promise<LightMyRequestResponse> {
  const payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const headers: Record<string, string> = { 'content-type': 'application/json', ...opts.headers };
  const sig =
    opts.signature === undefined
      ? signatureHeader(payload, Math.floor(opts.at.getTime() / 1000), opts.secret ?? WEBHOOK_SECRET)
      : opts.signature;
  if (sig !== null) headers['stripe-signature'] = sig;
  return app.inject({ method: 'POST', url: '/webhooks/stripe', headers, payload });
}
