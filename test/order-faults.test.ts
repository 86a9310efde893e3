// Orders survive faults: a worker killed mid-batch, database connections cut, and processing
// that keeps failing (which must end in FAILED, never a stuck PENDING).
import pg from 'pg';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createProduct, openShop, signIn, useTestApp } from '@chronicle/testing';
import { ORDER_DEAD_LETTER_QUEUE, rows } from '@chronicle/core';
import {
  checkInvariants,
  orderOf,
  placeOrder,
  shopperWithOrder,
  startInProcessWorker,
  startWorkerProcess,
  waitForTerminal,
} from './support/orders.ts';

describe('a worker killed with SIGKILL in the middle of a batch', () => {
  const app = useTestApp({}, { beforeClose: checkInvariants });

  it('loses nothing: another worker finishes every order, each exactly once', async () => {
    const admin = (await signIn(app, 'ADMIN')).token;
    const user = await signIn(app);
    const products = await Promise.all(
      [1, 2, 3].map((n) => createProduct(app, admin, { name: `crash ${n}`, price: 1, stock: 150 })),
    );
    const responses = await Promise.all(
      Array.from({ length: 240 }, (_, i) =>
        placeOrder(app, user.token, [{ id: products[i % 3] ?? '', quantity: 1 }]),
      ),
    );
    const ids = responses.map((r) => orderOf(r).id);

    // Slow each job down a little so the kill lands while a batch is in flight.
    const victim = startWorkerProcess(app, {
      WORKER_BATCH_SIZE: '40',
      WORKER_CONCURRENCY: '2',
      DATABASE_STATEMENT_TIMEOUT_MS: '15000',
    });
    await victim.waitForLog((l) => l.msg === 'order processed');
    await vi.waitFor(
      async () => {
        const settled = await app.deps.db.order.count({ where: { status: { not: 'PENDING' } } });
        expect(settled).toBeGreaterThanOrEqual(20);
      },
      { timeout: 10_000, message: 'some orders to be processed' },
    );
    await victim.stop('SIGKILL');
    const settledAtKill = await app.deps.db.order.count({
      where: { id: { in: ids }, status: { not: 'PENDING' } },
    });
    expect(settledAtKill).toBeLessThan(ids.length);

    const rescuer = startWorkerProcess(app);
    try {
      // The killed worker's active jobs stop heartbeating; pg-boss retries them elsewhere.
      await waitForTerminal(app, ids, 45_000);
    } finally {
      await rescuer.stop();
    }
    const counts = await app.deps.db.order.groupBy({
      by: ['status'],
      where: { id: { in: ids } },
      _count: true,
    });
    expect(Object.fromEntries(counts.map((c) => [c.status, c._count]))).toEqual({ CONFIRMED: 240 });
    for (const id of products) {
      expect((await app.deps.db.product.findUniqueOrThrow({ where: { id } })).stock).toBe(70);
    }
    await checkInvariants(app);
  });
});

describe('database connections cut while the worker runs', () => {
  const app = useTestApp({}, { beforeClose: checkInvariants });

  it('jobs fail, are retried with backoff, and every order still settles once', async () => {
    const { shopper: user, product } = await openShop(app, {
      name: 'flaky network',
      price: 1,
      stock: 1000,
    });
    const responses = await Promise.all(
      Array.from({ length: 150 }, () =>
        placeOrder(app, user.token, [{ id: product, quantity: 2 }]),
      ),
    );
    const ids = responses.map((r) => orderOf(r).id);
    const worker = startWorkerProcess(app, { WORKER_BATCH_SIZE: '5', WORKER_CONCURRENCY: '2' });
    const admin_ = new pg.Client({ connectionString: app.env.DATABASE_URL });
    await admin_.connect();
    try {
      await worker.waitForLog((l) => l.msg === 'order processed');
      // Cut every connection the worker holds, several times, while it is busy.
      let cuts = 0;
      for (let i = 0; i < 5; i++) {
        const result = await admin_.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
           WHERE datname = current_database() AND application_name IN ('chronicle-worker', 'chronicle-queue') AND pid <> pg_backend_pid()`,
        );
        cuts += result.rowCount ?? 0;
        await vi.waitFor(
          async () => {
            const settled = await app.deps.db.order.count({
              where: { id: { in: ids }, status: { not: 'PENDING' } },
            });
            expect(settled).toBeGreaterThan(i * 15);
          },
          { timeout: 30_000, message: 'progress between cuts' },
        );
      }
      expect(cuts).toBeGreaterThan(0);
      await waitForTerminal(app, ids, 90_000);
    } finally {
      await admin_.end();
      await worker.stop();
    }
    const confirmed = await app.deps.db.order.count({
      where: { id: { in: ids }, status: 'CONFIRMED' },
    });
    expect(confirmed).toBe(150);
    expect((await app.deps.db.product.findUniqueOrThrow({ where: { id: product } })).stock).toBe(
      700,
    );
    // The worker noticed the failures rather than silently skipping work.
    expect(worker.logs.some((l) => /failed|terminat/i.test(JSON.stringify(l)))).toBe(true);
  });
});

describe('processing that keeps failing', () => {
  const app = useTestApp(
    { ORDER_JOB_RETRY_LIMIT: '1', ORDER_JOB_RETRY_DELAY_SECONDS: '1' },
    { beforeClose: checkInvariants },
  );

  it('goes to the dead-letter queue after the last retry, and the order becomes FAILED', async () => {
    const { product, placed } = await shopperWithOrder(app, 'locked away');

    // Injected fault: another session holds the products table, so every attempt times out.
    const locker = new pg.Client({ connectionString: app.env.DATABASE_URL });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE products IN ACCESS EXCLUSIVE MODE');
    const worker = await startInProcessWorker(app, {
      ORDER_JOB_RETRY_LIMIT: '1',
      ORDER_JOB_RETRY_DELAY_SECONDS: '1',
      DATABASE_STATEMENT_TIMEOUT_MS: '300',
    });
    try {
      await waitForTerminal(app, [placed.id], 60_000);
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
      await worker.stop();
    }
    const failed = await app.deps.db.order.findUniqueOrThrow({ where: { id: placed.id } });
    expect(failed).toMatchObject({ status: 'FAILED', reasonCode: 'PROCESSING_FAILED' });
    expect(failed.reason).toContain('2 attempts');
    expect((await app.deps.db.product.findUniqueOrThrow({ where: { id: product } })).stock).toBe(5);
    const [dead] = rows(
      z.object({ n: z.bigint() }),
      await app.deps.db.$queryRaw`
      SELECT count(*) AS n FROM pgboss.job WHERE name = ${ORDER_DEAD_LETTER_QUEUE} AND data->>'orderId' = ${placed.id}`,
    );
    expect(Number(dead?.n)).toBe(1);
  });
});
