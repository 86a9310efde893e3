export { createDb, pgTransaction, poolStats, type Db } from './client.ts';
export { dbEnv, dbEnvSchema, type DbEnv } from './env.ts';
export { ConfigError, loadEnv } from './load-env.ts';
export { Prisma } from './generated/prisma/client.ts';
export { describeDatabaseError } from './database-error.ts';
