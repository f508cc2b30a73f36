/**
 * Verifies a `Stripe-Signature` header over the raw request bytes.
 *
 * The header is parsed strictly first (the SDK's parser accepts `t=12abc`, `t=NaN` and repeated `t=`), then the
 * SDK checks the HMAC against EVERY configured secret (rotation: any secret may match any `v1=` value), then the
 * timestamp is checked in BOTH directions (the SDK checks only the past): |now - t| <= 300 s.
 * Pure apart from the HMAC: `nowMs` comes from the caller's Clock.
 */
import Stripe from 'stripe';
import { err, ok, type Result } from '../../errors.js';

export const SIGNATURE_TOLERANCE_SECONDS = 300;

export type SignatureErrorCode =
  | 'signature_missing'
  | 'signature_malformed'
  | 'signature_invalid'
  | 'timestamp_out_of_tolerance'
  | 'webhook_not_configured';

export interface SignatureError {
  code: SignatureErrorCode;
  message: string;
}

export interface ParsedSignatureHeader {
  timestamp: number;
  v1: string[];
}

const fail = (code: SignatureErrorCode, message: string) => err<SignatureError>({ code, message });

/** Strict parse: comma-separated `key=value` items, exactly one `t` of decimal digits, any number of schemes. */
export function parseSignatureHeader(header: string): Result<ParsedSignatureHeader, SignatureError> {
  let timestamp: number | undefined;
  const v1: string[] = [];
  for (const rawItem of header.split(',')) {
    const item = rawItem.trim();
    const eq = item.indexOf('=');
    if (eq <= 0) return fail('signature_malformed', 'Stripe-Signature items must be key=value');
    const key = item.slice(0, eq);
    const value = item.slice(eq + 1);
    if (key === 't') {
      if (timestamp !== undefined)
        return fail('signature_malformed', 'Stripe-Signature has more than one timestamp');
      if (!/^\d{1,12}$/.test(value))
        return fail('signature_malformed', 'Stripe-Signature timestamp is not a number');
      timestamp = Number(value);
    } else if (key === 'v1') {
      v1.push(value);
    }
    // Other schemes (v0, future ones) are ignored: only v1 is ever trusted.
  }
  if (timestamp === undefined) return fail('signature_malformed', 'Stripe-Signature has no timestamp');
  if (v1.length === 0) return fail('signature_invalid', 'Stripe-Signature has no v1 signature');
  return ok({ timestamp, v1 });
}

/**
 * `headerValues`: every `Stripe-Signature` header of the request (two headers are refused, not merged).
 * Returns the signed timestamp on success.
 */
export function verifySignature(
  raw: Buffer,
  headerValues: string[],
  secrets: readonly string[],
  nowMs: number,
): Result<{ timestamp: number }, SignatureError> {
  if (headerValues.length === 0 || headerValues.every((h) => h.trim() === '')) {
    return fail('signature_missing', 'Stripe-Signature header is missing');
  }
  if (headerValues.length > 1) return fail('signature_malformed', 'More than one Stripe-Signature header');
  const header = headerValues[0] as string;
  const parsed = parseSignatureHeader(header);
  if (!parsed.ok) return parsed;
  if (secrets.length === 0) return fail('webhook_not_configured', 'No webhook secret is configured');

  // The SDK verifies the HMAC over `${t}.${raw}`; tolerance 0 disables its one-sided age check (ours follows).
  const sdk = Stripe.webhooks.signature;
  if (!sdk) throw new Error('stripe SDK has no webhook signature verifier');
  const matched = secrets.some((secret) => {
    try {
      return sdk.verifyHeader(raw, header, secret, 0);
    } catch {
      return false;
    }
  });
  if (!matched)
    return fail('signature_invalid', 'No signature matches the payload for any configured secret');

  const skew = Math.floor(nowMs / 1000) - parsed.value.timestamp;
  if (Math.abs(skew) > SIGNATURE_TOLERANCE_SECONDS) {
    return fail(
      'timestamp_out_of_tolerance',
      `Signature timestamp is ${skew > 0 ? 'older' : 'newer'} than 300 s`,
    );
  }
  return ok({ timestamp: parsed.value.timestamp });
}
