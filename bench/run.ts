/**
 * `npm run bench [name…]`: runs the named benchmarks (bench/<name>.ts), or every one when no name is given, each in
 * its own process. Each prints one JSON object per figure on stdout (docs/DESIGN.md §9).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const helpers = new Set(['run']);
const all = fs
  .readdirSync(new URL('.', import.meta.url))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .map((f) => f.slice(0, -3))
  .filter((n) => !helpers.has(n) && !n.endsWith('-server') && !n.startsWith('_'));
const names = process.argv.slice(2).length ? process.argv.slice(2) : all;
let failed = 0;
for (const name of names) {
  if (!all.includes(name)) {
    console.error(`unknown benchmark "${name}" (have: ${all.join(', ')})`);
    process.exit(2);
  }
  const r = spawnSync(process.execPath, ['--import', 'tsx', `bench/${name}.ts`], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
