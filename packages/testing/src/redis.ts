// A Redis key prefix of its own for each test file, removed afterwards.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { testEnv } from './env.ts';

export interface TestRedis {
  url: string;
  prefix: string;
  cleanup(): Promise<void>;
}

/** Deletes every key under `prefix` (SCAN + DEL in pages, never KEYS). */
export async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export function createTestRedis(): TestRedis {
  const prefix = `chronicle-test:${randomBytes(6).toString('hex')}:`;
  return {
    url: testEnv.TEST_REDIS_URL,
    prefix,
    cleanup: () => deleteRedisKeys(testEnv.TEST_REDIS_URL, prefix),
  };
}
