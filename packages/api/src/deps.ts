// The long-lived resources one API process holds, created and closed in one place.
import { createDb, type Db } from '@chronicle/db';
import {
  createCatalogCache,
  type CatalogCache,
  createLogger,
  createQueue,
  createRedis,
  ensureOrderQueues,
  type Logger,
  type PgBoss,
  type Redis,
} from '@chronicle/core';
import type { ApiEnv } from './env.ts';
import { createRateLimits, type RateLimits } from './rate-limit/limiters.ts';

export interface ApiDeps {
  env: ApiEnv;
  logger: Logger;
  db: Db;
  redis: Redis;
  queue: PgBoss;
  catalog: CatalogCache;
  limits: RateLimits;
}

export async function createApiDeps(
  env: ApiEnv,
  logger = createLogger(env, 'api'),
): Promise<ApiDeps> {
  const db = createDb(env, {
    applicationName: 'chronicle-api',
    onPoolError: (error) => {
      logger.warn({ err: error.message }, 'idle database connection failed');
    },
  });
  const redis = createRedis(env, logger);
  // The API only enqueues; maintenance and scheduling belong to the workers.
  const queue = createQueue(env, logger, { supervise: false, schedule: false });
  await queue.start();
  await ensureOrderQueues(queue, env);
  const catalog = createCatalogCache({ db, redis, logger, env });
  const limits = createRateLimits(redis, env);
  return { env, logger, db, redis, queue, catalog, limits };
}

export async function closeApiDeps(deps: ApiDeps): Promise<void> {
  await Promise.allSettled([
    deps.queue.stop({ graceful: false, close: true, timeout: 1_000 }),
    deps.db.$disconnect(),
    deps.redis.quit().catch(() => {
      deps.redis.disconnect();
    }),
  ]);
}
