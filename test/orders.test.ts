// Orders end to end: real API on port 0, real pg-boss, real workers (in-process or as OS processes).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  createProduct,
  expectStatus,
  http,
  signIn,
  useTestApp,
  type RestBody,
} from '@chronicle/testing';
import type { Worker } from '@chronicle/runtime';
import { createChronicleClient } from '@chronicle/client';
import { ORDER_QUEUE, rows } from '@chronicle/core';
import {
  checkInvariants,
  orderOf,
  placeOrder,
  startInProcessWorker,
  startWorkerProcess,
  waitForTerminal,
} from './support/orders.ts';

const app = useTestApp(
  { DATABASE_POOL_MAX: '20' },
  {
    beforeClose: async (started) => {
      await checkInvariants(started);
      // Transactional enqueue: exactly one job was ever created per order.
      expect(await jobCount()).toBe(await orderCount());
    },
  },
);
let admin: string;
let alice: { token: string; id: string };
let bob: { token: string; id: string };

const orderCount = () => app.deps.db.order.count();
const jobCount = async () => {
  const [row] = rows(
    z.object({ n: z.bigint() }),
    await app.deps.db.$queryRaw`
    SELECT count(*) AS n FROM pgboss.job WHERE name = ${ORDER_QUEUE}`,
  );
  return Number(row?.n ?? 0);
};
const stockOf = async (id: string) =>
  (await app.deps.db.product.findUniqueOrThrow({ where: { id } })).stock;

beforeAll(async () => {
  admin = (await signIn(app, 'ADMIN')).token;
  alice = await signIn(app);
  bob = await signIn(app);
});

