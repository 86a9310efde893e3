// Helpers for the order tests: a real API on port 0, real workers (in this process or as
// separate OS processes), and the invariants every test checks at the end.
import path from 'node:path';
import { beforeAll, expect, vi } from 'vitest';
import { z } from 'zod';
import { loadWorkerEnv, startWorker, type Worker } from '@chronicle/runtime';
import { finalOrderStatuses, rows } from '@chronicle/core';
import {
  expectStatus,
  http,
  openShop,
  runProcess,
  type RestBody,
  type RestResponse,
  type RunningProcess,
  TEST_JWT_SECRET,
  type TestApp,
  useTestApp,
} from '@chronicle/testing';

export const root = path.resolve(import.meta.dirname, '../..');

/** An order as the API answers it. */
export type OrderBody = RestBody<'GET', '/order/{id}', 200>['order'];

/** The answers that carry an order: placing, reading and cancelling one. */
export type OrderResponse =
  | RestResponse<'POST', '/order'>
  | RestResponse<'GET', '/order/{id}'>
  | RestResponse<'POST', '/order/{id}/cancel'>;

/** The order in a successful answer; fails the test on any other status. */
export const orderOf = (res: OrderResponse): OrderBody => expectStatus(res, 200, 202).json.order;

export function placeOrder(
  app: { url: string },
  token: string,
  items: { id: string; quantity: number }[],
  headers: Record<string, string> = {},
): Promise<RestResponse<'POST', '/order'>> {
  return http(app, 'POST', '/order', { body: { items }, token, headers });
}

/** A shopper with one order of one unit of a new product (and that product's id). */
export async function shopperWithOrder(
  app: Pick<TestApp, 'url' | 'deps'>,
  name: string,
): Promise<{ user: { token: string }; product: string; placed: OrderBody }> {
  const { shopper: user, product } = await openShop(app, { name, price: 1, stock: 5 });
  const placed = orderOf(await placeOrder(app, user.token, [{ id: product, quantity: 1 }]));
  return { user, product, placed };
}

/** Worker settings for tests: fast polling and fast detection of dead workers. */
function workerEnvFor(
  app: TestApp,
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
    DATABASE_URL: app.env.DATABASE_URL,
    REDIS_URL: app.env.REDIS_URL ?? '',
    REDIS_KEY_PREFIX: app.env.REDIS_KEY_PREFIX,
    DATABASE_POOL_MAX: '6',
    QUEUE_POOL_MAX: '3',
    LOG_LEVEL: 'silent',
    WORKER_POLL_INTERVAL_SECONDS: '0.5',
    WORKER_SUPERVISE_INTERVAL_SECONDS: '1',
    WORKER_METRICS_PORT: '0',
    ORDER_JOB_RETRY_DELAY_SECONDS: '1',
    ...overrides,
  };
}

export function startInProcessWorker(
  app: TestApp,
  overrides: Record<string, string> = {},
): Promise<Worker> {
  return startWorker(loadWorkerEnv(workerEnvFor(app, overrides)));
}

/**
 * useTestApp with an in-process worker on it: the worker starts once the app has, and stops
 * before the app closes.
 */
export function useTestAppWithWorker(overrides?: Parameters<typeof useTestApp>[0]): {
  app: TestApp;
  worker: () => Worker;
} {
  let worker: Worker | undefined;
  const app = useTestApp(overrides, { beforeClose: async () => worker?.stop() });
  beforeAll(async () => {
    worker = await startInProcessWorker(app);
  });
  return {
    app,
    worker: () => {
      if (worker === undefined) throw new Error('the worker is used before beforeAll started it');
      return worker;
    },
  };
}

export function startWorkerProcess(
  app: TestApp,
  overrides: Record<string, string> = {},
): RunningProcess {
  return runProcess([path.join(root, 'apps/worker/src/main.ts')], {
    env: workerEnvFor(app, { LOG_LEVEL: 'info', ...overrides }),
  });
}

