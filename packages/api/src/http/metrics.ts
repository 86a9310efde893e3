// The API's metrics: request durations by route and status, rate-limit rejections, catalog
// cache results, accepted orders, plus the shared process and pool metrics.
import type { RequestHandler } from 'express';
import {
  Counter,
  createBaseMetrics,
  Histogram,
  type BaseMetrics,
  type CatalogCache,
} from '@chronicle/core';
import type { Db } from '@chronicle/db';

export interface ApiMetrics extends BaseMetrics {
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  rateLimited: Counter<'limit'>;
  ordersAccepted: Counter;
  passwordChecks: Counter<'result'>;
}

export function createApiMetrics(db: Db, catalog: () => CatalogCache | undefined): ApiMetrics {
  const base = createBaseMetrics('api', db);
  const registers = [base.registry];
  new Counter({
    name: 'chronicle_catalog_cache_requests_total',
    help: 'Catalog reads by cache result (HIT, MISS, BYPASS = Redis unavailable)',
    labelNames: ['result'],
    registers,
    collect() {
      const stats = catalog()?.stats;
      if (!stats) return;
      this.reset();
      this.inc({ result: 'HIT' }, stats.hits);
      this.inc({ result: 'MISS' }, stats.misses);
      this.inc({ result: 'BYPASS' }, stats.bypasses);
    },
  });
  return {
    ...base,
    httpDuration: new Histogram({
      name: 'chronicle_http_request_duration_seconds',
      help: 'HTTP request duration by method, route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    rateLimited: new Counter({
      name: 'chronicle_rate_limit_rejections_total',
      help: 'Requests refused with 429, by limit',
      labelNames: ['limit'],
      registers,
    }),
    ordersAccepted: new Counter({
      name: 'chronicle_orders_accepted_total',
      help: 'Orders accepted (202) and enqueued',
      registers,
    }),
    passwordChecks: new Counter({
      name: 'chronicle_login_password_checks_total',
      help: 'Passwords verified by login (argon2id), by result: a rise in "invalid" is a guessing attack',
      labelNames: ['result'],
      registers,
    }),
  };
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** A low-cardinality route label: ids become :id, tRPC batches one label, unknown paths one. */
export function routeLabel(path: string, status: number): string {
  if (status === 404 && !UUID.test(path)) return 'unmatched';
  if (path.startsWith('/trpc/')) return path.includes(',') ? '/trpc/(batch)' : path;
  return path.replace(UUID, ':id');
}

export function observeRequests(metrics: ApiMetrics): RequestHandler {
  return (req, res, next) => {
    const stop = metrics.httpDuration.startTimer({ method: req.method });
    res.on('finish', () => {
      stop({ route: routeLabel(req.path, res.statusCode), status: String(res.statusCode) });
    });
    next();
  };
}
