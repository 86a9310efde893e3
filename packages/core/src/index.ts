export { coreEnvSchema, type CoreEnv } from './env.ts';
export { createLogger, redactedPaths, type Logger } from './logger.ts';
export { createQueue, QUEUE_SCHEMA, type PgBoss } from './queue.ts';
export { createRedis, pingRedis, type Redis } from './redis.ts';