/** The API as its own OS process, on the app's database, Redis and JWT secret, on a free port. */
export function startApiProcess(
  app: TestApp,
  overrides: Record<string, string> = {},
): RunningProcess {
  return runProcess([path.join(root, 'apps/api/src/main.ts')], {
    env: {
      DATABASE_URL: app.env.DATABASE_URL,
      REDIS_URL: app.env.REDIS_URL ?? '',
      REDIS_KEY_PREFIX: app.env.REDIS_KEY_PREFIX,
      JWT_SECRET: TEST_JWT_SECRET,
      PORT: '0',
      HOST: '127.0.0.1',
      ...overrides,
    },
  });
}

/** The URL an API process listens on, once it says so. */
export async function listeningUrl(api: RunningProcess): Promise<string> {
  const listening = await api.waitForLog((l) => l.msg?.startsWith('API listening') === true);
  return `http://127.0.0.1:${String(listening.port)}`;
}

/** Waits until every given order has left PENDING. */
export async function waitForTerminal(
  app: TestApp,
  orderIds: string[],
  timeoutMs = 60_000,
): Promise<void> {
  await vi
    .waitFor(
      async () => {
        const pending = await app.deps.db.order.count({
          where: {
            id: { in: orderIds },
            status: { notIn: [...finalOrderStatuses] },
          },
        });
        expect(pending).toBe(0);
      },
      {
        timeout: timeoutMs,
        interval: 100,
        message: `${orderIds.length} orders to reach a terminal state`,
      },
    )
    .catch(async (error: unknown) => {
      // Say where things stand, so a timeout is diagnosable from the CI log alone.
      const jobs = rows(
        z.object({ name: z.string(), state: z.string(), n: z.bigint() }),
        await app.deps.db.$queryRaw`
      SELECT name, state::text AS state, count(*) AS n FROM pgboss.job GROUP BY 1, 2 ORDER BY 1, 2`,
      );
      const orders = await app.deps.db.order.groupBy({
        by: ['status'],
        where: { id: { in: orderIds } },
        _count: true,
      });
      throw new Error(
        `${error instanceof Error ? error.message : String(error)}; orders: ${JSON.stringify(orders.map((o) => [o.status, o._count]))}; jobs: ${JSON.stringify(jobs.map((j) => [j.name, j.state, Number(j.n)]))}`,
      );
    });
}

/**
 * The invariants: no negative stock; for every product, stock = sum of its ledger; every
 * CONFIRMED order has exactly one reservation row per line (and a cancelled-after-confirm order
 * one cancellation row per line); REJECTED and never-confirmed orders moved no stock.
 */
export async function checkInvariants(app: TestApp): Promise<void> {
  const db = app.deps.db;
  const negative = await db.product.count({ where: { stock: { lt: 0 } } });
  expect(negative).toBe(0);
  const mismatched = rows(
    z.object({ id: z.string() }),
    await db.$queryRaw`
    SELECT p.id FROM products p
    LEFT JOIN (SELECT product_id, sum(delta) AS total FROM stock_movements GROUP BY product_id) m
      ON m.product_id = p.id
    WHERE p.stock <> coalesce(m.total, 0)`,
  );
  expect(mismatched).toEqual([]);
  const badReservations = rows(
    z.object({ id: z.string(), status: z.string() }),
    await db.$queryRaw`
    SELECT o.id, o.status::text AS status FROM orders o
    WHERE (SELECT count(*) FROM stock_movements m WHERE m.reference = o.id::text AND m.reason = 'ORDER_RESERVE')
          <> CASE WHEN o.status = 'CONFIRMED' OR (o.status = 'CANCELLED' AND EXISTS (
                SELECT 1 FROM stock_movements c WHERE c.reference = o.id::text AND c.reason = 'ORDER_CANCEL'))
             THEN (SELECT count(*) FROM order_items i WHERE i.order_id = o.id) ELSE 0 END`,
  );
  expect(badReservations).toEqual([]);
  const reservedAmounts = rows(
    z.object({ id: z.string() }),
    await db.$queryRaw`
    SELECT i.order_id AS id FROM order_items i
    JOIN stock_movements m ON m.reference = i.order_id::text AND m.product_id = i.product_id AND m.reason = 'ORDER_RESERVE'
    WHERE m.delta <> -i.quantity`,
  );
  expect(reservedAmounts).toEqual([]);
}
