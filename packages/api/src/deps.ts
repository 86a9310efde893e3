// What the API needs on top of its process's runtime (database, queue, Redis, catalog cache and
// services, opened by @chronicle/runtime): rate limits, metrics, live order events and stream
// slots. Built in one place, closed in one place.
import { createOrderEvents, type OrderEvents, type ProcessResources } from '@chronicle/core';
import type { ApiEnv } from './env.ts';
import { createApiMetrics, type ApiMetrics } from './http/metrics.ts';
import { createRateLimits, type RateLimits } from './rate-limit/limiters.ts';
import { createStreamSlots, type StreamSlots } from './streams/stream-slots.ts';

export interface ApiDeps extends ProcessResources {
  env: ApiEnv;
  limits: RateLimits;
  metrics: ApiMetrics;
  /** Order status changes heard over LISTEN/NOTIFY, for live order updates. */
  orderEvents: OrderEvents;
  /** Caps on concurrent live streams per user and per IP. */
  streams: StreamSlots;
}

/** `runtime`: the process's resources, as @chronicle/runtime's `openRuntime` returns them. */
export function createApiDeps(env: ApiEnv, runtime: ProcessResources): ApiDeps {
  const { logger, db, redis, catalog } = runtime;
  const metrics = createApiMetrics(db, () => catalog);
  runtime.observe({
    accepted() {
      metrics.ordersAccepted.inc();
    },
    grouped(size) {
      metrics.orderAcceptGroupSize.observe(size);
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
