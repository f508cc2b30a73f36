/**
 * Turns Stripe's field lists (the `objects`/`enums` maps of
 * ../shared/stripe/schema.2026-07-29.dahlia.from-stripe-node.json, which hold each SDK interface's fields as
 * TypeScript type text such as `string | Customer | DeletedCustomer | null`) into the compact shapes the
 * validator walks. Used by build-shapes.ts (to write the committed shapes.json) and by shapes.ts (to compile
 * straight from the schema file when it is present). Pure: data in, data out.
 */

/** One alternative of a field's type. `null` is never an alternative: it is the field's `nullable` flag. */
export type Alt =
  | 'string'
  | 'number'
  | 'boolean'
  /** Stripe.Decimal: a decimal number sent as a JSON string ("2900.5"). */
  | 'decimal'
  /** Anything (`unknown` in the SDK: next_action.use_stripe_sdk's free-form hash). */
  | 'unknown'
  | { bool: boolean }
  /** Closed set of string values (the SDK's `| OtherString` escape hatch is dropped on purpose). */
  | { enum: string[] }
  /** Another shape in `types`, by its SDK name (`Subscription.AutomaticTax`, `Checkout.Session`). */
  | { ref: string }
  | { array: Alt[] }
  /** `ApiList<T>`: `{ object: 'list', data: T[], has_more, url }`. */
  | { list: Alt[] }
  /** `{ [key: string]: T }` and Stripe.Metadata. */
  | { map: Alt[] }
  /** `Partial<T>` (events' previous_attributes): fields of T that exist must have T's types. */
  | { partial: Alt[] }
  /** A Stripe type outside the covered set (Application, Account, TaxRate...): any object is accepted. */
  | { opaque: string };

export interface FieldShape {
  types: Alt[];
  nullable: boolean;
  optional: boolean;
}

export interface ObjectShape {
  /** The `object` discriminator when the type has one (`'subscription'`), for top-level resources. */
  object?: string;
  /** `deleted: true` variants (DeletedCustomer...) share `object` with the live type. */
  deleted?: boolean;
  fields: Record<string, FieldShape>;
}

export interface Shapes {
  apiVersion: string;
  source: string;
  roots: string[];
  types: Record<string, ObjectShape>;
  /** Event type -> SDK name of its `data.object` (`customer.subscription.updated` -> `Subscription`). */
  events: Record<string, string>;
}

interface SchemaField {
  name: string;
  optional: boolean;
  type: string;
}
export interface SchemaFile {
  api_version: string;
  source: string;
  objects: Record<string, SchemaField[]>;
  enums: Record<string, string>;
}

/**
 * The resources the sandbox serves (and the event envelopes). Everything they reference is pulled in
 * transitively; types outside the schema file become `opaque`.
 */
export const ROOT_TYPES = [
  'BalanceTransaction',
  'BillingPortal.Session',
  'Charge',
  'Checkout.Session',
  'Coupon',
  'DeletedCoupon',
  'Customer',
  'DeletedCustomer',
  'Discount',
  'DeletedDiscount',
  'Dispute',
  'EventBase',
  'Invoice',
  'DeletedInvoice',
  'InvoiceItem',
  'DeletedInvoiceItem',
  'InvoiceLineItem',
  'InvoicePayment',
  'PaymentIntent',
  'PaymentMethod',
  'Plan',
  'DeletedPlan',
  'Price',
  'DeletedPrice',
  'Product',
  'DeletedProduct',
  'PromotionCode',
  'Refund',
  'SetupIntent',
  'Subscription',
  'SubscriptionItem',
  'DeletedSubscriptionItem',
  'TestHelpers.TestClock',
  'TestHelpers.DeletedTestClock',
  'WebhookEndpoint',
  'DeletedWebhookEndpoint',
] as const;

/** Types from the SDK's shared.d.ts / lib.d.ts that the schema file does not list. */
const BUILTIN_OBJECTS: Record<string, Record<string, FieldShape>> = {
  Address: Object.fromEntries(
    ['city', 'country', 'line1', 'line2', 'postal_code', 'state'].map((n) => [
      n,
      { types: ['string'], nullable: true, optional: false },
    ]),
  ),
};

/** `Checkout/Sessions.ts::Session.Locale` -> `Checkout.Session.Locale`. */
export function sdkName(schemaKey: string): string {
  const [file, name] = schemaKey.split('::') as [string, string];
  const dirs = file.split('/').slice(0, -1);
  return [...dirs, name].join('.');
}