describe('placing and fulfilling', () => {
  let worker: Worker | undefined;
  afterAll(async () => {
    await worker?.stop();
  });

  it('takes the Postman body, answers 202 PENDING with an exact total, and a worker confirms it', async () => {
    const mango = await createProduct(app, admin, { name: 'mango', price: 2.5, stock: 10 });
    const pear = await createProduct(app, admin, { name: 'pear', price: '0.10', stock: 10 });
    const res = await placeOrder(app, alice.token, [
      { id: mango, quantity: 2 },
      { id: pear, quantity: 3 },
    ]);
    expect(res.status, res.text).toBe(202);
    const order = orderOf(res);
    expect(order).toMatchObject({
      status: 'PENDING',
      total: '5.30',
      userId: alice.id,
      reason: null,
    });
    expect(order.items).toHaveLength(2);
    expect(order.items.find((i) => i.productId === pear)).toMatchObject({
      quantity: 3,
      unitPrice: '0.10',
      name: 'pear',
    });

    worker = await startInProcessWorker(app);
    await waitForTerminal(app, [order.id]);
    const done = orderOf(await http(app, 'GET', `/order/${order.id}`, { token: alice.token }));
    expect(done.status).toBe('CONFIRMED');
    expect(await stockOf(mango)).toBe(8);
    expect(await stockOf(pear)).toBe(7);
    // A later price change does not touch the order's snapshot.
    await http(app, 'PATCH', `/product/${mango}`, { body: { price: 99 }, token: admin });
    expect(
      orderOf(await http(app, 'GET', `/order/${order.id}`, { token: alice.token })).total,
    ).toBe('5.30');
  });

  it('merges repeated product ids into one line', async () => {
    const kiwi = await createProduct(app, admin, { name: 'kiwi', price: 1, stock: 10 });
    const res = await placeOrder(app, alice.token, [
      { id: kiwi, quantity: 2 },
      { id: kiwi, quantity: 3 },
    ]);
    expect(res.status).toBe(202);
    expect(orderOf(res).items).toEqual([expect.objectContaining({ productId: kiwi, quantity: 5 })]);
    expect(orderOf(res).total).toBe('5.00');
    await waitForTerminal(app, [orderOf(res).id]);
    expect(await stockOf(kiwi)).toBe(5);
  });

  it('rejects an order it cannot serve in full, naming the product, and moves no stock', async () => {
    const plenty = await createProduct(app, admin, { name: 'plenty', price: 1, stock: 50 });
    const scarce = await createProduct(app, admin, { name: 'scarce', price: 1, stock: 1 });
    const res = await placeOrder(app, alice.token, [
      { id: plenty, quantity: 5 },
      { id: scarce, quantity: 2 },
    ]);
    await waitForTerminal(app, [orderOf(res).id]);
    const rejected = orderOf(
      await http(app, 'GET', `/order/${orderOf(res).id}`, { token: alice.token }),
    );
    expect(rejected).toMatchObject({ status: 'REJECTED', reasonCode: 'OUT_OF_STOCK' });
    expect(rejected.reason).toContain('"scarce"');
    expect(await stockOf(plenty)).toBe(50);
    expect(await stockOf(scarce)).toBe(1);
  });

  it('rejects with PRODUCT_UNAVAILABLE when a product is deleted after the order was placed', async () => {
    const ghost = await createProduct(app, admin, { name: 'ghost', price: 1, stock: 5 });
    await worker?.stop();
    worker = undefined;
    const res = await placeOrder(app, alice.token, [{ id: ghost, quantity: 1 }]);
    await http(app, 'DELETE', `/product/${ghost}`, { token: admin });
    worker = await startInProcessWorker(app);
    await waitForTerminal(app, [orderOf(res).id]);
    const order = orderOf(
      await http(app, 'GET', `/order/${orderOf(res).id}`, { token: alice.token }),
    );
    expect(order).toMatchObject({ status: 'REJECTED', reasonCode: 'PRODUCT_UNAVAILABLE' });
    expect(order.reason).toContain('"ghost"');
    expect(await stockOf(ghost)).toBe(5);
  });

  it('a duplicate delivery of the same job moves stock once', async () => {
    const fig = await createProduct(app, admin, { name: 'fig', price: 1, stock: 10 });
    const res = await placeOrder(app, alice.token, [{ id: fig, quantity: 4 }]);
    const { id } = orderOf(res);
    await waitForTerminal(app, [id]);
    expect(await stockOf(fig)).toBe(6);
    // Deliver the job again, twice, as pg-boss would after an expiry or a retry.
    const again = await Promise.all([
      app.deps.queue.send(ORDER_QUEUE, { orderId: id }),
      app.deps.queue.send(ORDER_QUEUE, { orderId: id }),
    ]);
    await vi.waitFor(
      async () => {
        const [row] = rows(
          z.object({ n: z.bigint() }),
          await app.deps.db.$queryRaw`
          SELECT count(*) AS n FROM pgboss.job WHERE id = ANY(${again}::uuid[]) AND state = 'completed'`,
        );
        expect(Number(row?.n)).toBe(2);
      },
      { timeout: 10_000, message: 'the duplicate jobs to complete' },
    );
    expect(await stockOf(fig)).toBe(6);
    const reservations = await app.deps.db.stockMovement.count({
      where: { reference: id, reason: 'ORDER_RESERVE' },
    });
    expect(reservations).toBe(1);
    // These extra jobs had no order insert of their own; account for them in the 1:1 check.
    await app.deps.db.$executeRaw`DELETE FROM pgboss.job WHERE id = ANY(${again}::uuid[])`;
  });
});

