/**
 * The shapes the validator checks against: compiled from the shared schema file when it sits beside the
 * repository (../shared/stripe/, as in CI), otherwise the committed copy shapes.json (build-shapes.ts
 * regenerates it; a test keeps the two equal). The SDK overrides (overrides.ts) are applied by the caller.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileShapes, type FieldShape, type SchemaFile, type Shapes } from './compile-shapes.js';

const here = dirname(fileURLToPath(import.meta.url));

export const SCHEMA_FILE = 'schema.2026-07-29.dahlia.from-stripe-node.json';

/** `<repo>/../shared/stripe/<schema file>`. */
export function schemaPath(): string {
  return join(here, '..', '..', '..', 'shared', 'stripe', SCHEMA_FILE);
}

export function committedShapesPath(): string {
  return join(here, 'shapes.json');
}

let cached: { shapes: Shapes; from: 'schema' | 'committed' } | undefined;

/** Compiled dahlia shapes and where they came from. Cached for the process. */
export function loadShapes(): { shapes: Shapes; from: 'schema' | 'committed' } {
  if (cached) return cached;
  const path = schemaPath();
  cached = existsSync(path)
    ? { shapes: compileShapes(JSON.parse(readFileSync(path, 'utf8')) as SchemaFile), from: 'schema' }
    : { shapes: readCommittedShapes(), from: 'committed' };
  return cached;
}

/** shapes.json with the `nullable`/`optional` flags it leaves out when false filled back in. */
export function readCommittedShapes(): Shapes {
  return JSON.parse(readFileSync(committedShapesPath(), 'utf8'), (key, value: unknown) => {
    if (key === 'types' && Array.isArray(value)) return value;
    if (
      value &&
      typeof value === 'object' &&
      'types' in value &&
      Array.isArray((value as FieldShape).types)
    ) {
      const f = value as Partial<FieldShape> & { types: FieldShape['types'] };
      return { types: f.types, nullable: f.nullable ?? false, optional: f.optional ?? false };
    }
    return value;
  }) as Shapes;
}
