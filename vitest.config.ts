// The whole suite: every workspace package that has a vitest.config.ts is a project.
import { defineConfig } from 'vitest/config';
import { databasesGlobalSetup } from './vitest.shared.ts';

export default defineConfig({
  test: {
    // Once for the whole run, after every project: the projects share one template database.
    globalSetup: [databasesGlobalSetup],
    projects: [
      'packages/*/vitest.config.ts',
      'apps/*/vitest.config.ts',
      {
        // Whole-system tests of the root scripts (pnpm start, …).
        test: {
          name: 'system',
          include: ['test/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          pool: 'forks',
        },
      },
    ],
  },
});
