// A worker process's resources and lifecycle: pg-boss started on the application database.
import { createDb, type Db } from '@chronicle/db';
import {
  createLogger,
  createQueue,
  createRedis,
  type Logger,
  type PgBoss,
  type Redis,
} from '@chronicle/core';
import type { WorkerEnv } from './env.ts';

export interface Worker {
  logger: Logger;
  db: Db;
  redis: Redis;
  queue: PgBoss;
  /** Stops taking jobs, lets in-flight ones finish (bounded), closes every pool. */
  stop(): Promise<void>;
}

export async function startWorker(
  env: WorkerEnv,
  logger = createLogger(env, 'worker'),
): Promise<Worker> {
  const db = createDb(env, {
    applicationName: 'chronicle-worker',
    onPoolError: (error) => {
      logger.warn({ err: error.message }, 'idle database connection failed');
    },
  });
  const redis = createRedis(env, logger);
  // Workers run pg-boss maintenance (expiring stuck jobs, retention); many may run at once.
  const queue = createQueue(env, logger, { supervise: true, schedule: false });
  await queue.start();
  logger.info('worker started');

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await queue.stop({ graceful: true, close: true, timeout: env.WORKER_SHUTDOWN_TIMEOUT_MS });
      await Promise.allSettled([
        db.$disconnect(),
        redis.quit().catch(() => {
          redis.disconnect();
        }),
      ]);
      logger.info('worker stopped');
    })();
    return stopping;
  };
  return { logger, db, redis, queue, stop };
}
