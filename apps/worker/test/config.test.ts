// A separate worker needs the Redis the API caches in; without one it refuses to start, saying
// why (in local mode the API runs the worker itself).
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '@chronicle/testing';
import { loadWorkerEnv, startWorker } from '@chronicle/runtime';

describe('worker configuration', () => {
  it('refuses to run as a separate process without REDIS_URL', async () => {
    const database = await createTestDatabase();
    try {
      const env = loadWorkerEnv({ DATABASE_URL: database.url, LOG_LEVEL: 'silent' });
      await expect(startWorker(env)).rejects.toThrow(
        /REDIS_URL is not set.*run the API alone: it fulfils orders in its own process/,
      );
    } finally {
      await database.drop();
    }
  });
});
