// pg-boss on the application database, in its own schema.
import { PgBoss } from 'pg-boss';
import type { DbEnv } from '@chronicle/db';
import type { CoreEnv } from './env.ts';
import type { Logger } from './logger.ts';

export type { PgBoss };

export const QUEUE_SCHEMA = 'pgboss';

export function createQueue(
  env: Pick<DbEnv, 'DATABASE_URL' | 'DATABASE_CONNECT_TIMEOUT_MS'> &
    Pick<CoreEnv, 'QUEUE_POOL_MAX'>,
  logger: Logger,
  options: {
    supervise?: boolean;
    schedule?: boolean;
    migrate?: boolean;
    superviseIntervalSeconds?: number;
  } = {},
): PgBoss {
  const boss = new PgBoss({
    connectionString: env.DATABASE_URL,
    schema: QUEUE_SCHEMA,
    max: env.QUEUE_POOL_MAX,
    connectionTimeoutMillis: env.DATABASE_CONNECT_TIMEOUT_MS,
    application_name: 'chronicle-queue',
    supervise: options.supervise ?? true,
    schedule: options.schedule ?? false,
    migrate: options.migrate ?? true,
    // The monitor pass is what fails jobs whose heartbeat or expiry ran out, so both intervals
    // bound how quickly a dead worker's jobs go back to the queue.
    ...(options.superviseIntervalSeconds
      ? {
          superviseIntervalSeconds: options.superviseIntervalSeconds,
          monitorIntervalSeconds: options.superviseIntervalSeconds,
        }
      : {}),
  });
  // An idle-client error without a listener would crash the process.
  boss.on('error', (error: Error) => {
    logger.error({ err: error }, 'queue error');
  });
  return boss;
}
