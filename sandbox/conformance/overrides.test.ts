import { readFileSync } from 'node:fs';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { compileShapes, type SchemaFile } from './compile-shapes.js';
import { applyOverrides, OVERRIDES, SDK_API_VERSION } from './overrides.js';
import { diffShapes } from './sdk-diff.js';
import { readSdkTypes, sdkApiVersion } from './sdk-types.js';
import { schemaPath } from './shapes.js';

describe('the SDK overrides table', () => {
  const schema = compileShapes(JSON.parse(readFileSync(schemaPath(), 'utf8')) as SchemaFile);
  const sdk = compileShapes(readSdkTypes());

  it('is written for the API version the installed SDK pins', () => {
    expect(SDK_API_VERSION).toBe('2026-10-28.endive');
    expect(Stripe.API_VERSION).toBe(SDK_API_VERSION);
    expect(sdkApiVersion()).toBe(SDK_API_VERSION);
  });

  it('is needed: the dahlia field lists and the SDK differ for the covered types', () => {
    expect(diffShapes(schema, sdk).length).toBe(104);
  });

  it('turns the dahlia field lists into exactly the SDK types (nothing missing, nothing extra)', () => {
    expect(diffShapes(applyOverrides(schema), sdk)).toEqual([]);
  }, 30_000);

  it('says why for every entry', () => {
    expect(OVERRIDES.length).toBe(104);
    for (const o of OVERRIDES) expect(o.why.length, JSON.stringify(o).slice(0, 120)).toBeGreaterThan(20);
  });

  it('for older objects, makes what the SDK added optional and accepts either generation', () => {
    const strict = applyOverrides(schema);
    const older = applyOverrides(schema, { olderVersion: true });
    expect(strict.types['SubscriptionItem']?.fields.current_trial).toEqual({
      types: [{ ref: 'SubscriptionItem.CurrentTrial' }],
      nullable: true,
      optional: false,
    });
    expect(older.types['SubscriptionItem']?.fields.current_trial?.optional).toBe(true);
    expect(schema.types['PaymentIntent']?.fields.allowed_payment_method_types?.optional).toBe(true);
    expect(strict.types['PaymentIntent']?.fields.allowed_payment_method_types?.optional).toBe(false);
    expect(older.types['PaymentIntent']?.fields.allowed_payment_method_types?.optional).toBe(true);
    // The input is not modified.
    expect(schema.types['SubscriptionItem']?.fields.current_trial).toBeUndefined();
  });
});
