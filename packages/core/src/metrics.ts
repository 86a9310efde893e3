// Prometheus metrics. Each process has its own registry, served at /metrics (the API on its
// port, a worker on WORKER_METRICS_PORT).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { poolStats, type Db } from '@chronicle/db';

export type { Registry };

const PREFIX = 'chronicle_';

export interface BaseMetrics {
  registry: Registry;
  /** Orders that reached a final status in this process (worker: CONFIRMED/REJECTED/FAILED; API: CANCELLED). */
  ordersFinished: Counter<'status'>;
}

/** Registry with process metrics and database pool usage. */
export function createBaseMetrics(role: 'api' | 'worker', db: Db): BaseMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ role });
  collectDefaultMetrics({ register: registry, prefix: PREFIX });
  new Gauge({
    name: `${PREFIX}db_pool_connections`,
    help: 'Application database pool connections by state',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const stats = poolStats(db);
      this.set({ state: 'total' }, stats.total);
      this.set({ state: 'idle' }, stats.idle);
      this.set({ state: 'waiting' }, stats.waiting);
    },
  });
  const ordersFinished = new Counter({
    name: `${PREFIX}orders_finished_total`,
    help: 'Orders that reached a final status, by status',
    labelNames: ['status'],
    registers: [registry],
  });
  return { registry, ordersFinished };
}

export { Counter, Gauge, Histogram };