type Token = { kind: 'id' | 'str' | 'punct'; text: string };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      const end = src.indexOf("'", i + 1);
      out.push({ kind: 'str', text: src.slice(i + 1, end) });
      i = end + 1;
    } else if (/[A-Za-z_$]/.test(c)) {
      const m = /^[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)*/.exec(src.slice(i))!;
      out.push({ kind: 'id', text: m[0] });
      i += m[0].length;
    } else if ('|<>{}[]:;,'.includes(c)) {
      out.push({ kind: 'punct', text: c });
      i++;
    } else {
      throw new Error(`unexpected ${JSON.stringify(c)} in type ${JSON.stringify(src)}`);
    }
  }
  return out;
}

/** A parsed TypeScript type before name resolution. */
type RawType =
  | { k: 'prim'; name: 'string' | 'number' | 'boolean' | 'null' | 'true' | 'false' | 'unknown' }
  | { k: 'str'; value: string }
  | { k: 'name'; name: string; args: RawType[][] }
  | { k: 'index'; value: RawType[] };

function parseType(src: string): RawType[] {
  const toks = tokenize(src);
  let p = 0;
  const peek = () => toks[p];
  const expect = (text: string) => {
    const t = toks[p++];
    if (!t || t.text !== text) throw new Error(`expected ${text} in ${JSON.stringify(src)}`);
  };
  function union(): RawType[] {
    const alts: RawType[] = [];
    if (peek()?.text === '|') p++;
    alts.push(primary());
    while (peek()?.text === '|') {
      p++;
      alts.push(primary());
    }
    return alts;
  }
  function primary(): RawType {
    const t = toks[p++];
    if (!t) throw new Error(`unexpected end of ${JSON.stringify(src)}`);
    if (t.kind === 'str') return { k: 'str', value: t.text };
    if (t.kind === 'id') {
      if (['string', 'number', 'boolean', 'null', 'true', 'false', 'unknown'].includes(t.text)) {
        return { k: 'prim', name: t.text as 'string' };
      }
      const args: RawType[][] = [];
      if (peek()?.text === '<') {
        p++;
        args.push(union());
        while (peek()?.text === ',') {
          p++;
          args.push(union());
        }
        expect('>');
      }
      return { k: 'name', name: t.text, args };
    }
    if (t.text === '{') {
      // `{ [key: string]: T; }`
      expect('[');
      p++; // key name
      expect(':');
      p++; // key type
      expect(']');
      expect(':');
      const value = union();
      if (peek()?.text === ';') p++;
      // The schema file cut `{ [key: string]: unknown }` short in two enums; accept the missing brace.
      if (p < toks.length) expect('}');
      return { k: 'index', value };
    }
    throw new Error(`unexpected ${t.text} in ${JSON.stringify(src)}`);
  }
  const result = union();
  if (p !== toks.length) throw new Error(`trailing tokens in ${JSON.stringify(src)}`);
  return result;
}

