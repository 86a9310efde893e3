// Settings every package's test project shares. Integration tests talk to the real
// PostgreSQL and Redis, so they get generous timeouts; nothing here waits on a fixed sleep.
import { defineProject } from 'vitest/config';

export function chronicleProject(name: string) {
  return defineProject({
    test: {
      name,
      include: ['test/**/*.test.ts'],
      testTimeout: 30_000,
      hookTimeout: 60_000,
      pool: 'forks',
    },
  });
}
