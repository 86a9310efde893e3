// The order queue on pg-boss: created explicitly, with retries, exponential backoff, expiry,
// heartbeats and a dead-letter queue.
import type { PgBoss } from 'pg-boss';
import type { CoreEnv } from '../env.ts';

export const ORDER_QUEUE = 'order-fulfilment';
/** Jobs that used up their retries land here; their orders become FAILED. */
export const ORDER_DEAD_LETTER_QUEUE = 'order-fulfilment-dead';

export interface OrderJob {
  orderId: string;
}

type QueueEnv = Pick<
  CoreEnv,
  | 'ORDER_JOB_RETRY_LIMIT'
  | 'ORDER_JOB_RETRY_DELAY_SECONDS'
  | 'ORDER_JOB_RETRY_DELAY_MAX_SECONDS'
  | 'ORDER_JOB_EXPIRE_SECONDS'
  | 'ORDER_JOB_HEARTBEAT_SECONDS'
>;

async function ensureQueue(
  boss: PgBoss,
  name: string,
  options: Parameters<PgBoss['createQueue']>[1],
): Promise<void> {
  if (await boss.getQueue(name)) {
    await boss.updateQueue(name, options);
    return;
  }
  try {
    await boss.createQueue(name, options);
  } catch (error) {
    // Another process (API replica or worker) created it at the same moment.
    if (!(await boss.getQueue(name))) throw error;
  }
}

/** Creates or updates both queues; every API and worker process calls it at start-up. */
export async function ensureOrderQueues(boss: PgBoss, env: QueueEnv): Promise<void> {
  const retries = {
    retryLimit: env.ORDER_JOB_RETRY_LIMIT,
    retryDelay: env.ORDER_JOB_RETRY_DELAY_SECONDS,
    retryBackoff: true,
    retryDelayMax: env.ORDER_JOB_RETRY_DELAY_MAX_SECONDS,
    expireInSeconds: env.ORDER_JOB_EXPIRE_SECONDS,
  };
  await ensureQueue(boss, ORDER_DEAD_LETTER_QUEUE, retries);
  await ensureQueue(boss, ORDER_QUEUE, {
    ...retries,
    heartbeatSeconds: env.ORDER_JOB_HEARTBEAT_SECONDS,
    deadLetter: ORDER_DEAD_LETTER_QUEUE,
  });
}
