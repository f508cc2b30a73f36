/**
 * Shape conformance for what the Stripe sandbox returns: every response body and every event must match
 * Stripe's field lists for its type (../shared/stripe/schema.2026-07-29.dahlia.from-stripe-node.json) with
 * the installed SDK's differences applied (overrides.ts).
 *
 * Checked: no unknown field names; every non-optional field present; null only where nullable; primitive
 * types; enum values (closed: the SDK's `OtherString` escape hatch is not accepted); sub-objects, expandable
 * fields (an id string or the expanded object of an allowed type), lists and arrays, recursively; for events,
 * `data.object` by its own `object` and `data.previous_attributes` as a partial of the same type.
 *
 * Problems read `<path>: <what>`, the path starting at the object's `object` value, e.g.
 * `subscription.items.data[0].current_period_end: expected number, got undefined`.
 */
import type { Alt, FieldShape, ObjectShape, Shapes } from './compile-shapes.js';
import { applyOverrides, SDK_API_VERSION } from './overrides.js';
import { loadShapes } from './shapes.js';

export interface ValidateOptions {
  /**
   * The API version that rendered the object. Defaults to the installed SDK's (strict). An older version
   * (the dahlia fixtures) may lack what the SDK added since. Events use their own `api_version`.
   */
  apiVersion?: string | null;
}

let current: Shapes | undefined;
let older: Shapes | undefined;

function withErrorShape(shapes: Shapes): Shapes {
  return { ...shapes, types: { ...shapes.types, StripeRawError: RAW_ERROR } };
}

function shapesFor(apiVersion: string | null | undefined): Shapes {
  if (!apiVersion || apiVersion === SDK_API_VERSION) {
    current ??= withErrorShape(applyOverrides(loadShapes().shapes));
    return current;
  }
  older ??= withErrorShape(applyOverrides(loadShapes().shapes, { olderVersion: true }));
  return older;
}

type Json = Record<string, unknown>;

function isPlainObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (isPlainObject(v)) return typeof v.object === 'string' ? `${v.object} object` : 'object';
  return typeof v;
}

function describeAlt(a: Alt): string {
  if (typeof a === 'string') return a === 'decimal' ? 'decimal string' : a;
  if ('bool' in a) return String(a.bool);
  if ('enum' in a) {
    return a.enum.length <= 6
      ? a.enum.map((v) => JSON.stringify(v)).join(' | ')
      : `one of ${a.enum.length} values`;
  }
  if ('ref' in a) return a.ref;
  if ('array' in a) return `array of ${a.array.map(describeAlt).join(' | ')}`;
  if ('list' in a) return `list of ${a.list.map(describeAlt).join(' | ')}`;
  if ('map' in a) return `map of ${a.map.map(describeAlt).join(' | ')}`;
  if ('partial' in a) return `partial ${a.partial.map(describeAlt).join(' | ')}`;
  if ('opaque' in a) return a.opaque;
  return 'unknown';
}

function describeAlts(alts: Alt[]): string {
  return alts.map(describeAlt).join(' | ');
}

function enumProblem(path: string, value: string, allowed: string[]): string {
  const shown =
    allowed.length > 12
      ? `${allowed.slice(0, 12).join(', ')}, … (${allowed.length} values)`
      : allowed.join(', ');
  return `${path}: ${JSON.stringify(value)} is not one of ${shown}`;
}

class Validator {
  constructor(private readonly shapes: Shapes) {}

  /** The shape whose `object` discriminator is `object` (the Deleted* variant when `deleted` is true). */
  shapeOfObject(object: string, deleted: boolean): string | undefined {
    let fallback: string | undefined;
    for (const [name, shape] of Object.entries(this.shapes.types)) {
      if (shape.object !== object) continue;
      if (Boolean(shape.deleted) === deleted) return name;
      fallback ??= name;
    }
    return deleted ? undefined : fallback;
  }

