/**
 * The walls between the parts of src/ (docs/ARCHITECTURE.md), checked on every `npm run lint`:
 * 1. src/ never imports sandbox/ (the Stripe sandbox is a developer tool, started beside the app) — except its one
 *    launcher, src/cli/sandbox.ts;
 * 2. domains never import http/ (the HTTP edge sits above them; only http/ and cli/ may import it);
 * 3. pure policy files import no I/O: at run time they import only other pure policy files (type-only imports are
 *    free, they vanish at compile time);
 * 4. billing never imports analytics (reports read billing's rows; billing does not depend on its readers).
 * Reads each file's import declarations with the TypeScript compiler's parser (no type-check: a second or two).
 * `npx tsx tools/check-walls.ts` prints one line per crossing and exits 1 if there is any.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** Pure policy: plain functions without I/O (exhaustively unit-tested). */
export const POLICY_FILES = [
  'src/accounts/roles/entitled-role.ts',
  'src/accounts/roles/role.ts',
  'src/accounts/password-policy.ts',
  'src/revenue/monthly-amount.ts',
  'src/revenue/classify-movement.ts',
  'src/dunning/dunning-schedule.ts',
  'src/billing/subscriptions/subscription-status.ts',
  'src/inbox/webhooks/dispatch-policy.ts',
  'src/inbox/reconcile/drift-report.ts',
  'src/inbox/reconcile/token-bucket.ts',
  'src/analytics/periods.ts',
  'src/analytics/rates.ts',
  'src/money.ts',
  'src/errors.ts',
];

export interface Crossing {
  file: string;
  imports: string;
  wall: string;
}

interface ImportRef {
  specifier: string;
  typeOnly: boolean;
}

function importsOf(file: string, source: string): ImportRef[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const out: ImportRef[] = [];
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
      const c = st.importClause;
      const typeOnly =
        !!c &&
        (c.isTypeOnly ||
          (!c.name &&
            !!c.namedBindings &&
            ts.isNamedImports(c.namedBindings) &&
            c.namedBindings.elements.length > 0 &&
            c.namedBindings.elements.every((e) => e.isTypeOnly)));
      out.push({ specifier: st.moduleSpecifier.text, typeOnly });
    } else if (ts.isExportDeclaration(st) && st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier)) {
      out.push({ specifier: st.moduleSpecifier.text, typeOnly: st.isTypeOnly });
    }
  }
  // Dynamic imports anywhere in the file.
  const visit = (n: ts.Node) => {
    if (
      ts.isCallExpression(n) &&
      n.expression.kind === ts.SyntaxKind.ImportKeyword &&
      n.arguments[0] &&
      ts.isStringLiteral(n.arguments[0])
    )
      out.push({ specifier: n.arguments[0].text, typeOnly: false });
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/** Repository-relative path of a relative import (`.js` written for `.ts` files); null for packages. */
function resolve(file: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const p = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
  return p.endsWith('.js') ? `${p.slice(0, -3)}.ts` : p;
}

const under = (p: string, dir: string) => p === dir || p.startsWith(`${dir}/`);

/** Every crossing in `files` (repository-relative path → source text). */
export function checkWalls(files: ReadonlyMap<string, string>): Crossing[] {
  const policy = new Set(POLICY_FILES);
  const out: Crossing[] = [];
  for (const [file, source] of files) {
    if (!under(file, 'src')) continue;
    for (const ref of importsOf(file, source)) {
      const target = resolve(file, ref.specifier);
      const cross = (wall: string) => out.push({ file, imports: ref.specifier, wall });
      if (target && under(target, 'sandbox') && file !== 'src/cli/sandbox.ts')
        cross('src/ never imports sandbox/');
      if (target && under(target, 'src/http') && !under(file, 'src/http') && !under(file, 'src/cli'))
        cross('domains never import http/');
      if (target && under(file, 'src/billing') && under(target, 'src/analytics'))
        cross('billing never imports analytics');
      if (policy.has(file) && !ref.typeOnly && !(target && policy.has(target)))
        cross('pure policy files import no I/O (only other policy files, or types)');
    }
  }
  return out;
}

function main(): void {
  const root = path.resolve(import.meta.dirname, '..');
  const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', 'src'], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((f) => /\.tsx?$/.test(f));
  const files = new Map<string, string>();
  for (const f of listed) {
    try {
      files.set(f, readFileSync(path.join(root, f), 'utf8'));
    } catch {
      // listed but deleted in the work tree
    }
  }
  for (const p of POLICY_FILES) if (!files.has(p)) console.error(`check-walls: policy file ${p} not found`);
  const crossings = checkWalls(files);
  for (const c of crossings) console.error(`${c.file}: imports ${c.imports} — ${c.wall}`);
  if (crossings.length > 0 || POLICY_FILES.some((p) => !files.has(p))) process.exit(1);
  console.log(`check-walls: ${files.size} files, no wall crossed`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) main();
