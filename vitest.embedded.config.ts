// `pnpm test:embedded`: the order and catalog integration tests against an embedded PostgreSQL
// (test/embedded/global-setup.ts) instead of the machine's, proving the zero-infrastructure
// database behaves like a real one. Redis is still the test Redis (those tests exercise it).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'embedded',
    include: [
      'test/orders.test.ts',
      'test/order-faults.test.ts',
      'test/live-orders.test.ts',
      'apps/api/test/product.test.ts',
      'test/embedded/*.check.ts',
    ],
    globalSetup: ['test/embedded/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
