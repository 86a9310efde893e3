// What the API needs on top of its process's runtime (database, queue, Redis, catalog cache and
// services, opened by @chronicle/runtime): rate limits, metrics, live order events and stream
// slots. Built in one place, closed in one place.
import type { Db } from '@chronicle/db';
import {
  createOrderEvents,
  type CatalogCache,
  type Logger,
  type OrderEvents,
  type OrderObserver,
  type PgBoss,
  type Redis,
  type Services,
} from '@chronicle/core';
import type { ApiEnv } from './env.ts';
import { createApiMetrics, type ApiMetrics } from './http/metrics.ts';
import { createRateLimits, type RateLimits } from './rate-limit/limiters.ts';
import { createStreamSlots, type StreamSlots } from './streams/stream-slots.ts';

/** The process's shared resources, as @chronicle/runtime's `openRuntime` returns them. */
export interface ApiRuntime {
  logger: Logger;
  db: Db;
  /** Rate limits and readiness; undefined in local mode (no REDIS_URL: all in this process). */
  redis: Redis | undefined;
  /** The catalog cache (the same client unless REDIS_CACHE_URL is set); undefined in local mode. */
  cacheRedis: Redis | undefined;
  queue: PgBoss;
  catalog: CatalogCache;
  services: Services;
  observe(observer: OrderObserver): void;
}

export interface ApiDeps extends ApiRuntime {
  env: ApiEnv;
  limits: RateLimits;
  metrics: ApiMetrics;
  /** Order status changes heard over LISTEN/NOTIFY, for live order updates. */
  orderEvents: OrderEvents;
  /** Caps on concurrent live streams per user and per IP. */
  streams: StreamSlots;
}

export function createApiDeps(env: ApiEnv, runtime: ApiRuntime): ApiDeps {
  const { logger, db, redis, catalog } = runtime;
  const metrics = createApiMetrics(db, () => catalog);
  runtime.observe({
    accepted() {
      metrics.ordersAccepted.inc();
    },
    finished(status) {
      metrics.ordersFinished.inc({ status });
    },
  });
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
  return { ...runtime, env, limits, metrics, orderEvents, streams };
}

/** Closes what createApiDeps opened (the runtime is closed by its owner). */
export async function closeApiDeps(deps: ApiDeps): Promise<void> {
  await deps.orderEvents.close();
}
