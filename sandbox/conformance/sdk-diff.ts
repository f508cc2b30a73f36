/**
 * Differences between two compiled shape sets, field by field: what overrides.ts must encode so the
 * dahlia field lists match the installed SDK.
 *
 *   npx tsx sandbox/conformance/sdk-diff.ts     # prints schema-file vs installed-SDK differences
 */
import type { Alt, FieldShape, Shapes } from './compile-shapes.js';

export type ShapeDifference =
  | { kind: 'type-added'; type: string }
  | { kind: 'type-removed'; type: string }
  | { kind: 'field-added'; type: string; field: string; shape: FieldShape }
  | { kind: 'field-removed'; type: string; field: string }
  | { kind: 'field-changed'; type: string; field: string; from: FieldShape; to: FieldShape }
  | { kind: 'event-added'; event: string; object: string };

/**
 * Canonical JSON of a field (enum values sorted) so equal shapes compare equal. With `covered`, references to
 * types outside the covered set count as opaque, and all opaque alternatives as one (the validator accepts
 * any object for them, so which out-of-scope type the SDK names, e.g. CustomerSource vs Card | Source, does
 * not matter).
 */
export function canonical(value: FieldShape | Alt[], covered?: (type: string) => boolean): string {
  const norm = (a: unknown): unknown => {
    if (Array.isArray(a)) {
      const items = a.map(norm).map((x) => JSON.stringify(x));
      return [...new Set(items)].map((x) => JSON.parse(x) as unknown);
    }
    if (a && typeof a === 'object') {
      const o = a as Record<string, unknown>;
      if ('enum' in o) return { enum: [...(o.enum as string[])].sort() };
      if ('opaque' in o) return { opaque: '*' };
      if (covered && 'ref' in o && !covered(o.ref as string)) return { opaque: '*' };
      return Object.fromEntries(
        Object.keys(o)
          .sort()
          .map((k) => [k, norm(o[k])]),
      );
    }
    return a;
  };
  return JSON.stringify(norm(value));
}

/**
 * A type is in scope when it, or the resource it belongs to (`Subscription` for `Subscription.StatusDetails`),
 * is one of `from`'s types.
 */
export function coveredBy(shapes: Shapes): (type: string) => boolean {
  return (type) => {
    const parts = type.split('.');
    for (let i = parts.length; i > 0; i--) {
      const prefix = parts.slice(0, i).join('.');
      if (shapes.types[prefix]?.object || (shapes.roots as string[]).includes(prefix)) return true;
    }
    return Boolean(shapes.types[type]);
  };
}

export function diffShapes(from: Shapes, to: Shapes): ShapeDifference[] {
  const out: ShapeDifference[] = [];
  const covered = coveredBy(from);
  const same = (a: FieldShape, b: FieldShape) => canonical(a, covered) === canonical(b, covered);
  for (const type of Object.keys(from.types)) {
    const a = from.types[type]!;
    const b = to.types[type];
    if (!b) {
      out.push({ kind: 'type-removed', type });
      continue;
    }
    for (const field of Object.keys(a.fields)) {
      const fb = b.fields[field];
      if (!fb) out.push({ kind: 'field-removed', type, field });
      else if (!same(a.fields[field]!, fb)) {
        out.push({ kind: 'field-changed', type, field, from: a.fields[field]!, to: fb });
      }
    }
    for (const field of Object.keys(b.fields)) {
      if (!a.fields[field]) out.push({ kind: 'field-added', type, field, shape: b.fields[field]! });
    }
  }
  for (const type of Object.keys(to.types)) {
    if (!from.types[type] && covered(type)) out.push({ kind: 'type-added', type });
  }
  for (const [event, object] of Object.entries(to.events)) {
    if (!from.events[event] && covered(object)) out.push({ kind: 'event-added', event, object });
  }
  return out;
}

/** Human-readable description of an enum change, or a JSON before/after. */
export function describeChange(
  d: Extract<ShapeDifference, { kind: 'field-changed' }>,
  covered?: (type: string) => boolean,
): string {
  const parts: string[] = [];
  if (d.from.optional !== d.to.optional) parts.push(`optional ${d.from.optional} -> ${d.to.optional}`);
  if (d.from.nullable !== d.to.nullable) parts.push(`nullable ${d.from.nullable} -> ${d.to.nullable}`);
  if (canonical(d.from.types, covered) !== canonical(d.to.types, covered)) {
    const enumOf = (ts: Alt[]) => ts.flatMap((t) => (typeof t === 'object' && 'enum' in t ? t.enum : []));
    const ea = enumOf(d.from.types);
    const eb = enumOf(d.to.types);
    const restA = canonical(d.from.types.filter((t) => !(typeof t === 'object' && 'enum' in t)));
    const restB = canonical(d.to.types.filter((t) => !(typeof t === 'object' && 'enum' in t)));
    if (restA === restB && (ea.length || eb.length)) {
      const added = eb.filter((v) => !ea.includes(v));
      const removed = ea.filter((v) => !eb.includes(v));
      if (added.length) parts.push(`enum + ${added.join(', ')}`);
      if (removed.length) parts.push(`enum - ${removed.join(', ')}`);
    } else {
      parts.push(`types ${canonical(d.from.types)} -> ${canonical(d.to.types)}`);
    }
  }
  return parts.join('; ');
}

async function main(): Promise<void> {
  const { readFileSync } = await import('node:fs');
  const { compileShapes } = await import('./compile-shapes.js');
  const { readSdkTypes } = await import('./sdk-types.js');
  const { schemaPath } = await import('./shapes.js');
  const schema = compileShapes(JSON.parse(readFileSync(schemaPath(), 'utf8')));
  const sdk = compileShapes(readSdkTypes());
  for (const d of diffShapes(schema, sdk)) {
    if (d.kind === 'field-changed')
      console.log(`${d.type}.${d.field}: ${describeChange(d, coveredBy(schema))}`);
    else if (d.kind === 'field-added') console.log(`${d.type}.${d.field}: added ${canonical(d.shape)}`);
    else if (d.kind === 'field-removed') console.log(`${d.type}.${d.field}: removed`);
    else if (d.kind === 'event-added') console.log(`event ${d.event}: added (${d.object})`);
    else console.log(`${d.type}: ${d.kind}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
