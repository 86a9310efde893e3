// Helpers for the order tests: a real API on port 0, real workers (in this process or as
// separate OS processes), and the invariants every test checks at the end.
import path from 'node:path';
import { expect, vi } from 'vitest';
import type { TestApp } from '@chronicle/testing';
import { loadWorkerEnv, startWorker, type Worker } from '@chronicle/runtime';
import { finalOrderStatuses } from '@chronicle/core';
import { assertContract, runProcess, type RunningProcess } from '@chronicle/testing';

export const root = path.resolve(import.meta.dirname, '../..');

export interface Response {
  status: number;
  headers: Headers;
  json: unknown;
  text: string;
}

export async function http(
  app: { url: string },
  method: string,
  route: string,
  options: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  const res = await fetch(`${app.url}${route}`, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  // Every response is also a contract test: declared status, body matching its schema.
  await assertContract(app.url, {
    method,
    path: new URL(route, app.url).pathname,
    status: res.status,
    contentType: res.headers.get('content-type'),
    json,
  });
  return { status: res.status, headers: res.headers, json, text };
}

export interface OrderBody {
  id: string;
  userId: string;
  status: string;
  total: string;
  reasonCode: string | null;
  reason: string | null;
  items: { productId: string; name: string; quantity: number; unitPrice: string }[];
}

let accounts = 0;

export async function signIn(
  app: TestApp,
  role: 'USER' | 'ADMIN' = 'USER',
): Promise<{ token: string; id: string }> {
  accounts += 1;
  const email = `${role.toLowerCase()}-${accounts}-${process.pid}@example.com`;
  const password = 'correct horse battery';
  const registered = await http(app, 'POST', '/auth/register', { body: { email, password } });
  const { user } = registered.json as { user: { id: string } };
  if (role === 'ADMIN')
    await app.deps.db.user.update({ where: { id: user.id }, data: { role: 'ADMIN' } });
  const login = await http(app, 'POST', '/auth/login', { body: { email, password } });
  return { token: (login.json as { token: string }).token, id: user.id };
}

export async function createProduct(
  app: TestApp,
  adminToken: string,
  body: { name: string; price: number | string; stock: number },
): Promise<string> {
  const res = await http(app, 'POST', '/product', { body, token: adminToken });
  expect(res.status, res.text).toBe(201);
  return (res.json as { product: { id: string } }).product.id;
}

export async function placeOrder(
  app: TestApp,
  token: string,
  items: { id: string; quantity: number }[],
  headers: Record<string, string> = {},
): Promise<Response> {
  return http(app, 'POST', '/order', { body: { items }, token, headers });
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

export function startWorkerProcess(
  app: TestApp,
  overrides: Record<string, string> = {},
): RunningProcess {
  return runProcess([path.join(root, 'apps/worker/src/main.ts')], {
    env: workerEnvFor(app, { LOG_LEVEL: 'info', ...overrides }),
  });
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
      const jobs = await app.deps.db.$queryRaw<{ name: string; state: string; n: bigint }[]>`
      SELECT name, state::text AS state, count(*) AS n FROM pgboss.job GROUP BY 1, 2 ORDER BY 1, 2`;
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
  const mismatched = await db.$queryRaw<{ id: string }[]>`
    SELECT p.id FROM products p
    LEFT JOIN (SELECT product_id, sum(delta) AS total FROM stock_movements GROUP BY product_id) m
      ON m.product_id = p.id
    WHERE p.stock <> coalesce(m.total, 0)`;
  expect(mismatched).toEqual([]);
  const badReservations = await db.$queryRaw<{ id: string; status: string }[]>`
    SELECT o.id, o.status::text AS status FROM orders o
    WHERE (SELECT count(*) FROM stock_movements m WHERE m.reference = o.id::text AND m.reason = 'ORDER_RESERVE')
          <> CASE WHEN o.status = 'CONFIRMED' OR (o.status = 'CANCELLED' AND EXISTS (
                SELECT 1 FROM stock_movements c WHERE c.reference = o.id::text AND c.reason = 'ORDER_CANCEL'))
             THEN (SELECT count(*) FROM order_items i WHERE i.order_id = o.id) ELSE 0 END`;
  expect(badReservations).toEqual([]);
  const reservedAmounts = await db.$queryRaw<{ id: string }[]>`
    SELECT i.order_id AS id FROM order_items i
    JOIN stock_movements m ON m.reference = i.order_id::text AND m.product_id = i.product_id AND m.reason = 'ORDER_RESERVE'
    WHERE m.delta <> -i.quantity`;
  expect(reservedAmounts).toEqual([]);
}
