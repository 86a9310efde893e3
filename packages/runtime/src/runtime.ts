// The one composition root of a Chronicle process: its database pool, queue, Redis clients,
// catalog cache and the services built on them, opened and closed in one place. The API and
// the worker apps both start from here; in local mode (no REDIS_URL) one runtime serves both.
import { z } from 'zod';
import { ConfigError, createDb, type Db, type DbEnv } from '@chronicle/db';
import {
  createCacheRedis,
  createCatalogCache,
  createQueue,
  createRedis,
  createServices,
  ensureOrderQueues,
  memoryCacheStore,
  redisCacheStore,
  rows,
  type CoreEnv,
  type Logger,
  type OrderObserver,
  type ProcessResources,
} from '@chronicle/core';

export type RuntimeEnv = DbEnv & CoreEnv;

export interface RuntimeOptions {
  /** Names this process's database connections (`chronicle-api`, `chronicle-worker`). */
  role: 'api' | 'worker';
  /**
   * Whether this process runs pg-boss maintenance (expiring stuck jobs, retention): workers do,
   * API-only processes only enqueue. Given as the interval in seconds.
   */
  superviseIntervalSeconds?: number | undefined;
  /** How long closing waits for jobs this process is running (ms). */
  stopTimeoutMs?: number | undefined;
  /**
   * What this process needs Redis for: `limits-and-cache` (the API: REDIS_URL, and the cache
   * on REDIS_CACHE_URL if set) or `cache` (a worker only invalidates the catalog cache, and
   * cannot run without it).
   */
  redis: 'limits-and-cache' | 'cache';
}

export interface Runtime extends ProcessResources {
  env: RuntimeEnv;
  /** Stops the queue (letting running jobs finish, bounded), then closes every pool. Idempotent. */
  close(): Promise<void>;
}

const NO_WORKER_REDIS =
  'REDIS_URL is not set. A separate worker process needs the Redis the API uses, to invalidate its catalog cache. Without Redis, run the API alone: it fulfils orders in its own process (local mode).';

function openRedis(
  env: RuntimeEnv,
  logger: Logger,
  need: RuntimeOptions['redis'],
): Pick<Runtime, 'redis' | 'cacheRedis'> {
  if (need === 'limits-and-cache') {
    const redis = env.REDIS_URL
      ? createRedis({ ...env, REDIS_URL: env.REDIS_URL }, logger)
      : undefined;
    return { redis, cacheRedis: redis && createCacheRedis(env, logger, redis) };
  }
  const url = env.REDIS_CACHE_URL ?? env.REDIS_URL;
  if (!url) throw new ConfigError(NO_WORKER_REDIS);
  return { redis: undefined, cacheRedis: createRedis({ ...env, REDIS_URL: url }, logger) };
}

/**
 * Warns when the database runs without autovacuum. Tables are then never analyzed, and the plans
 * each connection caches (the foreign-key checks of every order line among them) stay those made
 * while the tables were empty: sequential scans of `orders`, slower with every order (measured:
 * the flash sale end to end fell to a fifth).
 */
async function warnIfAutovacuumOff(db: Db, logger: Logger): Promise<void> {
  const [setting] = rows(
    z.object({ on: z.boolean() }),
    await db.$queryRaw`SELECT current_setting('autovacuum') = 'on' AS on`,
  );
  if (setting?.on === false) {
    logger.warn(
      'autovacuum is off on this PostgreSQL: tables are never analyzed and order accepts slow down as orders grow; turn it on, or run VACUUM (ANALYZE) regularly',
    );
  }
}

export async function openRuntime(
  env: RuntimeEnv,
  logger: Logger,
  options: RuntimeOptions,
): Promise<Runtime> {
  const { redis, cacheRedis } = openRedis(env, logger, options.redis);
  const db = createDb(env, {
    applicationName: `chronicle-${options.role}`,
    onPoolError: (error) => {
      logger.warn({ err: error.message }, 'idle database connection failed');
    },
  });
  const interval = options.superviseIntervalSeconds;
  const queue = createQueue(env, logger, {
    supervise: interval !== undefined,
    schedule: false,
    ...(interval === undefined ? {} : { superviseIntervalSeconds: interval }),
  });
  const closeClients = () =>
    Promise.allSettled([
      db.$disconnect(),
      ...[...new Set([redis, cacheRedis])].map((client) =>
        client?.quit().catch(() => {
          client.disconnect();
        }),
      ),
    ]);
  try {
    await queue.start();
    await ensureOrderQueues(queue, env);
    await warnIfAutovacuumOff(db, logger);
  } catch (error) {
    await Promise.allSettled([queue.stop({ graceful: false, close: true }), closeClients()]);
    throw error;
  }
  const catalog = createCatalogCache({
    db,
    store: cacheRedis ? redisCacheStore(cacheRedis) : memoryCacheStore(),
    logger,
    env,
  });
  const observers: OrderObserver[] = [];
  const services = createServices({ db, queue, catalog, logger, observers });

  let closing: Promise<void> | undefined;
  return {
    env,
    logger,
    db,
    redis,
    cacheRedis,
    queue,
    catalog,
    services,
    observe(observer) {
      observers.push(observer);
    },
    close() {
      closing ??= (async () => {
        // Orders already accepted are written while the queue and the pool are still open.
        await services.close();
        await queue
          .stop({ graceful: true, close: true, timeout: options.stopTimeoutMs ?? 1_000 })
          .catch((error: unknown) => {
            logger.warn({ err: error }, 'queue did not stop cleanly');
          });
        await closeClients();
      })();
      return closing;
    },
  };
}
