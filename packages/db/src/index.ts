export { createDb, poolStats, type Db, type DbOptions } from './client.ts';
export { dbEnv, dbEnvSchema, type DbEnv } from './env.ts';
export { ConfigError, loadEnv } from './load-env.ts';
export { Prisma, Role } from './generated/prisma/client.ts';
export type { User } from './generated/prisma/client.ts';
export { describeDatabaseError } from './database-error.ts';
