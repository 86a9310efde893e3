// Configuration shared by every Chronicle process (logging, Redis, the job queue).
import { z } from 'zod';

export const coreEnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * Redis for rate limits and the catalog cache, shared by every process. Unset: local mode —
   * both live in the API process's memory and the API runs the worker itself (one process only).
   */
  REDIS_URL: z
    .url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' })
    .optional(),
  /**
   * A separate Redis for the catalog cache (e.g. with an LRU eviction policy), so the cache can
   * never evict rate-limit counters. Defaults to REDIS_URL.
   */
  REDIS_CACHE_URL: z
    .url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' })
    .optional(),
  /** Prefix for every Redis key, so several deployments (or test files) can share one Redis. */
  REDIS_KEY_PREFIX: z.string().max(64).default('chronicle:'),
  /** A Redis command slower than this fails, and the caller takes its fallback path. */
  REDIS_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(10).max(60_000).default(500),
  /** How long a cached product stays in Redis (writes invalidate it immediately anyway). */
  CATALOG_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  /**
   * How long a cached catalog page lives. Admin writes invalidate pages at once; stock changes
   * from orders do not, so this is how far a list page's stock may lag.
   */
  CATALOG_LIST_TTL_MS: z.coerce.number().int().min(50).max(600_000).default(1_000),
  /** Attempts after the first before an order job goes to the dead-letter queue. */
  ORDER_JOB_RETRY_LIMIT: z.coerce.number().int().min(0).max(50).default(5),
  /** First retry delay; later ones double (exponential backoff) up to the max. */
  ORDER_JOB_RETRY_DELAY_SECONDS: z.coerce.number().int().min(0).max(3_600).default(1),
  ORDER_JOB_RETRY_DELAY_MAX_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  /** A job running longer than this is failed and retried (a stuck or vanished worker). */
  ORDER_JOB_EXPIRE_SECONDS: z.coerce.number().int().min(1).max(3_600).default(60),
  /** Workers heartbeat active jobs; a job silent this long is retried elsewhere (pg-boss: ≥ 10). */
  ORDER_JOB_HEARTBEAT_SECONDS: z.coerce.number().int().min(10).max(3_600).default(10),
  /** Connections in pg-boss's own pool (they count against PostgreSQL's max_connections). */
  QUEUE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(4),
});

export type CoreEnv = z.infer<typeof coreEnvSchema>;