/** Compiles the shapes of ROOT_TYPES and everything they reach. */
export function compileShapes(schema: SchemaFile, roots: readonly string[] = ROOT_TYPES): Shapes {
  // SDK name -> schema key, for objects and enums.
  const objectKeys = new Map<string, string>();
  for (const key of Object.keys(schema.objects)) objectKeys.set(sdkName(key), key);
  const enumKeys = new Map<string, string>();
  for (const key of Object.keys(schema.enums)) enumKeys.set(sdkName(key), key);
  // Bare top-level name (`Invoice`) -> SDK name, for references across files (the SDK's imports).
  const topLevel = new Map<string, string>();
  for (const key of Object.keys(schema.objects)) {
    const name = sdkName(key);
    const last = key.split('::')[1]!;
    if (!last.includes('.')) topLevel.set(name, name);
  }

  const types: Record<string, ObjectShape> = {};
  const queue: string[] = [...roots];
  const seen = new Set<string>(queue);

  /**
   * Resolves `ref` used inside interface `owner` (SDK name, e.g. `Checkout.Session.CustomerDetails`) the way
   * TypeScript would: the namespaces enclosing the interface, innermost first, then the file's imports.
   */
  function resolve(ref: string, owner: string): { kind: 'object' | 'enum'; name: string } | null {
    const ownerParts = owner.split('.');
    // The directory prefix (Checkout., BillingPortal., TestHelpers.) is part of the file, so it always stays.
    for (let i = ownerParts.length - 1; i >= 0; i--) {
      const candidate = [...ownerParts.slice(0, i), ref].join('.');
      if (objectKeys.has(candidate)) return { kind: 'object', name: candidate };
      if (enumKeys.has(candidate)) return { kind: 'enum', name: candidate };
    }
    if (topLevel.has(ref)) return { kind: 'object', name: ref };
    return null;
  }

  function enumValues(name: string): Alt[] {
    const raw = parseType(schema.enums[enumKeys.get(name)!]!);
    return raw.flatMap((r) => convert(r, name));
  }

  function convert(raw: RawType, owner: string): Alt[] {
    switch (raw.k) {
      case 'prim':
        if (raw.name === 'null') return [];
        if (raw.name === 'true' || raw.name === 'false') return [{ bool: raw.name === 'true' }];
        return [raw.name];
      case 'str':
        return [{ enum: [raw.value] }];
      case 'index':
        return [{ map: convertUnion(raw.value, owner) }];
      case 'name': {
        const arg = () => convertUnion(raw.args[0]!, owner);
        switch (raw.name) {
          case 'OtherString':
            return [];
          case 'Metadata':
          case 'Stripe.Metadata':
            return [{ map: ['string'] }];
          case 'Decimal':
            return ['decimal'];
          case 'Array':
            return [{ array: arg() }];
          case 'ApiList':
            return [{ list: arg() }];
          case 'Partial':
            return [{ partial: arg() }];
        }
        if (BUILTIN_OBJECTS[raw.name]) {
          if (!types[raw.name]) types[raw.name] = { fields: BUILTIN_OBJECTS[raw.name]! };
          return [{ ref: raw.name }];
        }
        // Checkout/Sessions.ts imports Discount as `_Discount` (its namespace has its own `Discount`).
        const target = resolve(raw.name, owner) ?? resolve(raw.name.replace(/^_/, ''), owner);
        if (!target) return [{ opaque: raw.name }];
        if (target.kind === 'enum') return enumValues(target.name);
        if (!seen.has(target.name)) {
          seen.add(target.name);
          queue.push(target.name);
        }
        return [{ ref: target.name }];
      }
    }
  }

  /** Merges single-literal enums into one enum alternative. */
  function convertUnion(raws: RawType[], owner: string): Alt[] {
    const alts = raws.flatMap((r) => convert(r, owner));
    const values = alts.flatMap((a) => (typeof a === 'object' && 'enum' in a ? a.enum : []));
    const rest = alts.filter((a) => !(typeof a === 'object' && 'enum' in a));
    return values.length ? [{ enum: [...new Set(values)] }, ...rest] : rest;
  }

  while (queue.length) {
    const name = queue.shift()!;
    const key = objectKeys.get(name);
    if (!key) throw new Error(`root type ${name} is not in the schema file`);
    const fields: Record<string, FieldShape> = {};
    let object: string | undefined;
    let deleted = false;
    for (const f of schema.objects[key]!) {
      // The SDK marks live objects with `deleted?: void` to discriminate them from Deleted*: never sent.
      if (f.type === 'void') continue;
      const raw = parseType(f.type);
      fields[f.name] = {
        types: convertUnion(raw, name),
        nullable: raw.some((r) => r.k === 'prim' && r.name === 'null'),
        optional: f.optional,
      };
      if (f.name === 'object' && raw.length === 1 && raw[0]!.k === 'str') object = raw[0]!.value;
      if (f.name === 'deleted' && raw.length === 1 && raw[0]!.k === 'prim' && raw[0]!.name === 'true') {
        deleted = true;
      }
    }
    types[name] = { ...(object ? { object } : {}), ...(deleted ? { deleted } : {}), fields };
  }

  const sorted: Record<string, ObjectShape> = {};
  for (const k of Object.keys(types).sort()) sorted[k] = types[k]!;

  const events: Record<string, string> = {};
  for (const [key, fields] of Object.entries(schema.objects)) {
    if (!/^Events\.ts::\w+Event$/.test(key) || key === 'Events.ts::EventBase') continue;
    const type = fields.find((f) => f.name === 'type');
    const data = schema.objects[`${key}.Data`]?.find((f) => f.name === 'object');
    const literal = type ? /^'([^']+)'$/.exec(type.type) : null;
    if (literal && data) events[literal[1]!] = data.type;
  }
  const sortedEvents: Record<string, string> = {};
  for (const k of Object.keys(events).sort()) sortedEvents[k] = events[k]!;

  return {
    apiVersion: schema.api_version,
    source: schema.source,
    roots: [...roots],
    types: sorted,
    events: sortedEvents,
  };
}
