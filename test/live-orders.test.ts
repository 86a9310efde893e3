// Live order status end to end: a worker process's fulfilment transaction announces the change
// (trigger + NOTIFY), the API hears it on its LISTEN connection and pushes it over SSE to the
// typed client.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { rows } from '@chronicle/core';
import {
  createProduct,
  signIn,
  startTestApp,
  useTestApp,
  type RunningProcess,
} from '@chronicle/testing';
import { createChronicleClient, type Order } from '@chronicle/client';
import {
  checkInvariants,
  orderOf,
  placeOrder,
  startWorkerProcess,
  type OrderBody,
} from './support/orders.ts';

let worker: RunningProcess | undefined;
const app = useTestApp(
  {},
  {
    beforeClose: async (started) => {
      await worker?.stop();
      await checkInvariants(started);
    },
  },
);
let admin: { token: string; id: string };
let shopper: { token: string; id: string };

beforeAll(async () => {
  admin = await signIn(app, 'ADMIN');
  shopper = await signIn(app);
});

const client = (token: string) => createChronicleClient({ url: app.url, token });

async function pendingOrder(productId: string): Promise<OrderBody> {
  const res = await placeOrder(app, shopper.token, [{ id: productId, quantity: 1 }]);
  expect(res.status, res.text).toBe(202);
  return orderOf(res);
}

describe('live order status', () => {
  it('streams PENDING then CONFIRMED from a worker process to the owner and to an ADMIN', async () => {
    const product = await createProduct(app, admin.token, {
      name: 'live plum',
      price: 1,
      stock: 3,
    });
    const order = await pendingOrder(product);

    const seenByOwner: string[] = [];
    const seenByAdmin: string[] = [];
    const owner = client(shopper.token).waitForOrder(order.id, {
      timeoutMs: 30_000,
      onUpdate: (o) => seenByOwner.push(o.status),
    });
    const byAdmin = client(admin.token).waitForOrder(order.id, {
      timeoutMs: 30_000,
      onUpdate: (o) => seenByAdmin.push(o.status),
    });
    await vi.waitFor(() => {
      expect([seenByOwner, seenByAdmin]).toEqual([['PENDING'], ['PENDING']]);
    });

    worker = startWorkerProcess(app);
    const [confirmed, confirmedForAdmin] = await Promise.all([owner, byAdmin]);
    expect(confirmed.status).toBe('CONFIRMED');
    expect(confirmedForAdmin.status).toBe('CONFIRMED');
    expect(seenByOwner).toEqual(['PENDING', 'CONFIRMED']);
    expect(seenByAdmin).toEqual(['PENDING', 'CONFIRMED']);
  });

  it('a rejected order streams REJECTED with the reason', async () => {
    const product = await createProduct(app, admin.token, { name: 'live fig', price: 1, stock: 0 });
    const order = await pendingOrder(product);
    const settled = await client(shopper.token).waitForOrder(order.id, { timeoutMs: 30_000 });
    expect(settled).toMatchObject({ status: 'REJECTED', reasonCode: 'OUT_OF_STOCK' });
    expect(settled.reason).toContain('live fig');
  });

  it('keeps streaming after the API’s LISTEN connection is cut', async () => {
    await worker?.stop();
    worker = undefined;
    const product = await createProduct(app, admin.token, {
      name: 'live kiwi',
      price: 1,
      stock: 3,
    });
    const order = await pendingOrder(product);
    const updates: Order['status'][] = [];
    const waiting = client(shopper.token).waitForOrder(order.id, {
      timeoutMs: 30_000,
      onUpdate: (o) => updates.push(o.status),
    });
    await vi.waitFor(() => {
      expect(updates).toEqual(['PENDING']);
    });

    // Cut the listener, and confirm the order while it is away (its NOTIFY goes unheard).
    const [cut] = rows(
      z.object({ n: z.bigint() }),
      await app.deps.db.$queryRaw`
      SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity
      WHERE application_name = 'chronicle-order-events' AND datname = current_database()`,
    );
    expect(Number(cut?.n)).toBe(1);
    worker = startWorkerProcess(app);

    expect((await waiting).status).toBe('CONFIRMED');
    expect(updates).toEqual(['PENDING', 'CONFIRMED']);
    await vi.waitFor(() => {
      expect(app.deps.orderEvents.listening).toBe(true);
    });
  });

  it('shutdown ends open streams instead of waiting for them', async () => {
    const own = await startTestApp({ SHUTDOWN_TIMEOUT_MS: '20000' });
    try {
      const user = await signIn(own);
      const maker = await signIn(own, 'ADMIN');
      const product = await createProduct(own, maker.token, { name: 'late', price: 1, stock: 1 });
      const order = orderOf(await placeOrder(own, user.token, [{ id: product, quantity: 1 }]));
      const updates: string[] = [];
      const waiting = createChronicleClient({ url: own.url, token: user.token })
        .waitForOrder(order.id, { timeoutMs: 3_000, onUpdate: (o) => updates.push(o.status) })
        .catch((e: unknown) => e);
      await vi.waitFor(() => {
        expect(updates).toEqual(['PENDING']);
      });
      const started = Date.now();
      await own.close();
      // Well under SHUTDOWN_TIMEOUT_MS (20 s): the stream did not hold the server open.
      expect(Date.now() - started).toBeLessThan(10_000);
      // The client could not reconnect or poll a stopped server: it ends with an error.
      expect(await waiting).toBeInstanceOf(Error);
    } finally {
      await own.close();
    }
  });
});
