// Where the test suite finds its PostgreSQL server and Redis.
import { z } from 'zod';
import { loadEnv } from '@chronicle/db';

const testEnvSchema = z.object({
  /** A database on the server tests may use to create and drop their own databases. */
  TEST_DATABASE_ADMIN_URL: z.url().default('postgresql://postgres@127.0.0.1:5432/postgres'),
  TEST_REDIS_URL: z.url().default('redis://127.0.0.1:6379'),
});

export const testEnv = loadEnv(testEnvSchema, process.env);