  field(value: unknown, shape: FieldShape, path: string): string[] {
    if (value === undefined) {
      return shape.optional ? [] : [`${path}: expected ${describeAlts(shape.types)}, got undefined`];
    }
    if (value === null) {
      return shape.nullable ? [] : [`${path}: expected ${describeAlts(shape.types)}, got null`];
    }
    return this.alts(value, shape.types, path);
  }

  /** `value` (not null/undefined) against a union. */
  alts(value: unknown, alts: Alt[], path: string): string[] {
    if (alts.some((a) => a === 'unknown')) return [];
    // A string that is not a plain `string` alternative can only be an enum or decimal: report that precisely.
    if (typeof value === 'string' && !alts.includes('string')) {
      const values = alts.flatMap((a) => (typeof a === 'object' && 'enum' in a ? a.enum : []));
      if (alts.includes('decimal') && /^-?\d+(\.\d+)?$/.test(value)) return [];
      if (values.includes(value)) return [];
      if (values.length) return [enumProblem(path, value, values)];
      return [`${path}: expected ${describeAlts(alts)}, got string`];
    }
    let candidates = alts.filter((a) => this.kindMatches(value, a));
    if (!candidates.length) return [`${path}: expected ${describeAlts(alts)}, got ${describeValue(value)}`];
    if (isPlainObject(value)) {
      // Expanded resources (string | Customer | DeletedCustomer) are told apart by `object` and `deleted`.
      candidates = candidates.filter(
        (a) => !(typeof a === 'object' && 'ref' in a) || this.refMatchesObject(a.ref, value),
      );
      if (!candidates.length) return [`${path}: expected ${describeAlts(alts)}, got ${describeValue(value)}`];
    }
    let first: string[] | undefined;
    for (const a of candidates) {
      const problems = this.alt(value, a, path);
      if (!problems.length) return [];
      first ??= problems;
    }
    return first!;
  }

  /** Whether `value`'s JSON kind fits the alternative at all (before looking inside). */
  kindMatches(value: unknown, a: Alt): boolean {
    if (a === 'string' || a === 'decimal') return typeof value === 'string';
    if (a === 'number') return typeof value === 'number' && Number.isFinite(value);
    if (a === 'boolean') return typeof value === 'boolean';
    if (a === 'unknown') return true;
    if ('bool' in a) return value === a.bool;
    if ('enum' in a) return typeof value === 'string';
    if ('array' in a) return Array.isArray(value);
    return isPlainObject(value);
  }

  refMatchesObject(ref: string, value: Json): boolean {
    const shape = this.shapes.types[ref];
    if (!shape?.object) return true;
    return value.object === shape.object && Boolean(value.deleted === true) === Boolean(shape.deleted);
  }

  alt(value: unknown, a: Alt, path: string): string[] {
    if (typeof a === 'string' || 'bool' in a || 'enum' in a) return [];
    if ('opaque' in a) return [];
    if ('ref' in a) {
      const shape = this.shapes.types[a.ref];
      if (!shape) return [];
      // Inside previous_attributes Stripe sends only the changed keys of a sub-hash (not of a resource).
      return this.object(value as Json, shape, path, { partial: this.partialSubObjects && !shape.object });
    }
    if ('array' in a) {
      // ...but always whole arrays (and lists).
      return this.whole(() =>
        (value as unknown[]).flatMap((item, i) => this.itemProblems(item, a.array, `${path}[${i}]`)),
      );
    }
    if ('list' in a) return this.whole(() => this.list(value as Json, a.list, path, 'list'));
    if ('map' in a) {
      return Object.entries(value as Json).flatMap(([k, v]) => this.itemProblems(v, a.map, `${path}.${k}`));
    }
    if ('partial' in a) {
      const ref = a.partial.find((p): p is { ref: string } => typeof p === 'object' && 'ref' in p);
      const shape = ref && this.shapes.types[ref.ref];
      return shape ? this.previousAttributes(value as Json, shape, path) : [];
    }
    return [];
  }

  /** Set while checking previous_attributes: sub-hashes hold only their changed keys. */
  private partialSubObjects = false;

  private whole(check: () => string[]): string[] {
    const saved = this.partialSubObjects;
    this.partialSubObjects = false;
    try {
      return check();
    } finally {
      this.partialSubObjects = saved;
    }
  }

