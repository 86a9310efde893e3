// `pnpm test:unit`: the unit layer alone — the projects that need no PostgreSQL and no Redis.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { projects: ['packages/core/vitest.config.ts', 'packages/api/vitest.config.ts'] },
});