describe('bad input changes nothing', () => {
  let product: string;
  let deleted: string;
  beforeAll(async () => {
    product = await createProduct(app, admin, { name: 'input-check', price: 1, stock: 5 });
    deleted = await createProduct(app, admin, { name: 'input-check-deleted', price: 1, stock: 5 });
    await http(app, 'DELETE', `/product/${deleted}`, { token: admin });
  });

  const line = (quantity: number, id?: string) => ({ id: id ?? product, quantity });
  // Deliberately ill-typed lines, as a client in another language might send them.
  const raw = (quantity: unknown) => ({ id: product, quantity });
  it.each([
    ['no items field', () => ({})],
    ['empty items', () => ({ items: [] })],
    ['items not an array', () => ({ items: 'all of them' })],
    ['51 lines', () => ({ items: Array.from({ length: 51 }, () => line(1)) })],
    ['quantity 0', () => ({ items: [line(0)] })],
    ['negative quantity', () => ({ items: [line(-1)] })],
    ['fractional quantity', () => ({ items: [line(1.5)] })],
    ['quantity 1001', () => ({ items: [line(1001)] })],
    ['huge quantity', () => ({ items: [line(1e20)] })],
    ['string quantity', () => ({ items: [raw('2')] })],
    ['null quantity', () => ({ items: [raw(null)] })],
    ['malformed product id', () => ({ items: [line(1, 'not-a-uuid')] })],
    ['SQL as product id', () => ({ items: [line(1, "1' OR 1=1 --")] })],
    ['unknown product', () => ({ items: [line(1, '01900000-0000-7000-8000-000000000000')] })],
    ['deleted product', () => ({ items: [line(1, deleted)] })],
    ['merged lines over 1000', () => ({ items: [line(600), line(600)] })],
    ['a client-sent price', () => ({ items: [{ id: product, quantity: 1, price: 0 }] })],
    ['extra top-level field', () => ({ items: [line(1)], total: '0.01' })],
  ])('%s → 400, no order, no job', async (_name, body) => {
    const [orders, jobs] = [await orderCount(), await jobCount()];
    const res = await http(app, 'POST', '/order', { body: body(), token: alice.token });
    expect(res.status, res.text).toBe(400);
    expect(res.json).toMatchObject({ code: 'BAD_REQUEST', message: expect.any(String) });
    expect([await orderCount(), await jobCount()]).toEqual([orders, jobs]);
  });

  it('10,000 lines → 4xx (too large), anonymous → 401, malformed JSON → 400; nothing written', async () => {
    const [orders, jobs] = [await orderCount(), await jobCount()];
    const huge = await http(app, 'POST', '/order', {
      body: { items: Array.from({ length: 10_000 }, () => line(1)) },
      token: alice.token,
    });
    expect([400, 413]).toContain(huge.status);
    expect((await http(app, 'POST', '/order', { body: { items: [line(1)] } })).status).toBe(401);
    const malformed = await http(app, 'POST', '/order', {
      headers: { 'content-type': 'application/json' },
      rawBody: '{"items": [',
      token: alice.token,
    });
    expect(malformed.status).toBe(400);
    for (const key of ['', 'x'.repeat(256), 'has space']) {
      const res = await placeOrder(app, alice.token, [line(1)], { 'Idempotency-Key': key });
      expect(res.status, `key ${JSON.stringify(key)}`).toBe(400);
    }
    expect([await orderCount(), await jobCount()]).toEqual([orders, jobs]);
  });

  it('an order whose job cannot be enqueued is not created at all (one transaction)', async () => {
    const [orders, jobs] = [await orderCount(), await jobCount()];
    await app.deps.db.$executeRawUnsafe(`
      CREATE FUNCTION refuse_jobs() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'injected: job insert refused'; END; $$`);
    await app.deps.db.$executeRawUnsafe(
      'CREATE TRIGGER refuse_jobs BEFORE INSERT ON pgboss.job FOR EACH ROW EXECUTE FUNCTION refuse_jobs()',
    );
    try {
      const res = await placeOrder(app, alice.token, [line(1)]);
      expect(res.status).toBe(500);
      expect(res.json).toEqual({ code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' });
      expect(res.text).not.toContain('injected');
    } finally {
      await app.deps.db.$executeRawUnsafe('DROP TRIGGER refuse_jobs ON pgboss.job');
      await app.deps.db.$executeRawUnsafe('DROP FUNCTION refuse_jobs()');
    }
    expect([await orderCount(), await jobCount()]).toEqual([orders, jobs]);
  });
});

describe('idempotency', () => {
  let product: string;
  beforeAll(async () => {
    product = await createProduct(app, admin, { name: 'idempotent plum', price: 3, stock: 1000 });
  });

  it('a replay returns the original order; a different body with the key is 422', async () => {
    const headers = { 'Idempotency-Key': 'checkout-1' };
    const first = await placeOrder(app, alice.token, [{ id: product, quantity: 2 }], headers);
    expect(first.status).toBe(202);
    const [orders, jobs] = [await orderCount(), await jobCount()];
    const replay = await placeOrder(app, alice.token, [{ id: product, quantity: 2 }], headers);
    expect(replay.status).toBe(202);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(orderOf(replay).id).toBe(orderOf(first).id);
    const different = await placeOrder(app, alice.token, [{ id: product, quantity: 3 }], headers);
    expect(different.status).toBe(422);
    expect(different.json).toMatchObject({ code: 'UNPROCESSABLE_CONTENT' });
    expect([await orderCount(), await jobCount()]).toEqual([orders, jobs]);
    // Keys are per user: Bob's "checkout-1" is his own order.
    const bobs = await placeOrder(app, bob.token, [{ id: product, quantity: 2 }], headers);
    expect(bobs.status).toBe(202);
    expect(orderOf(bobs).id).not.toBe(orderOf(first).id);
  });

  it('50 concurrent requests with one key create exactly one order and one job', async () => {
    const [orders, jobs] = [await orderCount(), await jobCount()];
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        placeOrder(app, alice.token, [{ id: product, quantity: 1 }], {
          'Idempotency-Key': 'burst-7',
        }),
      ),
    );
    expect(responses.map((r) => r.status).every((s) => s === 202)).toBe(true);
    expect(new Set(responses.map((r) => orderOf(r).id)).size).toBe(1);
    expect([await orderCount(), await jobCount()]).toEqual([orders + 1, jobs + 1]);
  });

  it('works over tRPC with the key as input', async () => {
    const client = createChronicleClient({
      url: app.url,
      getToken: () => alice.token,
    });
    const a = await client.order.create.mutate({
      items: [{ id: product, quantity: 1 }],
      idempotencyKey: 'trpc-1',
    });
    const b = await client.order.create.mutate({
      items: [{ id: product, quantity: 1 }],
      idempotencyKey: 'trpc-1',
    });
    expect(b.order.id).toBe(a.order.id);
    await expect(
      client.order.create.mutate({
        items: [{ id: product, quantity: 5 }],
        idempotencyKey: 'trpc-1',
      }),
    ).rejects.toMatchObject({ data: { code: 'UNPROCESSABLE_CONTENT', httpStatus: 422 } });
  });
});

