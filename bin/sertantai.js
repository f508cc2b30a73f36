#!/usr/bin/env node
// Runs the TypeScript CLI through tsx so `npx sertantai …` works without a build step.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const res = spawnSync(tsx, [path.join(root, 'src', 'cli', 'main.ts'), ...process.argv.slice(2)], {
  stdio: 'inherit',
});
process.exit(res.status ?? 1);
