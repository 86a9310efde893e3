// A worker process: takes order jobs from pg-boss and fulfils them (see fulfilOrders), and
// turns jobs that exhausted their retries into FAILED orders.
import type { Job, JobResult } from 'pg-boss';
import { ConfigError, createDb, type Db } from '@chronicle/db';
import {
  createCatalogCache,
  redisCacheStore,
  createLogger,
  createQueue,
  createRedis,
  ensureOrderQueues,
  failOrder,
  fulfilOrders,
  type FulfilmentOutcome,
  ORDER_DEAD_LETTER_QUEUE,
  ORDER_QUEUE,
  serveMetrics,
  type CatalogCache,
  type Logger,
  type OrderJob,
  type PgBoss,
  type Redis,
} from '@chronicle/core';
import type { WorkerEnv } from './env.ts';
import { createWorkerMetrics, type WorkerMetrics } from './metrics.ts';

export interface Worker {
  logger: Logger;
  db: Db;
  /** The cache's Redis; undefined when the worker shares its process's catalog cache. */
  redis: Redis | undefined;
  queue: PgBoss;
  catalog: CatalogCache;
  metrics: WorkerMetrics;
  /** Port of the /metrics and /healthz server (undefined when it serves none). */
  metricsPort: number | undefined;
  /** Stops taking jobs, lets in-flight ones finish (bounded), closes every pool. */
  stop(): Promise<void>;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const seconds = (since: Date) => (Date.now() - since.getTime()) / 1000;

interface OrderJobDeps {
  db: Db;
  catalog: CatalogCache;
  logger: Logger;
  metrics: WorkerMetrics;
}

function record(
  outcome: FulfilmentOutcome,
  job: Job<OrderJob>,
  deps: OrderJobDeps,
  batched: number,
): JobResult {
  if (outcome.kind !== 'SKIPPED') {
    deps.metrics.ordersFinished.inc({ status: outcome.kind });
    deps.metrics.orderLatency.observe({ status: outcome.kind }, seconds(outcome.createdAt));
  }
  deps.logger.info(
    {
      jobId: job.id,
      orderId: job.data.orderId,
      outcome: outcome.kind,
      batched,
      ...(outcome.kind === 'REJECTED' ? { reason: outcome.reason } : {}),
    },
    'order processed',
  );
  return { id: job.id, status: 'completed', output: { outcome: outcome.kind } };
}

/** fulfilOrders answers for every id it is given; this is only the type's fallback. */
const MISSING: FulfilmentOutcome = { kind: 'SKIPPED', status: 'MISSING' };

/**
 * A batch of order jobs: one transaction for all of them (fulfilOrders). Should that fail, each
 * order is retried alone (fulfilOrders with that one id: the same rules, one order), so one order
 * that cannot be processed fails only its own job — pg-boss retries it with backoff, and
 * dead-letters it in the end — and never holds up the others.
 */
export async function handleOrderJobs(
  jobs: Job<OrderJob>[],
  deps: OrderJobDeps,
): Promise<JobResult[]> {
  try {
    const outcomes = await fulfilOrders(
      deps.db,
      jobs.map((job) => job.data.orderId),
    );
    const confirmed = [...outcomes.values()].flatMap((o) =>
      o.kind === 'CONFIRMED' ? o.productIds : [],
    );
    await deps.catalog.invalidateProducts([...new Set(confirmed)]);
    const seen = new Set<string>();
    const results = jobs.map((job) => {
      // A duplicate job in the same batch: its order was settled by the first one.
      const outcome = seen.has(job.data.orderId)
        ? ({ kind: 'SKIPPED', status: 'DUPLICATE' } as const)
        : (outcomes.get(job.data.orderId) ?? MISSING);
      seen.add(job.data.orderId);
      return record(outcome, job, deps, jobs.length);
    });
    deps.logger.debug(
      {
        jobs: jobs.length,
        confirmed: [...outcomes.values()].filter((o) => o.kind === 'CONFIRMED').length,
        rejected: [...outcomes.values()].filter((o) => o.kind === 'REJECTED').length,
      },
      'order batch processed',
    );
    return results;
  } catch (error) {
    if (jobs.length > 1) {
      deps.logger.warn(
        { err: message(error), jobs: jobs.length },
        'order batch failed; one by one',
      );
    }
  }
  const results: JobResult[] = [];
  for (const job of jobs) {
    const log = deps.logger.child({ jobId: job.id, orderId: job.data.orderId });
    try {
      const outcomes = await fulfilOrders(deps.db, [job.data.orderId]);
      const outcome = outcomes.get(job.data.orderId) ?? MISSING;
      if (outcome.kind === 'CONFIRMED') await deps.catalog.invalidateProducts(outcome.productIds);
      results.push(record(outcome, job, deps, 1));
    } catch (error) {
      // Transient (connection lost, timeout, …): pg-boss retries it with backoff.
      log.warn({ err: message(error) }, 'order processing failed; will retry');
      results.push({ id: job.id, status: 'failed', output: { message: message(error) } });
    }
  }
  return results;
}

async function handleDeadOrderJobs(
  jobs: Job<OrderJob>[],
  deps: { db: Db; logger: Logger; retryLimit: number; metrics: WorkerMetrics },
): Promise<JobResult[]> {
  const results: JobResult[] = [];
  for (const job of jobs) {
    const log = deps.logger.child({ jobId: job.id, orderId: job.data.orderId });
    try {
      const createdAt = await failOrder(
        deps.db,
        job.data.orderId,
        `Processing kept failing after ${deps.retryLimit + 1} attempts`,
      );
      if (createdAt) {
        deps.metrics.ordersFinished.inc({ status: 'FAILED' });
        deps.metrics.orderLatency.observe({ status: 'FAILED' }, seconds(createdAt));
      }
      log.error(
        { failed: createdAt !== null },
        'order job exhausted its retries; order marked FAILED',
      );
      results.push({ id: job.id, status: 'completed' });
    } catch (error) {
      log.warn({ err: message(error) }, 'could not mark order FAILED yet; will retry');
      results.push({ id: job.id, status: 'failed', output: { message: message(error) } });
    }
  }
  return results;
}

export interface WorkerOptions {
  /**
   * Local mode (no REDIS_URL): the API process runs the worker and hands it its own in-process
   * catalog cache, so stock changes invalidate what the API serves. The worker then serves no
   * metrics port of its own.
   */
  catalog?: CatalogCache;
}

export async function startWorker(
  env: WorkerEnv,
  logger = createLogger(env, 'worker'),
  options: WorkerOptions = {},
): Promise<Worker> {
  const db = createDb(env, {
    applicationName: 'chronicle-worker',
    onPoolError: (error) => {
      logger.warn({ err: error.message }, 'idle database connection failed');
    },
  });
  // The worker only invalidates the catalog cache after stock changes: the one it was handed
  // (local mode), or the Redis the API reads through.
  let redis: Redis | undefined;
  let catalog: CatalogCache;
  if (options.catalog) {
    catalog = options.catalog;
  } else {
    const redisUrl = env.REDIS_CACHE_URL ?? env.REDIS_URL;
    if (!redisUrl) {
      await db.$disconnect();
      throw new ConfigError(
        'REDIS_URL is not set. A separate worker process needs the Redis the API uses, to invalidate its catalog cache. Without Redis, run the API alone: it fulfils orders in its own process (local mode).',
      );
    }
    redis = createRedis({ ...env, REDIS_URL: redisUrl }, logger);
    catalog = createCatalogCache({ db, store: redisCacheStore(redis), logger, env });
  }
  const metrics = createWorkerMetrics(db);
  // Workers run pg-boss maintenance (expiring stuck jobs, retention); many may run at once.
  const queue = createQueue(env, logger, {
    supervise: true,
    schedule: false,
    superviseIntervalSeconds: env.WORKER_SUPERVISE_INTERVAL_SECONDS,
  });
  await queue.start();
  await ensureOrderQueues(queue, env);
  const polling = {
    batchSize: env.WORKER_BATCH_SIZE,
    pollingIntervalSeconds: env.WORKER_POLL_INTERVAL_SECONDS,
    localConcurrency: env.WORKER_CONCURRENCY,
    perJobResults: true,
    // While fetches come back full there is a backlog: fetch again at once instead of waiting
    // out the polling interval (what bounds a flash sale otherwise).
    burstWhenBatchFull: true,
  } as const;
  await queue.work<OrderJob>(ORDER_QUEUE, polling, (jobs) =>
    handleOrderJobs(jobs, { db, catalog, logger, metrics }),
  );
  await queue.work<OrderJob>(ORDER_DEAD_LETTER_QUEUE, { ...polling, localConcurrency: 1 }, (jobs) =>
    handleDeadOrderJobs(jobs, { db, logger, metrics, retryLimit: env.ORDER_JOB_RETRY_LIMIT }),
  );
  const http = options.catalog
    ? undefined
    : await serveMetrics(metrics.registry, env.WORKER_METRICS_PORT);
  logger.info(
    {
      concurrency: env.WORKER_CONCURRENCY,
      batchSize: env.WORKER_BATCH_SIZE,
      metricsPort: http?.port,
      cache: options.catalog ? 'shared with this process' : 'redis',
    },
    'worker started',
  );

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await queue.stop({ graceful: true, close: true, timeout: env.WORKER_SHUTDOWN_TIMEOUT_MS });
      http?.server.close();
      await Promise.allSettled([
        db.$disconnect(),
        redis?.quit().catch(() => {
          redis.disconnect();
        }),
      ]);
      logger.info('worker stopped');
    })();
    return stopping;
  };
  return { logger, db, redis, queue, catalog, metrics, metricsPort: http?.port, stop };
}
