/**
 * Reads the installed `stripe` package's resource declarations (node_modules/stripe/esm/resources/**\/*.d.ts)
 * into the same `{ objects, enums }` layout as the shared schema file, so both can go through compileShapes()
 * and be compared field by field (sdk-diff.ts). Syntax only: no type checking, about a second.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';
import type { SchemaFile } from './compile-shapes.js';

const require = createRequire(import.meta.url);

/** Directory of the installed SDK's ESM resource declarations. */
export function sdkResourcesDir(): string {
  // `stripe/package.json` is not in the package's exports: walk up from its entry point instead.
  let dir = dirname(require.resolve('stripe'));
  while (!existsSync(join(dir, 'esm', 'resources'))) dir = dirname(dir);
  return join(dir, 'esm', 'resources');
}

/** The API version the installed SDK pins (`Stripe.API_VERSION`), read from its declarations. */
export function sdkApiVersion(): string {
  const text = readFileSync(join(sdkResourcesDir(), '..', 'apiVersion.d.ts'), 'utf8');
  const m = /ApiVersion = "([^"]+)"/.exec(text);
  if (!m) throw new Error('cannot read the SDK API version');
  return m[1]!;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.d.ts') ? [join(dir, e.name)] : [],
  );
}

/** Every interface (with its own members, not inherited ones) and type alias, keyed like the schema file. */
export function readSdkTypes(files?: string[]): SchemaFile {
  const root = sdkResourcesDir();
  const objects: SchemaFile['objects'] = {};
  const enums: SchemaFile['enums'] = {};
  for (const file of files ?? walk(root)) {
    const rel = relative(root, file).replace(/\.d\.ts$/, '.ts');
    if (rel.startsWith('V2') || rel.endsWith('index.ts')) continue;
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
    const visit = (node: ts.Node, path: string[]) => {
      if (ts.isModuleDeclaration(node) && node.body && ts.isModuleBlock(node.body)) {
        const next = [...path, node.name.getText(source)];
        node.body.statements.forEach((s) => visit(s, next));
      } else if (ts.isInterfaceDeclaration(node)) {
        const key = `${rel}::${[...path, node.name.text].join('.')}`;
        objects[key] = node.members.filter(ts.isPropertySignature).map((m) => ({
          name: m.name.getText(source),
          optional: Boolean(m.questionToken),
          type: m.type ? m.type.getText(source).replace(/\s+/g, ' ') : 'unknown',
        }));
      } else if (ts.isTypeAliasDeclaration(node)) {
        enums[`${rel}::${[...path, node.name.text].join('.')}`] = node.type
          .getText(source)
          .replace(/\s+/g, ' ');
      }
    };
    source.statements.forEach((s) => visit(s, []));
  }
  return { api_version: sdkApiVersion(), source: `stripe-node ${root}`, objects, enums };
}
