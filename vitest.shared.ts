// Settings every package's test project shares. Integration tests talk to the real
// PostgreSQL and Redis, so they get generous timeouts; nothing here waits on a fixed sleep.
import path from 'node:path';
import { defineProject } from 'vitest/config';

/** Names and drops the run's databases; shared so a package's tests run alone clean up too. */
export const databasesGlobalSetup = path.join(
  import.meta.dirname,
  'packages/testing/src/global-setup.ts',
);

export function chronicleProject(name: string) {
  return defineProject({
    test: {
      name,
      include: ['test/**/*.test.ts'],
      testTimeout: 30_000,
      hookTimeout: 60_000,
      pool: 'forks',
      globalSetup: [databasesGlobalSetup],
    },
  });
}

/** A project of unit tests: no PostgreSQL, no Redis, so no database global setup either. */
export function chronicleUnitProject(name: string) {
  const { test } = chronicleProject(name);
  // Pure functions: one worker thread for every file, no per-file process.
  return defineProject({ test: { ...test, globalSetup: [], pool: 'threads', isolate: false } });
}
