// Redis clients for caching and rate limits. They fail fast (no offline queue, a command
// timeout) so callers fall back instead of hanging while Redis is away.
import { Redis } from 'ioredis';
import type { CoreEnv } from './env.ts';
import type { Logger } from './logger.ts';

export type { Redis };

export function createRedis(
  env: Pick<CoreEnv, 'REDIS_KEY_PREFIX' | 'REDIS_COMMAND_TIMEOUT_MS'> & { REDIS_URL: string },
  logger: Logger,
): Redis {
  const redis = new Redis(env.REDIS_URL, {
    keyPrefix: env.REDIS_KEY_PREFIX,
    enableOfflineQueue: false,
    commandTimeout: env.REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 1,
    // Keep trying to come back, at most every 2 s, for as long as the process lives.
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
    lazyConnect: false,
    // Commands issued in the same tick (rate-limit checks and cache reads of concurrent
    // requests) go out in one write: fewer syscalls under load.
    enableAutoPipelining: true,
  });
  let down = false;
  redis.on('error', (error: Error) => {
    if (!down) logger.warn({ err: error.message }, 'redis unavailable; using fallbacks');
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger.info('redis connection restored');
    down = false;
  });
  return redis;
}

/** True when Redis answers a PING within the command timeout. */
export async function pingRedis(redis: Redis): Promise<boolean> {
  try {
    await redis.ping();
    return true;
  } catch {
    return false;
  }
}

/** The Redis for the catalog cache: REDIS_CACHE_URL when set, else the shared client. */
export function createCacheRedis(
  env: Pick<CoreEnv, 'REDIS_CACHE_URL' | 'REDIS_KEY_PREFIX' | 'REDIS_COMMAND_TIMEOUT_MS'>,
  logger: Logger,
  shared: Redis,
): Redis {
  return env.REDIS_CACHE_URL
    ? createRedis({ ...env, REDIS_URL: env.REDIS_CACHE_URL }, logger)
    : shared;
}
