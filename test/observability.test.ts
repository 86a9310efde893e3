// Metrics move with real traffic, and logs correlate requests and jobs without leaking secrets.
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  expectStatus,
  http,
  openShop,
  runProcess,
  TEST_JWT_SECRET,
  useTestApp,
  type RunningProcess,
} from '@chronicle/testing';
import {
  listeningUrl,
  orderOf,
  placeOrder,
  shopperWithOrder,
  root,
  startApiProcess,
  useTestAppWithWorker,
  waitForTerminal,
} from './support/orders.ts';

/** The value of one sample in Prometheus text, or 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (wanted.every((pair) => line.includes(pair)))
      return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

const scrape = async (url: string) => (await fetch(`${url}/metrics`)).text();

describe('metrics', () => {
  const { app, worker } = useTestAppWithWorker({ RATE_LIMIT_ORDER_POINTS: '2' });

  it('the API counts requests by route and status, cache results, accepted orders and 429s', async () => {
    const { shopper: user, product } = await openShop(app, {
      name: 'metered',
      price: 1,
      stock: 10,
    });
    const before = await scrape(app.url);
    const route = { route: '/product/:id', status: '200' };
    await http(app, 'GET', `/product/${product}`);
    await http(app, 'GET', `/product/${product}`);
    await http(app, 'GET', '/product/01900000-0000-7000-8000-000000000000');
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await placeOrder(app, user.token, [{ id: product, quantity: 1 }])).status);
    expect(statuses).toEqual([202, 202, 429]);
    const after = await scrape(app.url);

    const count = 'chronicle_http_request_duration_seconds_count';
    expect(sample(after, count, route) - sample(before, count, route)).toBe(2);
    expect(sample(after, count, { route: '/product/:id', status: '404' })).toBeGreaterThanOrEqual(
      1,
    );
    expect(
      sample(after, 'chronicle_catalog_cache_requests_total', { result: 'HIT' }),
    ).toBeGreaterThan(sample(before, 'chronicle_catalog_cache_requests_total', { result: 'HIT' }));
    expect(
      sample(after, 'chronicle_orders_accepted_total') -
        sample(before, 'chronicle_orders_accepted_total'),
    ).toBe(2);
    expect(sample(after, 'chronicle_rate_limit_rejections_total', { limit: 'order' })).toBe(1);
    expect(sample(after, 'chronicle_db_pool_connections', { state: 'total' })).toBeGreaterThan(0);
    expect(after).toContain('chronicle_process_resident_memory_bytes');
  });

  it('the worker counts final statuses, time to final status and queue depth', async () => {
    const url = `http://127.0.0.1:${worker().metricsPort}`;
    const { shopper: user, product } = await openShop(app, {
      name: 'worker metered',
      price: 1,
      stock: 1,
    });
    // Let the orders of the previous test settle and be counted first.
    const earlier = (await app.deps.db.order.findMany({ select: { id: true } })).map((o) => o.id);
    await waitForTerminal(app, earlier);
    const confirmedSoFar = await app.deps.db.order.count({ where: { status: 'CONFIRMED' } });
    await vi.waitFor(
      async () => {
        expect(
          sample(await scrape(url), 'chronicle_orders_finished_total', { status: 'CONFIRMED' }),
        ).toBe(confirmedSoFar);
      },
      { timeout: 10_000, message: 'earlier confirmations to be counted' },
    );
    const before = await scrape(url);
    const a = orderOf(await placeOrder(app, user.token, [{ id: product, quantity: 1 }]));
    const b = orderOf(await placeOrder(app, user.token, [{ id: product, quantity: 1 }]));
    await waitForTerminal(app, [a.id, b.id]);
    await vi.waitFor(
      async () => {
        const now = await scrape(url);
        for (const status of ['CONFIRMED', 'REJECTED']) {
          expect(
            sample(now, 'chronicle_orders_finished_total', { status }),
            status,
          ).toBeGreaterThan(sample(before, 'chronicle_orders_finished_total', { status }));
        }
      },
      { timeout: 10_000, message: 'both outcomes to be counted' },
    );
    const after = await scrape(url);
    const finished = (status: string) =>
      sample(after, 'chronicle_orders_finished_total', { status }) -
      sample(before, 'chronicle_orders_finished_total', { status });
    expect(finished('CONFIRMED')).toBe(1);
    expect(finished('REJECTED')).toBe(1);
    expect(
      sample(after, 'chronicle_order_time_to_final_seconds_count', { status: 'CONFIRMED' }),
    ).toBeGreaterThanOrEqual(1);
    expect(after).toMatch(
      /chronicle_queue_jobs\{[^}]*queue="order-fulfilment"[^}]*state="created"/,
    );
    expect(after).toMatch(/chronicle_queue_jobs\{[^}]*queue="order-fulfilment-dead"/);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });
});

describe('logs', () => {
  let api: RunningProcess;
  const app = useTestApp({}, { beforeClose: () => api.stop() });
  let apiUrl: string;
  beforeAll(async () => {
    api = startApiProcess(app, { LOG_LEVEL: 'trace' });
    apiUrl = await listeningUrl(api);
  });

  it('are JSON lines that carry the request id, and never a password, token or hash', async () => {
    const password = 'Sup3r-Secret-Passphrase!';
    const register = await http({ url: apiUrl }, 'POST', '/auth/register', {
      body: { email: 'logged@example.com', password },
    });
    expect(register.status).toBe(201);
    const login = await http({ url: apiUrl }, 'POST', '/auth/login', {
      body: { email: 'logged@example.com', password },
    });
    const { token } = expectStatus(login, 200).json;
    const me = await http({ url: apiUrl }, 'GET', '/auth/me', {
      token,
      headers: { 'X-Request-Id': 'trace-me-42' },
    });
    expect(me.status).toBe(200);
    await http({ url: apiUrl }, 'POST', '/auth/login', {
      body: { email: 'logged@example.com', password: 'wrong-but-secret' },
    });

    const line = await vi.waitFor(
      () => {
        const found = api.logs.find((l) => JSON.stringify(l).includes('trace-me-42'));
        expect(found).toBeDefined();
        return found;
      },
      { timeout: 10_000, message: 'the request log line' },
    );
    expect(line).toMatchObject({
      level: 'info',
      req: { id: 'trace-me-42', url: '/auth/me' },
      res: { statusCode: 200 },
    });

    const hash = (
      await app.deps.db.user.findUniqueOrThrow({ where: { email: 'logged@example.com' } })
    ).passwordHash;
    const everything = api.logs.map((l) => JSON.stringify(l)).join('\n') + api.stderr();
    expect(everything.length).toBeGreaterThan(500);
    for (const secret of [password, 'wrong-but-secret', token, hash, TEST_JWT_SECRET]) {
      expect(everything).not.toContain(secret);
    }
  });

  it('worker lines carry the job id and order id', async () => {
    const { placed } = await shopperWithOrder(app, 'logged item');
    const worker = runProcess([path.join(root, 'apps/worker/src/main.ts')], {
      env: {
        DATABASE_URL: app.env.DATABASE_URL,
        REDIS_URL: app.env.REDIS_URL ?? '',
        REDIS_KEY_PREFIX: app.env.REDIS_KEY_PREFIX,
        WORKER_METRICS_PORT: '0',
        WORKER_POLL_INTERVAL_SECONDS: '0.5',
      },
    });
    try {
      const processed = await worker.waitForLog((l) => l.msg === 'order processed');
      expect(processed).toMatchObject({
        orderId: placed.id,
        outcome: 'CONFIRMED',
        jobId: expect.any(String),
      });
    } finally {
      await worker.stop();
    }
  });
});