  /**
   * An event's `previous_attributes`: the changed fields of `shape` with their old values. Nested hashes
   * carry only their changed keys; arrays are sent whole (Stripe's documented behaviour).
   */
  previousAttributes(value: Json, shape: ObjectShape, path: string): string[] {
    const saved = this.partialSubObjects;
    this.partialSubObjects = true;
    try {
      return this.object(value, shape, path, { partial: true });
    } finally {
      this.partialSubObjects = saved;
    }
  }

  itemProblems(item: unknown, alts: Alt[], path: string): string[] {
    if (item === null || item === undefined)
      return [`${path}: expected ${describeAlts(alts)}, got ${describeValue(item)}`];
    return this.alts(item, alts, path);
  }

  object(value: Json, shape: ObjectShape, path: string, options: { partial?: boolean } = {}): string[] {
    const problems: string[] = [];
    for (const key of Object.keys(value)) {
      if (!(key in shape.fields)) problems.push(`${path}.${key}: unknown field`);
    }
    for (const [name, field] of Object.entries(shape.fields)) {
      if (options.partial && !(name in value)) continue;
      problems.push(...this.field(value[name], field, `${path}.${name}`));
    }
    return problems;
  }

  /** `{ object: 'list' | 'search_result', data, has_more, url (, next_page, total_count) }`. */
  list(value: Json, items: Alt[] | 'any', path: string, kind: 'list' | 'search_result'): string[] {
    const fields: Record<string, FieldShape> = {
      object: { types: [{ enum: [kind] }], nullable: false, optional: false },
      data: { types: [{ array: items === 'any' ? ['unknown'] : items }], nullable: false, optional: false },
      has_more: { types: ['boolean'], nullable: false, optional: false },
      url: { types: ['string'], nullable: false, optional: false },
      ...(kind === 'search_result'
        ? {
            next_page: { types: ['string'], nullable: true, optional: false },
            total_count: { types: ['number'], nullable: false, optional: true },
          }
        : {}),
    };
    const problems = this.object(value, { fields }, path);
    if (items === 'any' && Array.isArray(value.data)) {
      value.data.forEach((item, i) => problems.push(...this.resource(item, `${path}.data[${i}]`)));
    }
    return problems;
  }

  /** A top-level resource, typed by its own `object`. */
  resource(value: unknown, path: string): string[] {
    if (!isPlainObject(value)) return [`${path}: expected a Stripe object, got ${describeValue(value)}`];
    const object = value.object;
    if (typeof object !== 'string') return [`${path}.object: expected string, got ${describeValue(object)}`];
    if (object === 'list' || object === 'search_result') return this.list(value, 'any', path, object);
    if (object === 'event') return this.event(value, path);
    const name = this.shapeOfObject(object, value.deleted === true);
    if (!name) return [`${path}.object: unknown object type ${JSON.stringify(object)}`];
    return this.object(value, this.shapes.types[name]!, path);
  }

  event(value: Json, path: string): string[] {
    const base = this.shapes.types.EventBase!;
    const envelope: ObjectShape = { fields: { ...base.fields } };
    delete envelope.fields.data;
    const { data, ...rest } = value;
    const problems = this.object(rest, envelope, path);
    if (!isPlainObject(data))
      return [...problems, `${path}.data: expected Event.Data, got ${describeValue(data)}`];
    for (const key of Object.keys(data)) {
      if (key !== 'object' && key !== 'previous_attributes')
        problems.push(`${path}.data.${key}: unknown field`);
    }
    const object = data.object;
    problems.push(...this.resource(object, `${path}.data.object`));
    const expected = typeof value.type === 'string' ? this.shapes.events[value.type] : undefined;
    const expectedShape = expected ? this.shapes.types[expected] : undefined;
    if (expectedShape?.object && isPlainObject(object) && object.object !== expectedShape.object) {
      problems.push(
        `${path}.data.object: expected ${expected} for ${String(value.type)}, got ${describeValue(object)}`,
      );
    }
    if (data.previous_attributes !== undefined) {
      const prev = data.previous_attributes;
      const name =
        isPlainObject(object) && typeof object.object === 'string'
          ? this.shapeOfObject(object.object, object.deleted === true)
          : undefined;
      if (!isPlainObject(prev)) {
        problems.push(`${path}.data.previous_attributes: expected object, got ${describeValue(prev)}`);
      } else if (name) {
        problems.push(
          ...this.previousAttributes(prev, this.shapes.types[name]!, `${path}.data.previous_attributes`),
        );
      }
    }
    return problems;
  }
}

