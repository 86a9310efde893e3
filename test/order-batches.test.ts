// The batched fulfilment path (many orders per transaction), driven directly with pg-boss-shaped
// jobs so each batch's composition is exactly what the test says.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createProduct, http, signIn, startTestApp, type TestApp } from '@chronicle/testing';
import { createLogger, lockProducts, rows } from '@chronicle/core';
import { handleOrderJobs } from '@chronicle/runtime';
import { checkInvariants, orderOf, placeOrder, type OrderBody } from './support/orders.ts';

let app: TestApp;
let admin: string;
let shopper: string;
let deps: Parameters<typeof handleOrderJobs>[1];

beforeAll(async () => {
  app = await startTestApp({ DATABASE_POOL_MAX: '12' });
  admin = (await signIn(app, 'ADMIN')).token;
  shopper = (await signIn(app)).token;
  deps = {
    services: app.deps.services,
    logger: createLogger({ LOG_LEVEL: 'silent' }, 'worker'),
  };
});
afterAll(async () => {
  await checkInvariants(app);
  await app.close();
});

let jobIds = 0;
type OrderJobOf = Parameters<typeof handleOrderJobs>[0][number];
const jobFor = (orderId: string): OrderJobOf =>
  ({ id: `job-${(jobIds += 1)}`, name: 'order-fulfilment', data: { orderId } }) as OrderJobOf;

/** Places orders one after another, so their ids (UUIDv7) are in this order. */
async function place(lines: { id: string; quantity: number }[][]): Promise<OrderBody[]> {
  const orders: OrderBody[] = [];
  for (const items of lines) {
    const res = await placeOrder(app, shopper, items);
    expect(res.status, res.text).toBe(202);
    orders.push(orderOf(res));
  }
  return orders;
}

const statusOf = async (id: string) =>
  app.deps.db.order.findUniqueOrThrow({
    where: { id },
    select: { status: true, reasonCode: true, reason: true },
  });
const stockOf = async (id: string) =>
  (await app.deps.db.product.findUniqueOrThrow({ where: { id } })).stock;

describe('batched fulfilment', () => {
  it('mixes fitting and non-fitting orders on one product: first come, first served', async () => {
    const product = await createProduct(app, admin, { name: 'batch pear', price: 1, stock: 5 });
    const [a, b, c, d] = await place([
      [{ id: product, quantity: 2 }],
      [{ id: product, quantity: 4 }],
      [{ id: product, quantity: 3 }],
      [{ id: product, quantity: 1 }],
    ]);
    if (!a || !b || !c || !d) throw new Error('orders missing');
    // Delivered out of order: creation order still decides.
    const results = await handleOrderJobs(
      [d, b, a, c].map((o) => jobFor(o.id)),
      deps,
    );
    expect(results.every((r) => r.status === 'completed')).toBe(true);

    expect((await statusOf(a.id)).status).toBe('CONFIRMED');
    expect(await statusOf(b.id)).toEqual({
      status: 'REJECTED',
      reasonCode: 'OUT_OF_STOCK',
      reason: 'Product "batch pear" is out of stock: 4 requested, 3 available',
    });
    expect((await statusOf(c.id)).status).toBe('CONFIRMED');
    expect(await statusOf(d.id)).toMatchObject({ status: 'REJECTED', reasonCode: 'OUT_OF_STOCK' });
    expect(await stockOf(product)).toBe(0);
    // One reservation row per confirmed line, none for the rejected ones.
    const ledger = await app.deps.db.stockMovement.findMany({
      where: { productId: product, reason: 'ORDER_RESERVE' },
      orderBy: { id: 'asc' },
    });
    expect(ledger.map((m) => [m.reference, m.delta])).toEqual([
      [a.id, -2],
      [c.id, -3],
    ]);
  });

  it('a duplicate job in the batch, and a redelivered one later, move stock once', async () => {
    const product = await createProduct(app, admin, { name: 'batch fig', price: 1, stock: 10 });
    const [a, b] = await place([[{ id: product, quantity: 3 }], [{ id: product, quantity: 2 }]]);
    if (!a || !b) throw new Error('orders missing');
    const results = await handleOrderJobs([jobFor(a.id), jobFor(a.id), jobFor(b.id)], deps);
    expect(results.map((r) => [r.status, (r.output as { outcome: string }).outcome])).toEqual([
      ['completed', 'CONFIRMED'],
      ['completed', 'SKIPPED'],
      ['completed', 'CONFIRMED'],
    ]);
    const again = await handleOrderJobs([jobFor(b.id), jobFor(a.id)], deps);
    expect(again.map((r) => (r.output as { outcome: string }).outcome)).toEqual([
      'SKIPPED',
      'SKIPPED',
    ]);
    expect(await stockOf(product)).toBe(5);
  });

  it('multi-line orders across concurrent batches: all-or-nothing, no deadlock, no oversell', async () => {
    const products = await Promise.all(
      ['p', 'q', 'r', 's'].map((name) =>
        createProduct(app, admin, { name: `batch ${name}`, price: 1, stock: 12 }),
      ),
    );
    // Every order takes two or three products in varying order; stock runs out part way.
    const shapes = Array.from({ length: 40 }, (_, i) =>
      [0, 1, 2, 3]
        .filter((k) => (i + k) % 4 !== 0 || i % 3 === 0)
        .slice(0, 2 + (i % 2))
        .map((k) => ({ id: products[(k + i) % 4] ?? '', quantity: 1 + ((i + k) % 2) })),
    );
    const orders = await place(shapes);
    // Eight batches of five, run at once, each mixing orders from across the list.
    const batches = Array.from({ length: 8 }, (_, b) =>
      orders.filter((_, i) => i % 8 === b).map((o) => jobFor(o.id)),
    );
    // A deadlock (or any error) would make a batch fall back to one-by-one with a warning.
    const warn = vi.spyOn(deps.logger, 'warn');
    const results = (await Promise.all(batches.map((jobs) => handleOrderJobs(jobs, deps)))).flat();
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
    expect(results.every((r) => r.status === 'completed')).toBe(true);

    const settled = await app.deps.db.order.findMany({
      where: { id: { in: orders.map((o) => o.id) } },
      select: { status: true },
    });
    expect(settled.every((o) => o.status === 'CONFIRMED' || o.status === 'REJECTED')).toBe(true);
    expect(settled.some((o) => o.status === 'CONFIRMED')).toBe(true);
    expect(settled.some((o) => o.status === 'REJECTED')).toBe(true);
    for (const product of products) expect(await stockOf(product)).toBeGreaterThanOrEqual(0);
    await checkInvariants(app);
  });

  it('when the batch transaction fails, each order is tried alone: only the bad job fails', async () => {
    const product = await createProduct(app, admin, { name: 'batch kiwi', price: 1, stock: 4 });
    const [a, b] = await place([[{ id: product, quantity: 1 }], [{ id: product, quantity: 1 }]]);
    if (!a || !b) throw new Error('orders missing');
    // Not a UUID: the batch query fails as a whole, as any unexpected database error would.
    const warn = vi.spyOn(deps.logger, 'warn');
    const results = await handleOrderJobs([jobFor(a.id), jobFor('not-a-uuid'), jobFor(b.id)], deps);
    expect(results.map((r) => r.status)).toEqual(['completed', 'failed', 'completed']);
    expect(warn).toHaveBeenCalledWith(
      expect.objectContaining({ jobs: 3 }),
      'order batch failed; one by one',
    );
    warn.mockRestore();
    expect((await statusOf(a.id)).status).toBe('CONFIRMED');
    expect((await statusOf(b.id)).status).toBe('CONFIRMED');
    expect(await stockOf(product)).toBe(2);
  });

  it('an order with no lines is rejected, in a batch and alone alike (one path for both)', async () => {
    const user = await signIn(app);
    const empty = async () =>
      (await app.deps.db.order.create({ data: { userId: user.id, total: '0.00' } })).id;
    const [inBatch, alone] = [await empty(), await empty()];
    const product = await createProduct(app, admin, { name: 'batch lime', price: 1, stock: 1 });
    const [other] = await place([[{ id: product, quantity: 1 }]]);
    if (!other) throw new Error('order missing');
    await handleOrderJobs([jobFor(inBatch), jobFor(other.id)], deps);
    await handleOrderJobs([jobFor(alone)], deps);
    const rejected = {
      status: 'REJECTED',
      reasonCode: 'PRODUCT_UNAVAILABLE',
      reason: 'The order has no lines',
    };
    expect(await statusOf(inBatch)).toEqual(rejected);
    expect(await statusOf(alone)).toEqual(rejected);
    expect((await statusOf(other.id)).status).toBe('CONFIRMED');
  });
});

