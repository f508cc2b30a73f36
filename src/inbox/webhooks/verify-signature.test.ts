import { describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import { parseSignatureHeader, verifySignature } from './verify-signature.js';

const SECRET_A = 'whsec_unit_secret_a_0123456789';
const SECRET_B = 'whsec_unit_secret_b_0123456789';
const NOW_MS = Date.UTC(2026, 0, 15, 12, 0, 0);
const NOW_S = NOW_MS / 1000;
const body = Buffer.from('{"id":"evt_1","object":"event"}');

function header(payload: Buffer | string, secret: string, timestamp = NOW_S, scheme?: string): string {
  return Stripe.webhooks.generateTestHeaderString({
    payload: payload.toString(),
    secret,
    timestamp,
    ...(scheme ? { scheme } : {}),
  });
}
const v1Of = (h: string) => h.split(',').find((i) => i.startsWith('v1='))!;

describe('parseSignatureHeader', () => {
  it('reads t and every v1, ignoring other schemes', () => {
    expect(parseSignatureHeader('t=1700000000,v1=aa,v0=bb,v1=cc')).toEqual({
      ok: true,
      value: { timestamp: 1700000000, v1: ['aa', 'cc'] },
    });
  });
  it('R1 refuses a missing, repeated, non-numeric or NaN timestamp', () => {
    for (const h of [
      'v1=aa',
      't=1,t=2,v1=aa',
      't=12abc,v1=aa',
      't=NaN,v1=aa',
      't=,v1=aa',
      't=-5,v1=aa',
      'garbage',
    ]) {
      expect(parseSignatureHeader(h)).toMatchObject({ ok: false, error: { code: 'signature_malformed' } });
    }
  });
  it('R2 refuses a header with only a v0 scheme', () => {
    expect(parseSignatureHeader('t=1700000000,v0=aa')).toMatchObject({
      ok: false,
      error: { code: 'signature_invalid' },
    });
  });
});

describe('verifySignature', () => {
  it('accepts a valid signature', () => {
    expect(verifySignature(body, [header(body, SECRET_A)], [SECRET_A], NOW_MS)).toEqual({
      ok: true,
      value: { timestamp: NOW_S },
    });
  });
  it('R1 no header, an empty header, two headers', () => {
    expect(verifySignature(body, [], [SECRET_A], NOW_MS)).toMatchObject({
      error: { code: 'signature_missing' },
    });
    expect(verifySignature(body, [''], [SECRET_A], NOW_MS)).toMatchObject({
      error: { code: 'signature_missing' },
    });
    const h = header(body, SECRET_A);
    expect(verifySignature(body, [h, h], [SECRET_A], NOW_MS)).toMatchObject({
      error: { code: 'signature_malformed' },
    });
  });
  it('R2 one byte flipped, another endpoint secret, only v0', () => {
    const flipped = Buffer.from(body);
    flipped[5] = flipped[5]! ^ 0x01;
    expect(verifySignature(flipped, [header(body, SECRET_A)], [SECRET_A], NOW_MS)).toMatchObject({
      error: { code: 'signature_invalid' },
    });
    expect(verifySignature(body, [header(body, 'whsec_other_endpoint')], [SECRET_A], NOW_MS)).toMatchObject({
      error: { code: 'signature_invalid' },
    });
    expect(verifySignature(body, [header(body, SECRET_A, NOW_S, 'v0')], [SECRET_A], NOW_MS)).toMatchObject({
      error: { code: 'signature_invalid' },
    });
  });
  it('R3 timestamps 301 s old or 301 s ahead are refused, 299 s either way accepted', () => {
    for (const skew of [-301, 301, -3600, 86400]) {
      expect(verifySignature(body, [header(body, SECRET_A, NOW_S + skew)], [SECRET_A], NOW_MS)).toMatchObject(
        {
          error: { code: 'timestamp_out_of_tolerance' },
        },
      );
    }
    for (const skew of [-299, 299, -300, 300]) {
      expect(verifySignature(body, [header(body, SECRET_A, NOW_S + skew)], [SECRET_A], NOW_MS).ok).toBe(true);
    }
  });
  it('R3 an unsigned header with a bad timestamp is a signature failure, not a timestamp one', () => {
    expect(
      verifySignature(body, [`t=${NOW_S - 9999},v1=${'0'.repeat(64)}`], [SECRET_A], NOW_MS),
    ).toMatchObject({
      error: { code: 'signature_invalid' },
    });
  });
  it('R5 rotation: any configured secret, any of several v1 values; a removed secret stops working', () => {
    const a = header(body, SECRET_A);
    const b = header(body, SECRET_B);
    const both = `t=${NOW_S},${v1Of(a)},${v1Of(b)}`;
    expect(verifySignature(body, [both], [SECRET_A], NOW_MS).ok).toBe(true);
    expect(verifySignature(body, [both], [SECRET_B], NOW_MS).ok).toBe(true);
    expect(verifySignature(body, [b], [SECRET_A, SECRET_B], NOW_MS).ok).toBe(true);
    expect(verifySignature(body, [a], [SECRET_B], NOW_MS)).toMatchObject({
      error: { code: 'signature_invalid' },
    });
  });
  it('refuses everything when no secret is configured', () => {
    expect(verifySignature(body, [header(body, SECRET_A)], [], NOW_MS)).toMatchObject({
      error: { code: 'webhook_not_configured' },
    });
  });
});
