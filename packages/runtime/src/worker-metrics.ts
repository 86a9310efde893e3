// A worker's metrics, served with a liveness check on WORKER_METRICS_PORT (core's serveMetrics).
import {
  createBaseMetrics,
  Gauge,
  Histogram,
  ORDER_DEAD_LETTER_QUEUE,
  ORDER_QUEUE,
  QUEUE_SCHEMA,
  rows,
  type BaseMetrics,
} from '@chronicle/core';
import type { Db } from '@chronicle/db';
import { z } from 'zod';

const queueCount = z.object({ name: z.string(), state: z.string(), n: z.number().int() });

export interface WorkerMetrics extends BaseMetrics {
  /** Seconds from an order's acceptance to its final status. */
  orderLatency: Histogram<'status'>;
}

export function createWorkerMetrics(db: Db): WorkerMetrics {
  const base = createBaseMetrics('worker', db);
  new Gauge({
    name: 'chronicle_queue_jobs',
    help: 'Order jobs waiting or running (queue depth), and dead-lettered jobs kept for inspection',
    labelNames: ['queue', 'state'],
    registers: [base.registry],
    async collect() {
      const counts = rows(
        queueCount,
        await db.$queryRawUnsafe(
          `SELECT name, state::text AS state, count(*)::int AS n FROM ${QUEUE_SCHEMA}.job
           WHERE name = ANY($1) GROUP BY 1, 2`,
          [ORDER_QUEUE, ORDER_DEAD_LETTER_QUEUE],
        ),
      );
      this.reset();
      for (const queue of [ORDER_QUEUE, ORDER_DEAD_LETTER_QUEUE]) {
        for (const state of ['created', 'retry', 'active']) this.set({ queue, state }, 0);
      }
      for (const row of counts) this.set({ queue: row.name, state: row.state }, row.n);
    },
  });
  return {
    ...base,
    orderLatency: new Histogram({
      name: 'chronicle_order_time_to_final_seconds',
      help: 'Time from an order being accepted to its final status, by status',
      labelNames: ['status'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [base.registry],
    }),
  };
}