const optionalString: FieldShape = { types: ['string'], nullable: false, optional: true };

/**
 * The body of an error response (`{ error: { type, code, decline_code, message, param, ... } }`), as the SDK
 * reads it (StripeRawError in stripe/esm/Types.d.ts, v1 types only). Not in the schema file.
 */
const ERROR_BODY: ObjectShape = {
  fields: {
    error: { types: [{ ref: 'StripeRawError' }], nullable: false, optional: false },
  },
};
export const STRIPE_ERROR_TYPES = [
  'api_error',
  'authentication_error',
  'card_error',
  'idempotency_error',
  'invalid_request_error',
  'rate_limit_error',
];
const RAW_ERROR: ObjectShape = {
  fields: {
    type: { types: [{ enum: STRIPE_ERROR_TYPES }], nullable: false, optional: false },
    advice_code: optionalString,
    charge: optionalString,
    code: optionalString,
    decline_code: optionalString,
    doc_url: optionalString,
    message: optionalString,
    network_advice_code: optionalString,
    network_decline_code: optionalString,
    param: optionalString,
    payment_intent: { types: [{ ref: 'PaymentIntent' }], nullable: false, optional: true },
    payment_method: { types: [{ ref: 'PaymentMethod' }], nullable: false, optional: true },
    payment_method_type: optionalString,
    request_log_url: optionalString,
    setup_intent: { types: [{ ref: 'SetupIntent' }], nullable: false, optional: true },
    source: { types: [{ opaque: 'CustomerSource' }], nullable: false, optional: true },
    user_message: optionalString,
  },
};

function rootPath(obj: unknown): string {
  if (isPlainObject(obj) && obj.object === undefined && 'error' in obj) return 'response';
  return isPlainObject(obj) && typeof obj.object === 'string' ? obj.object : '(root)';
}

/**
 * Problems with `obj` as a Stripe API response body: a resource, a list, a search result or an event (typed by
 * its `object` field), or an error body `{ error: {...} }`. Empty when it conforms.
 */
export function validateStripeObject(obj: unknown, options: ValidateOptions = {}): string[] {
  if (isPlainObject(obj) && obj.object === 'event') return validateEventEnvelope(obj);
  const validator = new Validator(shapesFor(options.apiVersion));
  if (isPlainObject(obj) && obj.object === undefined && 'error' in obj) {
    return validator.object(obj, ERROR_BODY, 'response');
  }
  return validator.resource(obj, rootPath(obj));
}

/**
 * Problems with a whole event: the envelope (id, type from the SDK's closed list, created, livemode,
 * pending_webhooks, request, api_version...), `data.object` validated by its own `object` at the event's
 * `api_version` and of the type the event type carries, and `data.previous_attributes` as a partial of it.
 */
export function validateEventEnvelope(event: unknown): string[] {
  if (!isPlainObject(event) || event.object !== 'event') {
    return [`${rootPath(event)}: expected event object, got ${describeValue(event)}`];
  }
  const version = typeof event.api_version === 'string' ? event.api_version : undefined;
  return new Validator(shapesFor(version)).event(event, 'event');
}

/** Throws an Error listing every problem (one per line) when `obj` does not conform. */
export function assertStripeShape(obj: unknown, options: ValidateOptions = {}): void {
  const problems = validateStripeObject(obj, options);
  if (problems.length) {
    throw new Error(`${rootPath(obj)} does not match Stripe's shape:\n  ${problems.join('\n  ')}`);
  }
}
