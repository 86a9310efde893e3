// The API's metrics: request durations by route and status, rate-limit rejections, catalog
// cache results, accepted orders and their group sizes, plus the shared process and pool metrics.
import type { RequestHandler } from 'express';
import {
  Counter,
  createBaseMetrics,
  Histogram,
  openApiPathPattern,
  type BaseMetrics,
  type CatalogCache,
} from '@chronicle/core';
import type { Db } from '@chronicle/db';

export interface ApiMetrics extends BaseMetrics {
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  rateLimited: Counter<'limit'>;
  ordersAccepted: Counter;
  orderAcceptGroupSize: Histogram;
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
    orderAcceptGroupSize: new Histogram({
      name: 'chronicle_order_accept_group_size',
      help: 'Order creates written together in one transaction (group commit)',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200],
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

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);

/** The routes the API knows, fixed at start-up: labels come only from these. */
export interface KnownRoutes {
  /** The OpenAPI document's paths (`/order/{id}`), served by the REST bridge. */
  restPaths: Record<string, object | undefined>;
  /** tRPC procedure paths (`order.get`). */
  procedures: Iterable<string>;
  /** Path prefixes served by mounted middleware (e.g. the docs page's assets). */
  prefixes?: readonly string[];
}

/**
 * The route label for a request: the matched route's template (`/order/:id`), `/trpc/<procedure>`
 * for a known procedure, `/trpc/(batch)` for a batch of known ones, and `unmatched` for every
 * other path, whatever its status. Labels never carry raw client input, so the number of series
 * is bounded by the routes, methods and statuses.
 */
export function routeLabeler(known: KnownRoutes): (method: string, path: string) => string {
  const procedures = new Set(known.procedures);
  const rest = Object.entries(known.restPaths).map(([template, item]) => ({
    // `{id}` in OpenAPI, `:id` in the label (the label format predates the OpenAPI matcher).
    label: template.replace(/\{([^}/]+)\}/g, ':$1'),
    pattern: openApiPathPattern(template),
    methods: new Set(Object.keys(item ?? {}).filter((key) => HTTP_METHODS.has(key))),
  }));
  return (method, path) => {
    if (path.startsWith('/trpc/')) {
      let calls: string[];
      try {
        calls = decodeURIComponent(path.slice('/trpc/'.length)).split(',');
      } catch {
        return 'unmatched';
      }
      if (!calls.every((call) => procedures.has(call))) return 'unmatched';
      return calls.length > 1 ? '/trpc/(batch)' : `/trpc/${calls.join('')}`;
    }
    const prefix = known.prefixes?.find((p) => path === p || path.startsWith(`${p}/`));
    if (prefix) return prefix;
    const lower = method.toLowerCase();
    const route = rest.find((r) => r.methods.has(lower) && r.pattern.test(path));
    return route?.label ?? 'unmatched';
  };
}

/** The path of the Express route that handled the request (app.get('/healthz', …)), if any. */
function expressRoute(route: unknown): string | undefined {
  if (typeof route !== 'object' || route === null || !('path' in route)) return undefined;
  return typeof route.path === 'string' ? route.path : undefined;
}

export function observeRequests(
  metrics: ApiMetrics,
  label: (method: string, path: string) => string,
): RequestHandler {
  return (req, res, next) => {
    const stop = metrics.httpDuration.startTimer({ method: req.method });
    res.on('finish', () => {
      // originalUrl: mounted middleware (/trpc) rewrites req.url while it runs.
      const path = req.originalUrl.split('?', 1)[0] ?? '/';
      const route = expressRoute(req.route) ?? label(req.method, path);
      stop({ route, status: String(res.statusCode) });
    });
    next();
  };
}
