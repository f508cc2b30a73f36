import { describe, expect, it } from 'vitest';
import { checkWalls } from '../../tools/check-walls.js';

const walls = (files: Record<string, string>) =>
  checkWalls(new Map(Object.entries(files))).map((c) => `${c.file} -> ${c.imports}: ${c.wall}`);

describe('tools/check-walls (npm run lint)', () => {
  it('names an import of sandbox/ from src/', () => {
    expect(
      walls({ 'src/billing/plans/create-plan.ts': "import { x } from '../../../sandbox/index.js';" }),
    ).toEqual(['src/billing/plans/create-plan.ts -> ../../../sandbox/index.js: src/ never imports sandbox/']);
  });

  it('names a domain importing http/, a dynamic import too', () => {
    expect(
      walls({
        'src/dunning/open-dunning-case.ts': "import { requireAdmin } from '../http/guards.js';",
        'src/billing/x.ts': "const m = await import('../http/app.js');",
      }),
    ).toEqual([
      'src/dunning/open-dunning-case.ts -> ../http/guards.js: domains never import http/',
      'src/billing/x.ts -> ../http/app.js: domains never import http/',
    ]);
  });

  it('names billing importing analytics', () => {
    expect(
      walls({ 'src/billing/me/my-billing.ts': "import { a } from '../../analytics/periods.js';" }),
    ).toEqual([
      'src/billing/me/my-billing.ts -> ../../analytics/periods.js: billing never imports analytics',
    ]);
  });

  it('names a pure policy file importing I/O, and lets it import types and other policy files', () => {
    expect(
      walls({
        'src/revenue/monthly-amount.ts': [
          "import { sql } from 'drizzle-orm';",
          "import type { Executor } from '../db/client.js';",
          "import { type Tx } from '../db/client.js';",
          "import { divRound } from '../money.js';",
        ].join('\n'),
      }),
    ).toEqual([
      'src/revenue/monthly-amount.ts -> drizzle-orm: pure policy files import no I/O (only other policy files, or types)',
    ]);
  });

  it('allows the edges: http/ and cli/ import http/, the sandbox launcher imports sandbox/', () => {
    expect(
      walls({
        'src/http/app.ts': "import { g } from './guards.js';",
        'src/cli/start.ts': "import { buildApp } from '../http/app.js';",
        'src/cli/sandbox.ts': "import { startSandbox } from '../../sandbox/index.js';",
      }),
    ).toEqual([]);
  });
});
