// Where the test suite finds its PostgreSQL server and Redis.
import { z } from 'zod';
import { loadEnv } from '@chronicle/db';

const testEnvSchema = z.object({
  /** A database on the server tests may use to create and drop their own databases. */
  TEST_DATABASE_ADMIN_URL: z.url().default('postgresql://postgres@127.0.0.1:5432/postgres'),
  TEST_REDIS_URL: z.url().default('redis://127.0.0.1:6379'),
  /**
   * Set by the test run's global setup (global-setup.ts): names this run's template and test
   * databases, so concurrent runs on one server never share or drop each other's.
   */
  TEST_RUN_ID: z.coerce.number().int().min(1).max(2_147_483_647).optional(),
});

export const testEnv = loadEnv(testEnvSchema, process.env);