describe('reading and cancelling', () => {
  let worker: Worker | undefined;
  afterAll(async () => {
    await worker?.stop();
  });

  it("another user's order is 404 on read and cancel; lists show only one's own", async () => {
    const item = await createProduct(app, admin, { name: 'private melon', price: 1, stock: 5 });
    const mine = orderOf(await placeOrder(app, alice.token, [{ id: item, quantity: 1 }]));
    const asBob = await http(app, 'GET', `/order/${mine.id}`, { token: bob.token });
    expect(asBob.status).toBe(404);
    expect(asBob.json).toEqual({ code: 'NOT_FOUND', message: 'Order not found' });
    expect((await http(app, 'POST', `/order/${mine.id}/cancel`, { token: bob.token })).status).toBe(
      404,
    );
    expect((await http(app, 'GET', `/order/${mine.id}`)).status).toBe(401);
    expect((await http(app, 'GET', '/order/not-a-uuid', { token: bob.token })).status).toBe(400);

    const bobsList = expectStatus(await http(app, 'GET', '/order', { token: bob.token }), 200).json;
    expect(bobsList.items.every((o) => o.userId === bob.id)).toBe(true);
    // Filters a USER sends for other users are ignored: still only their own.
    const sneaky = expectStatus(
      await http(app, 'GET', `/order?userId=${alice.id}`, { token: bob.token }),
      200,
    ).json;
    expect(sneaky.items.every((o) => o.userId === bob.id)).toBe(true);

    const asAdmin = await http(app, 'GET', `/order/${mine.id}`, { token: admin });
    expect(asAdmin.status).toBe(200);
    const filtered = expectStatus(
      await http(app, 'GET', `/order?userId=${alice.id}&status=PENDING&limit=100`, {
        token: admin,
      }),
      200,
    ).json;
    expect(filtered.items.length).toBeGreaterThan(0);
    expect(filtered.items.every((o) => o.userId === alice.id && o.status === 'PENDING')).toBe(true);
  });

  it('pages through orders newest first without repeats', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await http(app, 'GET', `/order?limit=3${cursor ? `&cursor=${cursor}` : ''}`, {
        token: admin,
      });
      // Annotated: through `cursor`, the route's type depends on the previous page.
      const page: RestBody<'GET', '/order', 200> = expectStatus(res, 200).json;
      seen.push(...page.items.map((o) => o.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.length).toBe(await orderCount());
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort().reverse()).toEqual(seen);
  });

  it('cancelling a PENDING order makes the worker skip it', async () => {
    const item = await createProduct(app, admin, { name: 'skipped lychee', price: 1, stock: 5 });
    const placed = orderOf(await placeOrder(app, alice.token, [{ id: item, quantity: 2 }]));
    const cancelled = await http(app, 'POST', `/order/${placed.id}/cancel`, { token: alice.token });
    expect(cancelled.status).toBe(200);
    expect(orderOf(cancelled).status).toBe('CANCELLED');
    worker = await startInProcessWorker(app);
    await vi.waitFor(
      async () => {
        const [row] = rows(
          z.object({ state: z.string() }),
          await app.deps.db.$queryRaw`
          SELECT state::text FROM pgboss.job WHERE name = ${ORDER_QUEUE} AND data->>'orderId' = ${placed.id}`,
        );
        expect(row?.state).toBe('completed');
      },
      { timeout: 10_000, message: 'the job of the cancelled order to complete' },
    );
    expect(
      orderOf(await http(app, 'GET', `/order/${placed.id}`, { token: alice.token })).status,
    ).toBe('CANCELLED');
    expect(await stockOf(item)).toBe(5);
  });

  it('cancelling a CONFIRMED order restores stock exactly once, even when two cancels race', async () => {
    const item = await createProduct(app, admin, { name: 'racing papaya', price: 1, stock: 10 });
    const placed = orderOf(await placeOrder(app, alice.token, [{ id: item, quantity: 4 }]));
    await waitForTerminal(app, [placed.id]);
    expect(await stockOf(item)).toBe(6);
    const [a, b] = await Promise.all([
      http(app, 'POST', `/order/${placed.id}/cancel`, { token: alice.token }),
      http(app, 'POST', `/order/${placed.id}/cancel`, { token: admin }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    expect(await stockOf(item)).toBe(10);
    const restocks = await app.deps.db.stockMovement.count({
      where: { reference: placed.id, reason: 'ORDER_CANCEL' },
    });
    expect(restocks).toBe(1);
    // The product's cached view follows at once.
    expect((await http(app, 'GET', `/product/${item}`)).json).toMatchObject({
      product: { stock: 10 },
    });
    expect(
      (await http(app, 'POST', `/order/${placed.id}/cancel`, { token: alice.token })).status,
    ).toBe(409);
  });

  it('a REJECTED order cannot be cancelled (409)', async () => {
    const item = await createProduct(app, admin, { name: 'rare durian', price: 1, stock: 0 });
    const placed = orderOf(await placeOrder(app, alice.token, [{ id: item, quantity: 1 }]));
    await waitForTerminal(app, [placed.id]);
    const res = await http(app, 'POST', `/order/${placed.id}/cancel`, { token: alice.token });
    expect(res.status).toBe(409);
    expect(res.json).toMatchObject({
      code: 'CONFLICT',
      message: 'Order is REJECTED and cannot be cancelled',
    });
  });
});

describe('under real concurrency', () => {
  it('never oversells: 400 concurrent orders from 40 users for 100 units, two worker processes', async () => {
    const hot = await createProduct(app, admin, {
      name: 'flash-sale console',
      price: '499.99',
      stock: 100,
    });
    const users = await Promise.all(Array.from({ length: 40 }, () => signIn(app)));
    // Small batches, one at a time per process: 400 orders make at least 80 batches, so
    // neither process can settle them all before the other's next poll (every 0.5 s).
    const small = { WORKER_BATCH_SIZE: '5', WORKER_CONCURRENCY: '1' };
    const workers = [startWorkerProcess(app, small), startWorkerProcess(app, small)];
    try {
      await Promise.all(workers.map((w) => w.waitForLog((l) => l.msg === 'worker started')));
      const responses = await Promise.all(
        Array.from({ length: 400 }, (_, i) =>
          placeOrder(app, users[i % 40]?.token ?? '', [{ id: hot, quantity: 1 }]),
        ),
      );
      expect(responses.every((r) => r.status === 202)).toBe(true);
      const ids = responses.map((r) => orderOf(r).id);
      let lowest = 100;
      await vi.waitFor(
        async () => {
          lowest = Math.min(lowest, await stockOf(hot));
          const pending = await app.deps.db.order.count({
            where: { id: { in: ids }, status: 'PENDING' },
          });
          expect(pending).toBe(0);
        },
        { timeout: 90_000, interval: 50, message: 'all 400 orders to settle' },
      );
      expect(lowest).toBeGreaterThanOrEqual(0);
      const byStatus = await app.deps.db.order.groupBy({
        by: ['status'],
        where: { id: { in: ids } },
        _count: true,
      });
      const counts = Object.fromEntries(byStatus.map((g) => [g.status, g._count]));
      expect(counts).toEqual({ CONFIRMED: 100, REJECTED: 300 });
      expect(await stockOf(hot)).toBe(0);
      const reasons = await app.deps.db.order.findMany({
        where: { id: { in: ids }, status: 'REJECTED' },
        select: { reasonCode: true, reason: true },
      });
      expect(
        reasons.every(
          (r) => r.reasonCode === 'OUT_OF_STOCK' && r.reason?.includes('flash-sale console'),
        ),
      ).toBe(true);
      // Both processes really took part.
      for (const w of workers) expect(w.logs.some((l) => l.msg === 'order processed')).toBe(true);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
  });

  it('multi-line orders over shared products in random order: no deadlock, all-or-nothing', async () => {
    const products = await Promise.all(
      ['a', 'b', 'c', 'd', 'e'].map((n) =>
        createProduct(app, admin, { name: `shared ${n}`, price: 1, stock: 60 }),
      ),
    );
    const workers = [
      startWorkerProcess(app, { WORKER_CONCURRENCY: '6' }),
      startWorkerProcess(app, { WORKER_CONCURRENCY: '6' }),
    ];
    try {
      await Promise.all(workers.map((w) => w.waitForLog((l) => l.msg === 'worker started')));
      const shuffled = () =>
        [...products].sort(() => Math.random() - 0.5).slice(0, 2 + Math.floor(Math.random() * 4));
      const responses = await Promise.all(
        Array.from({ length: 150 }, () =>
          placeOrder(
            app,
            alice.token,
            shuffled().map((id) => ({ id, quantity: 1 + Math.floor(Math.random() * 3) })),
          ),
        ),
      );
      const ids = responses.map((r) => orderOf(r).id);
      await waitForTerminal(app, ids, 90_000);
      const statuses = await app.deps.db.order.groupBy({
        by: ['status'],
        where: { id: { in: ids } },
        _count: true,
      });
      expect(statuses.every((s) => s.status === 'CONFIRMED' || s.status === 'REJECTED')).toBe(true);
      // No job needed a retry: nothing deadlocked or timed out.
      const [retried] = rows(
        z.object({ n: z.bigint() }),
        await app.deps.db.$queryRaw`
        SELECT count(*) AS n FROM pgboss.job WHERE name = ${ORDER_QUEUE} AND retry_count > 0`,
      );
      expect(Number(retried?.n)).toBe(0);
      await checkInvariants(app);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
  });
});
