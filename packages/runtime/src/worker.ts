// Order fulfilment on pg-boss: the job handlers (see fulfilOrders) and the worker that runs
// them, in a worker process or, in local mode, inside the API process on the API's runtime.
import type { Job, JobResult } from 'pg-boss';
import {
  createLogger,
  type FulfilmentOutcome,
  ORDER_DEAD_LETTER_QUEUE,
  ORDER_QUEUE,
  serveMetrics,
  type Logger,
  type OrderJob,
  type Services,
} from '@chronicle/core';
import { openRuntime, type Runtime } from './runtime.ts';
import type { WorkerEnv } from './env.ts';
import { createWorkerMetrics, type WorkerMetrics } from './worker-metrics.ts';

export interface Worker extends Runtime {
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

/** What the job handlers need: the services (which own cache invalidation and metrics) and a logger. */
export interface OrderJobDeps {
  services: Services;
  logger: Logger;
}

function record(
  outcome: FulfilmentOutcome,
  job: Job<OrderJob>,
  logger: Logger,
  batched: number,
): JobResult {
  logger.info(
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
 * order is retried alone (the same path with that one id: the same rules, one order), so one
 * order that cannot be processed fails only its own job — pg-boss retries it with backoff, and
 * dead-letters it in the end — and never holds up the others.
 */
export async function handleOrderJobs(
  jobs: Job<OrderJob>[],
  { services, logger }: OrderJobDeps,
): Promise<JobResult[]> {
  try {
    const outcomes = await services.orders.fulfil(jobs.map((job) => job.data.orderId));
    const seen = new Set<string>();
    const results = jobs.map((job) => {
      // A duplicate job in the same batch: its order was settled by the first one.
      const outcome = seen.has(job.data.orderId)
        ? ({ kind: 'SKIPPED', status: 'DUPLICATE' } as const)
        : (outcomes.get(job.data.orderId) ?? MISSING);
      seen.add(job.data.orderId);
      return record(outcome, job, logger, jobs.length);
    });
    const kinds = [...outcomes.values()].map((o) => o.kind);
    logger.debug(
      {
        jobs: jobs.length,
        confirmed: kinds.filter((kind) => kind === 'CONFIRMED').length,
        rejected: kinds.filter((kind) => kind === 'REJECTED').length,
      },
      'order batch processed',
    );
    return results;
  } catch (error) {
    if (jobs.length > 1) {
      logger.warn({ err: message(error), jobs: jobs.length }, 'order batch failed; one by one');
    }
  }
  const results: JobResult[] = [];
  for (const job of jobs) {
    try {
      const outcomes = await services.orders.fulfil([job.data.orderId]);
      results.push(record(outcomes.get(job.data.orderId) ?? MISSING, job, logger, 1));
    } catch (error) {
      // Transient (connection lost, timeout, …): pg-boss retries it with backoff.
      logger
        .child({ jobId: job.id, orderId: job.data.orderId })
        .warn({ err: message(error) }, 'order processing failed; will retry');
      results.push({ id: job.id, status: 'failed', output: { message: message(error) } });
    }
  }
  return results;
}

async function handleDeadOrderJobs(
  jobs: Job<OrderJob>[],
  { services, logger }: OrderJobDeps,
  retryLimit: number,
): Promise<JobResult[]> {
  const results: JobResult[] = [];
  for (const job of jobs) {
    const log = logger.child({ jobId: job.id, orderId: job.data.orderId });
    try {
      const failed = await services.orders.fail(
        job.data.orderId,
        `Processing kept failing after ${retryLimit + 1} attempts`,
      );
      log.error({ failed }, 'order job exhausted its retries; order marked FAILED');
      results.push({ id: job.id, status: 'completed' });
    } catch (error) {
      log.warn({ err: message(error) }, 'could not mark order FAILED yet; will retry');
      results.push({ id: job.id, status: 'failed', output: { message: message(error) } });
    }
  }
  return results;
}

/** The order worker on a runtime: what `runWorker` returns. */
export interface RunningWorker {
  metrics: WorkerMetrics;
  metricsPort: number | undefined;
  /** Stops the metrics server (call after the runtime's close(), which stops the jobs). */
  stop(): Promise<void>;
}

/**
 * Takes order jobs on this runtime's queue. `serveMetrics: false` in local mode, where the API
 * process's /metrics already reports the orders (the runtime's services feed both observers).
 */
export async function runWorker(
  runtime: Runtime,
  env: WorkerEnv,
  options: { serveMetrics: boolean },
): Promise<RunningWorker> {
  const { queue, logger } = runtime;
  const metrics = createWorkerMetrics(runtime.db);
  runtime.observe({
    finished(status, createdAt) {
      metrics.ordersFinished.inc({ status });
      metrics.orderLatency.observe({ status }, seconds(createdAt));
    },
  });
  const deps: OrderJobDeps = { services: runtime.services, logger };
  const polling = {
    batchSize: env.WORKER_BATCH_SIZE,
    pollingIntervalSeconds: env.WORKER_POLL_INTERVAL_SECONDS,
    localConcurrency: env.WORKER_CONCURRENCY,
    perJobResults: true,
    // While fetches come back full there is a backlog: fetch again at once instead of waiting
    // out the polling interval (what bounds a flash sale otherwise).
    burstWhenBatchFull: true,
  } as const;
  await queue.work<OrderJob>(ORDER_QUEUE, polling, (jobs) => handleOrderJobs(jobs, deps));
  await queue.work<OrderJob>(ORDER_DEAD_LETTER_QUEUE, { ...polling, localConcurrency: 1 }, (jobs) =>
    handleDeadOrderJobs(jobs, deps, env.ORDER_JOB_RETRY_LIMIT),
  );
  const http = options.serveMetrics
    ? await serveMetrics(metrics.registry, env.WORKER_METRICS_PORT)
    : undefined;
  logger.info(
    {
      concurrency: env.WORKER_CONCURRENCY,
      batchSize: env.WORKER_BATCH_SIZE,
      metricsPort: http?.port,
      cache: runtime.cacheRedis ? 'redis' : 'shared with this process',
    },
    'worker started',
  );
  return {
    metrics,
    metricsPort: http?.port,
    async stop() {
      if (http) {
        http.server.closeAllConnections();
        await new Promise<void>((resolve) =>
          http.server.close(() => {
            resolve();
          }),
        );
      }
      logger.info('worker stopped');
    },
  };
}

/** A worker process's whole life: its runtime (database, queue, cache Redis) and the worker on it. */
export async function startWorker(
  env: WorkerEnv,
  logger = createLogger(env, 'worker'),
): Promise<Worker> {
  const runtime = await openRuntime(env, logger, {
    role: 'worker',
    redis: 'cache',
    superviseIntervalSeconds: env.WORKER_SUPERVISE_INTERVAL_SECONDS,
    stopTimeoutMs: env.WORKER_SHUTDOWN_TIMEOUT_MS,
  });
  let worker: RunningWorker;
  try {
    worker = await runWorker(runtime, env, { serveMetrics: true });
  } catch (error) {
    await runtime.close();
    throw error;
  }
  let stopping: Promise<void> | undefined;
  return {
    ...runtime,
    metrics: worker.metrics,
    metricsPort: worker.metricsPort,
    stop() {
      stopping ??= (async () => {
        await runtime.close();
        await worker.stop();
      })();
      return stopping;
    },
  };
}
