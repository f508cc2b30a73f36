/**
 * Regenerates sandbox/conformance/shapes.json, the committed copy of the parts of Stripe's field lists the
 * validator needs, so a clone without ../shared/stripe/ still validates:
 *
 *   npx tsx sandbox/conformance/build-shapes.ts [path/to/schema.2026-07-29.dahlia.from-stripe-node.json]
 *
 * (default: ../shared/stripe/ beside the repository). shapes.test.ts fails when the committed file differs
 * from what this script would write. The SDK overrides (overrides.ts) are not baked in: they are applied at
 * load time, so the file stays a faithful copy of the dahlia schema.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as prettier from 'prettier';
import { compileShapes, type SchemaFile, type Shapes } from './compile-shapes.js';
import { committedShapesPath, schemaPath } from './shapes.js';

/** shapes.json text: `nullable`/`optional` left out when false, formatted like the rest of the repo. */
export async function renderShapes(shapes: Shapes): Promise<string> {
  const json = JSON.stringify(shapes, (key, value: unknown) =>
    (key === 'nullable' || key === 'optional') && value === false ? undefined : value,
  );
  return prettier.format(json, { parser: 'json', printWidth: 110 });
}

async function main(): Promise<void> {
  const path = process.argv[2] ?? schemaPath();
  const shapes = compileShapes(JSON.parse(readFileSync(path, 'utf8')) as SchemaFile);
  const text = await renderShapes(shapes);
  writeFileSync(committedShapesPath(), text);
  console.log(
    `wrote ${committedShapesPath()}: ${Object.keys(shapes.types).length} types, ${text.length} bytes`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
