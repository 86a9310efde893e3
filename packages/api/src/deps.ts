// The long-lived resources one API process holds, created and closed in one place.
import { createDb, type Db } from '@chronicle/db';
import {
  createCatalogCache,
  type CatalogCache,
  createLogger,
  createQueue,
  createCacheRedis,
  createOrderEvents,
  createRedis,
  ensureOrderQueues,
  memoryCacheStore,
  redisCacheStore,
  type Logger,
  type OrderEvents,
  type PgBoss,
  type Redis,
} from '@chronicle/core';
import type { ApiEnv } from './env.ts';
import { createApiMetrics, type ApiMetrics } from './http/metrics.ts';
import { createRateLimits, type RateLimits } from './rate-limit/limiters.ts';
import { createStreamSlots, type StreamSlots } from './streams/stream-slots.ts';

export interface ApiDeps {
  env: ApiEnv;
  logger: Logger;
  db: Db;
  /** Rate limits and readiness; undefined in local mode (no REDIS_URL: all in this process). */
  redis: Redis | undefined;
  /** The catalog cache (the same client unless REDIS_CACHE_URL is set); undefined in local mode. */
  cacheRedis: Redis | undefined;
  queue: PgBoss;
  catalog: CatalogCache;
  limits: RateLimits;
  metrics: ApiMetrics;
  /** Order status changes heard over LISTEN/NOTIFY, for live order updates. */
  orderEvents: OrderEvents;
  /** Caps on concurrent live streams per user and per IP. */
  streams: StreamSlots;
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
  // Without REDIS_URL, rate limits and the catalog cache live in this process's memory (local
  // mode: one process, which then also runs the worker — see main.ts).
  const redis = env.REDIS_URL
    ? createRedis({ ...env, REDIS_URL: env.REDIS_URL }, logger)
    : undefined;
  // The API only enqueues; maintenance and scheduling belong to the workers.
  const queue = createQueue(env, logger, { supervise: false, schedule: false });
  await queue.start();
  await ensureOrderQueues(queue, env);
  const cacheRedis = redis && createCacheRedis(env, logger, redis);
  const catalog = createCatalogCache({
    db,
    store: cacheRedis ? redisCacheStore(cacheRedis) : memoryCacheStore(),
    logger,
    env,
  });
  const metrics = createApiMetrics(db, () => catalog);
  const limits = createRateLimits(redis, env, (limit) => {
    metrics.rateLimited.inc({ limit });
  });
  const orderEvents = createOrderEvents({
    connectionString: env.DATABASE_URL,
    logger,
    connectTimeoutMs: env.DATABASE_CONNECT_TIMEOUT_MS,
  });
  const streams = createStreamSlots(
    redis,
    { perUser: env.STREAMS_PER_USER_MAX, perIp: env.STREAMS_PER_IP_MAX },
    logger,
  );
  return {
    env,
    logger,
    db,
    redis,
    cacheRedis,
    queue,
    catalog,
    limits,
    metrics,
    orderEvents,
    streams,
  };
}

export async function closeApiDeps(deps: ApiDeps): Promise<void> {
  await Promise.allSettled([
    deps.orderEvents.close(),
    deps.queue.stop({ graceful: false, close: true, timeout: 1_000 }),
    deps.db.$disconnect(),
    ...[...new Set([deps.redis, deps.cacheRedis])].map((client) =>
      client?.quit().catch(() => {
        client.disconnect();
      }),
    ),
  ]);
}
