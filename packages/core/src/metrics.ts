// Prometheus metrics. Each process has its own registry, served at /metrics (the API on its
// port or on METRICS_PORT, a worker on WORKER_METRICS_PORT).
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { poolStats, type Db } from '@chronicle/db';

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

/**
 * A private port for scrapers: /metrics and a liveness /healthz, nothing else, so it can stay
 * off the public network while the API or worker port faces clients.
 */
export async function serveMetrics(
  registry: Registry,
  port: number,
  host = '0.0.0.0',
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    if (req.url === '/metrics') {
      registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': registry.contentType }).end(text);
        },
        () => {
          res.writeHead(500).end();
        },
      );
    } else if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    } else {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end('{"code":"NOT_FOUND","message":"Not found"}');
    }
  });
  server.listen(port, host);
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port };
}
