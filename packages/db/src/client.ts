// The application's Prisma client on a deliberately configured node-postgres pool.
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client.ts';
import type { DbEnv } from './env.ts';

export type Db = PrismaClient;

export interface DbOptions {
  /** Called when an idle pooled connection fails (e.g. the server restarted). */
  onPoolError?: (error: Error) => void;
  applicationName?: string;
}

export function createDb(env: DbEnv, options: DbOptions = {}): Db {
  const adapter = new PrismaPg(
    {
      connectionString: env.DATABASE_URL,
      max: env.DATABASE_POOL_MAX,
      connectionTimeoutMillis: env.DATABASE_CONNECT_TIMEOUT_MS,
      statement_timeout: env.DATABASE_STATEMENT_TIMEOUT_MS,
      idle_in_transaction_session_timeout: env.DATABASE_STATEMENT_TIMEOUT_MS * 2,
      idleTimeoutMillis: 30_000,
      application_name: options.applicationName ?? 'chronicle',
    },
    { onPoolError: options.onPoolError ?? (() => undefined) },
  );
  return new PrismaClient({ adapter });
}