describe('product locks and order acceptance', () => {
  /** POST /order, failing instead of waiting if it takes longer than `ms`. */
  async function placeWithin(ms: number, id: string): Promise<number> {
    const res = await http(app, 'POST', '/order', {
      body: { items: [{ id, quantity: 1 }] },
      token: shopper,
      signal: AbortSignal.timeout(ms),
    });
    return res.status;
  }

  const lockWaiters = async () => {
    const [row] = rows(
      z.object({ n: z.number() }),
      await app.deps.db.$queryRaw`
      SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND wait_event_type = 'Lock'
        AND query LIKE '%FROM products WHERE id = ANY%'`,
    );
    return row?.n ?? 0;
  };

  // Accepting an order inserts its lines, whose foreign-key check takes FOR KEY SHARE on each
  // product: a stock lock must not conflict with that, or a busy batch stalls every new order.
  it('accepts orders for products a batch holds locked', async () => {
    const ids = (
      await Promise.all(
        ['held lime', 'waited lime'].map((name) =>
          createProduct(app, admin, { name, price: 1, stock: 10 }),
        ),
      )
    ).sort();
    const [first, second] = ids;
    if (!first || !second) throw new Error('products missing');
    const [order] = await place([ids.map((id) => ({ id, quantity: 1 }))]);
    if (!order) throw new Error('order missing');

    let batch: ReturnType<typeof handleOrderJobs> | undefined;
    try {
      await app.deps.db.$transaction(
        async (tx) => {
          // Hold the second product, so the batch locks the first and then waits on this one:
          // the batch's transaction is open with the first product locked, as the worker's is.
          await lockProducts(tx, [second]);
          batch = handleOrderJobs([jobFor(order.id)], deps);
          await vi.waitFor(
            async () => {
              expect(await lockWaiters()).toBeGreaterThan(0);
            },
            { timeout: 10_000, interval: 20 },
          );
          expect(await placeWithin(2_000, first)).toBe(202);
          expect(await placeWithin(2_000, second)).toBe(202);
        },
        { timeout: 30_000 },
      );
    } finally {
      await batch;
    }
    expect((await statusOf(order.id)).status).toBe('CONFIRMED');
  });
});
