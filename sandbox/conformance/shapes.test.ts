import { existsSync, readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderShapes } from './build-shapes.js';
import { compileShapes, ROOT_TYPES, type SchemaFile } from './compile-shapes.js';
import { committedShapesPath, readCommittedShapes, schemaPath } from './shapes.js';

describe('the committed shapes.json', () => {
  it('is small', () => {
    expect(statSync(committedShapesPath()).size).toBeLessThan(500_000);
  });

  it('holds every root type', () => {
    const shapes = readCommittedShapes();
    for (const root of ROOT_TYPES) expect(shapes.types[root], root).toBeDefined();
    expect(shapes.types['Subscription']?.fields['status']).toEqual({
      types: [
        {
          enum: [
            'active',
            'canceled',
            'incomplete',
            'incomplete_expired',
            'past_due',
            'paused',
            'trialing',
            'unpaid',
          ],
        },
      ],
      nullable: false,
      optional: false,
    });
  });

  // CI has ../shared beside the repository; a clone without it relies on the committed copy alone.
  it('is what build-shapes.ts writes from the shared schema file (regenerate it when this fails)', async () => {
    const path = schemaPath();
    if (!existsSync(path)) {
      expect(readCommittedShapes().apiVersion).toBe('2026-07-29.dahlia');
      return;
    }
    const compiled = compileShapes(JSON.parse(readFileSync(path, 'utf8')) as SchemaFile);
    expect(readFileSync(committedShapesPath(), 'utf8')).toBe(await renderShapes(compiled));
    expect(readCommittedShapes()).toEqual(compiled);
  });
});
