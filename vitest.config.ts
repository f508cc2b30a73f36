import { defineConfig } from 'vitest/config';

// Three projects: unit (no I/O), int (real PostgreSQL + Stripe sandbox), e2e (real Chromium).
// `npm test` runs all three. The global setup (once per run) picks the database server and builds a migrated
// template; each int/e2e file clones its own database from it (test/helpers/db.ts).
const shared = {
  env: { TZ: 'UTC', NODE_ENV: 'test' },
  testTimeout: 30_000,
  hookTimeout: 60_000,
  pool: 'forks' as const,
};

export default defineConfig({
  test: {
    globalSetup: ['./test/global-setup.ts'],
    projects: [
      {
        test: {
          ...shared,
          name: 'unit',
          include: ['src/**/*.test.ts', 'sandbox/**/*.test.ts', 'test/unit/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/*.e2e.test.ts', 'node_modules/**'],
        },
      },
      {
        test: { ...shared, name: 'int', include: ['**/*.int.test.ts'], exclude: ['node_modules/**'] },
      },
      {
        test: {
          ...shared,
          name: 'e2e',
          include: ['**/*.e2e.test.ts'],
          exclude: ['node_modules/**'],
          testTimeout: 60_000,
        },
      },
    ],
  },
});
