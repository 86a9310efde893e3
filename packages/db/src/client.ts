// The application's Prisma client on a deliberately configured node-postgres pool.
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from './generated/prisma/client.ts';
import type { DbEnv } from './env.ts';

export type Db = PrismaClient;

export interface DbOptions {
  /** Called when an idle pooled connection fails (e.g. the server restarted). */
  onPoolError?: (error: Error) => void;
  applicationName?: string;
}

const pools = new WeakMap<Db, pg.Pool>();

export function createDb(env: DbEnv, options: DbOptions = {}): Db {
  // Our own pool (rather than one the adapter makes) so its usage can be reported as metrics.
  const pool = new pg.Pool({
    connectionString: env.DATABASE_URL,
    max: env.DATABASE_POOL_MAX,
    connectionTimeoutMillis: env.DATABASE_CONNECT_TIMEOUT_MS,
    statement_timeout: env.DATABASE_STATEMENT_TIMEOUT_MS,
    idle_in_transaction_session_timeout: env.DATABASE_STATEMENT_TIMEOUT_MS * 2,
    idleTimeoutMillis: 30_000,
    application_name: options.applicationName ?? 'chronicle',
  });
  const adapter = new PrismaPg(pool, {
    onPoolError: options.onPoolError ?? (() => undefined),
    disposeExternalPool: true,
  });
  const db = new PrismaClient({ adapter });
  pools.set(db, pool);
  return db;
}

/**
 * Runs `fn` in a transaction on a connection of the client's own pool, through node-postgres
 * rather than Prisma: for the one hot write (accepting a group of orders) where Prisma's cost per
 * query showed in the CPU profile. Same pool, connections and timeouts as every Prisma query.
 * Commits when `fn` resolves, rolls back when it throws; a connection that failed is discarded.
 */
export async function pgTransaction<T>(
  db: Db,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const pool = pools.get(db);
  if (!pool) throw new Error('pgTransaction needs a client made by createDb');
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollback: unknown) => {
      broken = rollback instanceof Error ? rollback : new Error(String(rollback));
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

/** Connection counts of a client's pool (for metrics). */
export function poolStats(db: Db): { total: number; idle: number; waiting: number } {
  const pool = pools.get(db);
  return pool
    ? { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }
    : { total: 0, idle: 0, waiting: 0 };
}
