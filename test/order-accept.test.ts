// Group commit of order accepts (packages/core/src/order/order.accept.ts, behind
// createServices' orders.place) against the real PostgreSQL and pg-boss: what one group writes,
// how a failing order is isolated, and how idempotency keys behave inside a group, across groups
// and across processes.
import { createHash, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { startServer } from '@chronicle/api';
import {
  createLogger,
  createServices,
  DomainError,
  ORDER_QUEUE,
  type CreateOrderInput,
  type Services,
  rows,
} from '@chronicle/core';
import {
  createProduct,
  http,
  openTestApiDeps,
  signIn,
  startTestApp,
  type TestApp,
} from '@chronicle/testing';
import { listeningUrl, orderOf, placeOrder, startApiProcess } from './support/orders.ts';

let app: TestApp;
let admin: string;
const logger = createLogger({ LOG_LEVEL: 'silent' }, 'order-accept-test');

const count = async (sql: string): Promise<number> => {
  const [row] = rows(z.object({ n: z.bigint() }), await app.deps.db.$queryRawUnsafe(sql));
  return Number(row?.n ?? 0);
};
const totals = async () => ({
  orders: await count('SELECT count(*) AS n FROM orders'),
  lines: await count('SELECT count(*) AS n FROM order_items'),
  jobs: await count(`SELECT count(*) AS n FROM pgboss.job WHERE name = '${ORDER_QUEUE}'`),
});

/** Since `before`: `orders` more orders, each with its job, and `lines` more lines (one each). */
async function expectGrowth(
  before: Awaited<ReturnType<typeof totals>>,
  orders: number,
  lines = orders,
): Promise<void> {
  expect(await totals()).toEqual({
    orders: before.orders + orders,
    lines: before.lines + lines,
    jobs: before.jobs + orders,
  });
}

type PlacedOrder = Awaited<ReturnType<Services['orders']['place']>>;

/**
 * Services of the test's own on the app's database, queue and cache (so with an order acceptor
 * of their own, as another API process would have), recording the sizes of their groups.
 */
function acceptor(): {
  orders: Services['orders'];
  groups: number[];
  close: () => Promise<void>;
} {
  const groups: number[] = [];
  const services = createServices({
    db: app.deps.db,
    queue: app.deps.queue,
    catalog: app.deps.catalog,
    logger,
    observers: [{ grouped: (size) => groups.push(size) }],
  });
  return { orders: services.orders, groups, close: () => services.close() };
}

async function newUser(): Promise<string> {
  const user = await app.deps.db.user.create({
    data: { email: `buyer-${randomUUID()}@example.com`, passwordHash: 'not-a-hash' },
    select: { id: true },
  });
  return user.id;
}

const lines = (...items: [string, number][]): CreateOrderInput['items'] =>
  items.map(([id, quantity]) => ({ id, quantity }));
const hashOf = (merged: { productId: string; quantity: number }[]) =>
  createHash('sha256').update(JSON.stringify(merged)).digest('hex');
const placed = (result: PromiseSettledResult<PlacedOrder> | undefined): PlacedOrder => {
  if (result?.status !== 'fulfilled') throw new Error(`not placed: ${String(result?.reason)}`);
  return result.value;
};
const failure = (result: PromiseSettledResult<PlacedOrder> | undefined): unknown => {
  if (result?.status !== 'rejected') throw new Error('expected a rejection');
  return result.reason;
};

beforeAll(async () => {
  app = await startTestApp({ DATABASE_POOL_MAX: '10' });
  admin = (await signIn(app, 'ADMIN')).token;
});
afterAll(async () => {
  // Transactional enqueue: every order has exactly one job and every job an order.
  expect(
    await count(`SELECT count(*) AS n FROM orders o WHERE (SELECT count(*) FROM pgboss.job j
       WHERE j.name = '${ORDER_QUEUE}' AND j.data->>'orderId' = o.id::text) <> 1`),
  ).toBe(0);
  expect(
    await count(`SELECT count(*) AS n FROM pgboss.job j WHERE j.name = '${ORDER_QUEUE}'
       AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.id::text = j.data->>'orderId')`),
  ).toBe(0);
  await app.close();
});

describe('one group', () => {
  it('mixes valid orders, unknown and deleted products, an oversized line and repeated keys', async () => {
    const mango = await createProduct(app, admin, { name: 'group mango', price: 2.5, stock: 50 });
    const pear = await createProduct(app, admin, { name: 'group pear', price: '0.10', stock: 50 });
    const gone = await createProduct(app, admin, { name: 'group gone', price: 1, stock: 50 });
    await app.deps.db.product.update({ where: { id: gone }, data: { deletedAt: new Date() } });
    const unknown = randomUUID();
    const [alice, bob] = [await newUser(), await newUser()];
    const { orders, groups, close } = acceptor();
    const before = await totals();

    // The first request is written alone; everything placed while it is written forms group 2.
    const earlier = orders.place(alice, { items: lines([mango, 1]), idempotencyKey: 'earlier' });
    const results = await Promise.allSettled([
      orders.place(alice, { items: lines([mango, 2], [pear, 3]) }), // 0 new
      orders.place(bob, { items: lines([pear, 1]) }), // 1 new
      orders.place(alice, { items: lines([unknown, 1]) }), // 2 unknown product
      orders.place(bob, { items: lines([mango, 1], [gone, 1]) }), // 3 deleted product
      orders.place(alice, { items: lines([mango, 600], [mango, 600]) }), // 4 over 1,000 merged
      orders.place(alice, { items: lines([pear, 1], [mango, 1]), idempotencyKey: 'dup' }), // 5 new
      orders.place(alice, { items: lines([mango, 1], [pear, 1]), idempotencyKey: 'dup' }), // 6 = 5
      orders.place(alice, { items: lines([mango, 2]), idempotencyKey: 'dup' }), // 7 422
      orders.place(bob, { items: lines([mango, 2]), idempotencyKey: 'dup' }), // 8 bob's own
      orders.place(alice, { items: lines([mango, 1]), idempotencyKey: 'earlier' }), // 9 replay
      orders.place(alice, { items: lines([mango, 5]), idempotencyKey: 'earlier' }), // 10 422
      orders.place(alice, { items: lines([unknown, 1]), idempotencyKey: 'retry' }), // 11 unknown
      orders.place(alice, { items: lines([pear, 4]), idempotencyKey: 'retry' }), // 12 new
    ]);
    const first = await earlier;

    const created = [0, 1, 5, 8, 12].map((i) => placed(results[i]));
    expect(created.every((p) => !p.replayed && p.order.status === 'PENDING')).toBe(true);
    expect(new Set(created.map((p) => p.order.id)).size).toBe(5);
    expect(placed(results[0]).order).toMatchObject({
      userId: alice,
      total: '5.30',
      reason: null,
      reasonCode: null,
      items: [
        { productId: mango, name: 'group mango', quantity: 2, unitPrice: '2.50' },
        { productId: pear, name: 'group pear', quantity: 3, unitPrice: '0.10' },
      ].sort((a, b) => (a.productId < b.productId ? -1 : 1)),
    });
    // The same (user, key, body) in one group is one order; replays carry the original.
    expect(placed(results[6])).toEqual({ order: placed(results[5]).order, replayed: true });
    expect(placed(results[9])).toEqual({ order: first.order, replayed: true });
    expect(placed(results[8]).order.id).not.toBe(placed(results[5]).order.id);
    for (const i of [7, 10]) {
      expect(failure(results[i])).toMatchObject({ kind: 'UNPROCESSABLE_CONTENT' });
    }
    for (const [i, product] of [
      [2, unknown],
      [3, gone],
      [11, unknown],
    ] as const) {
      const error = failure(results[i]);
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ kind: 'BAD_REQUEST' });
      expect((error as Error).message).toBe(`Unknown or deleted product: ${product}`);
    }
    expect(failure(results[4])).toMatchObject({ kind: 'BAD_REQUEST' });
    // The request behind a key whose first request failed goes on alone, in a group of its own.
    expect(groups).toEqual([1, 12, 1]);

    // Exactly 6 orders (earlier + 5), 8 lines and 6 jobs; rows as the one-order path wrote them.
    await expectGrowth(before, 6, 8);
    const stored = await app.deps.db.order.findMany({
      where: { id: { in: [first, ...created].map((p) => p.order.id) } },
      select: { id: true, total: true, idempotencyKey: true, requestHash: true, status: true },
    });
    const row = (p: PlacedOrder) => stored.find((s) => s.id === p.order.id);
    expect(row(placed(results[0]))).toMatchObject({ idempotencyKey: null, requestHash: null });
    expect(row(placed(results[0]))?.total.toFixed(2)).toBe('5.30');
    const dupLines = [
      { productId: mango, quantity: 1 },
      { productId: pear, quantity: 1 },
    ].sort((a, b) => (a.productId < b.productId ? -1 : 1));
    expect(row(placed(results[5]))).toMatchObject({
      idempotencyKey: 'dup',
      requestHash: hashOf(dupLines),
    });
    expect(row(placed(results[12]))).toMatchObject({
      idempotencyKey: 'retry',
      requestHash: hashOf([{ productId: pear, quantity: 4 }]),
    });
    // What a read returns is what the accept answered.
    const read = await app.deps.db.order.findUniqueOrThrow({
      where: { id: placed(results[0]).order.id },
      select: { createdAt: true, updatedAt: true },
    });
    expect(read).toEqual({
      createdAt: placed(results[0]).order.createdAt,
      updatedAt: placed(results[0]).order.updatedAt,
    });
    await close();
  });

  it('writes jobs exactly as queue.send() does, with the queue’s retry, expiry and dead-letter options', async () => {
    const product = await createProduct(app, admin, { name: 'job shape', price: 1, stock: 5 });
    const { orders, close } = acceptor();
    const { order } = await orders.place(await newUser(), { items: lines([product, 1]) });
    const reference = await app.deps.queue.send(ORDER_QUEUE, { orderId: order.id });
    const shape = `to_jsonb(j) - ARRAY['id', 'data', 'created_on', 'start_after', 'keep_until']
                   || jsonb_build_object('kept', extract(epoch FROM keep_until - start_after),
                                         'dataKeys', (SELECT array_agg(k) FROM jsonb_object_keys(j.data) k))`;
    const jobs = rows(
      z.object({ id: z.string(), shape: z.unknown() }),
      await app.deps.db.$queryRawUnsafe(
        `SELECT id::text AS id, ${shape} AS shape FROM pgboss.job j
       WHERE name = $1 AND data->>'orderId' = $2`,
        ORDER_QUEUE,
        order.id,
      ),
    );
    await app.deps.db.$executeRaw`DELETE FROM pgboss.job WHERE id = ${reference}::uuid`;
    expect(jobs).toHaveLength(2);
    const [a, b] = jobs;
    expect(a?.shape).toEqual(b?.shape);
    expect(a?.shape).toMatchObject({
      dead_letter: 'order-fulfilment-dead',
      retry_backoff: true,
      state: 'created',
    });
    await close();
  });

  it('caps a group at 200; hundreds of concurrent accepts → exactly that many orders and jobs', async () => {
    const product = await createProduct(app, admin, { name: 'many', price: '0.01', stock: 5 });
    const users = await Promise.all(Array.from({ length: 10 }, newUser));
    const { orders, groups, close } = acceptor();
    const before = await totals();
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        orders.place(users[i % users.length] ?? '', { items: lines([product, 1 + (i % 3)]) }),
      ),
    );
    expect(groups).toEqual([1, 200, 99]);
    expect(new Set(results.map((r) => r.order.id)).size).toBe(300);
    expect(results.every((r) => !r.replayed)).toBe(true);
    await expectGrowth(before, 300);
    // Ids are time-ordered in acceptance order, as listings (newest first by id) assume.
    const ids = results.map((r) => r.order.id);
    expect([...ids].sort()).toEqual(ids);
    await close();
  });
});

describe('a group whose transaction fails', () => {
  const TRIGGER = `
    CREATE FUNCTION refuse_quantity_13() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.quantity = 13 THEN RAISE EXCEPTION 'injected: line refused'; END IF;
      RETURN NEW;
    END; $$`;
  beforeAll(async () => {
    await app.deps.db.$executeRawUnsafe(TRIGGER);
    await app.deps.db.$executeRawUnsafe(
      'CREATE TRIGGER refuse_quantity_13 BEFORE INSERT ON order_items FOR EACH ROW EXECUTE FUNCTION refuse_quantity_13()',
    );
  });
  afterAll(async () => {
    await app.deps.db.$executeRawUnsafe('DROP TRIGGER refuse_quantity_13 ON order_items');
    await app.deps.db.$executeRawUnsafe('DROP FUNCTION refuse_quantity_13()');
  });

  it('fails only the bad order; the others commit once, a follower of its key goes on alone', async () => {
    const product = await createProduct(app, admin, { name: 'isolated', price: 1, stock: 5 });
    const user = await newUser();
    const { orders, groups, close } = acceptor();
    const before = await totals();
    const blocker = orders.place(user, { items: lines([product, 1]) });
    const results = await Promise.allSettled([
      ...Array.from({ length: 30 }, (_, i) =>
        orders.place(user, { items: lines([product, i === 17 ? 13 : 1 + (i % 5)]) }),
      ),
      orders.place(user, { items: lines([product, 13]), idempotencyKey: 'doomed' }),
      orders.place(user, { items: lines([product, 2]), idempotencyKey: 'doomed' }),
    ]);
    await blocker;
    const refused = [17, 30];
    for (const [i, result] of results.entries()) {
      if (refused.includes(i)) {
        expect(String(failure(result))).toContain('injected: line refused');
      } else {
        expect(placed(result).replayed).toBe(false);
      }
    }
    // The follower of the refused key had a different body: it creates the key's order itself.
    expect(placed(results[31]).order.items).toMatchObject([{ quantity: 2 }]);
    expect(groups).toEqual([1, 32, 1]);
    // 1 + 30 + 2 placed; 2 refused; nothing doubled by the retried halves.
    await expectGrowth(before, 31);
    expect(await app.deps.db.orderItem.count({ where: { productId: product, quantity: 13 } })).toBe(
      0,
    );
    await close();
  });

  it('over HTTP: the refused order is a 500 without internals; the rest of its group is 202', async () => {
    const user = await signIn(app);
    const product = await createProduct(app, admin, { name: 'isolated http', price: 1, stock: 5 });
    const before = await totals();
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        placeOrder(app, user.token, [{ id: product, quantity: i === 25 ? 13 : 1 }]),
      ),
    );
    expect(responses.map((r) => r.status).filter((s) => s !== 202)).toEqual([500]);
    expect(responses[25]?.json).toEqual({
      code: 'INTERNAL_SERVER_ERROR',
      message: 'Internal server error',
    });
    await expectGrowth(before, 39);
  });
});

describe('one Idempotency-Key, many concurrent requests', () => {
  it('in one group: one order, one creator, every other request a replay', async () => {
    const product = await createProduct(app, admin, { name: 'one key', price: 3, stock: 5 });
    const user = await newUser();
    const { orders, groups, close } = acceptor();
    const before = await totals();
    const blocker = orders.place(user, { items: lines([product, 1]) });
    const results = await Promise.all(
      Array.from({ length: 40 }, () =>
        orders.place(user, { items: lines([product, 2]), idempotencyKey: 'same-key' }),
      ),
    );
    await blocker;
    expect(groups).toEqual([1, 40]);
    expect(new Set(results.map((r) => r.order.id)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    await expectGrowth(before, 2);
    await close();
  });

  it('taken by another process while the group is written: replayed, never doubled', async () => {
    const product = await createProduct(app, admin, { name: 'raced key', price: 4, stock: 5 });
    const user = await newUser();
    const body = lines([product, 3]);
    const hash = hashOf([{ productId: product, quantity: 3 }]);
    // "Another process": its order, line and job in a transaction still open.
    const other = new pg.Client({ connectionString: app.env.DATABASE_URL });
    await other.connect();
    const theirs = randomUUID();
    const before = await totals();
    const { orders, close } = acceptor();
    try {
      await other.query('BEGIN');
      await other.query(
        `INSERT INTO orders (id, user_id, total, idempotency_key, request_hash, updated_at)
         VALUES ($1, $2, 12, 'raced', $3, now())`,
        [theirs, user, hash],
      );
      await other.query(
        'INSERT INTO order_items (order_id, product_id, quantity, unit_price) VALUES ($1, $2, 3, 4)',
        [theirs, product],
      );
      await app.deps.queue.send(
        ORDER_QUEUE,
        { orderId: theirs },
        {
          db: {
            executeSql: async (text: string, values?: unknown[]) => other.query(text, values),
          },
        },
      );
      const results = Promise.allSettled([
        orders.place(user, { items: body, idempotencyKey: 'raced' }),
        orders.place(user, { items: lines([product, 1]), idempotencyKey: 'raced' }),
        orders.place(user, { items: lines([product, 1]) }),
      ]);
      // The group's insert waits on the unique index for the open transaction to end.
      await vi.waitFor(
        async () => {
          expect(
            await count(
              `SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%INSERT INTO orders%'`,
            ),
          ).toBeGreaterThan(0);
        },
        { timeout: 10_000, interval: 20 },
      );
      await other.query('COMMIT');
      const [same, different, unrelated] = await results;
      expect(placed(same)).toMatchObject({ replayed: true, order: { id: theirs, total: '12.00' } });
      expect(failure(different)).toMatchObject({ kind: 'UNPROCESSABLE_CONTENT' });
      expect(placed(unrelated).replayed).toBe(false);
    } finally {
      await other.end();
      await close();
    }
    expect(
      await app.deps.db.order.count({ where: { userId: user, idempotencyKey: 'raced' } }),
    ).toBe(1);
    await expectGrowth(before, 2);
  });

  it('over HTTP through two API instances on one database: exactly one order', async () => {
    const user = await signIn(app);
    const product = await createProduct(app, admin, { name: 'two apis', price: 1, stock: 5 });
    const secondDeps = await openTestApiDeps(app.env);
    const second = await startServer(secondDeps, 0);
    const before = await totals();
    try {
      const responses = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          http(i % 2 ? app : second, 'POST', '/order', {
            body: { items: [{ id: product, quantity: 2 }] },
            token: user.token,
            headers: { 'Idempotency-Key': 'across-apis' },
          }),
        ),
      );
      expect(responses.map((r) => r.status).every((s) => s === 202)).toBe(true);
      const ids = new Set(responses.map((r) => orderOf(r).id));
      expect(ids.size).toBe(1);
      expect(responses.filter((r) => r.headers.get('idempotent-replayed') === null)).toHaveLength(
        1,
      );
    } finally {
      await second.close();
      await secondDeps.close();
    }
    await expectGrowth(before, 1);
  });
});

describe('under HTTP load', () => {
  it('forms groups larger than one, and every accepted order has its job', async () => {
    const users = await Promise.all(Array.from({ length: 8 }, () => signIn(app)));
    const product = await createProduct(app, admin, { name: 'http load', price: 1, stock: 5 });
    const metric = async () => {
      const values = (await app.deps.metrics.orderAcceptGroupSize.get()).values;
      const sample = (name: string, le?: number) =>
        values.find((v) => v.metricName === name && (le === undefined || v.labels.le === le))
          ?.value ?? 0;
      return {
        groups: sample('chronicle_order_accept_group_size_count'),
        requests: sample('chronicle_order_accept_group_size_sum'),
        single: sample('chronicle_order_accept_group_size_bucket', 1),
      };
    };
    const [before, rows] = [await metric(), await totals()];
    const responses = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        placeOrder(app, users[i % users.length]?.token ?? '', [{ id: product, quantity: 1 }]),
      ),
    );
    expect(responses.every((r) => r.status === 202)).toBe(true);
    const after = await metric();
    expect(after.requests - before.requests).toBe(300);
    const groups = after.groups - before.groups;
    // Fewer commits than orders, and some group held more than one order.
    expect(groups).toBeLessThan(300);
    expect(after.single - before.single).toBeLessThan(groups);
    await expectGrowth(rows, 300);
  });
});

describe('an API process killed with SIGKILL while it writes groups', () => {
  it('leaves no half-written order: each is whole (lines, total, job) or absent, and every 202 is there', async () => {
    const [first, second] = await Promise.all(
      ['kill -9 a', 'kill -9 b'].map((name) =>
        createProduct(app, admin, { name, price: '2.50', stock: 5 }),
      ),
    );
    const users = await Promise.all(Array.from({ length: 16 }, () => signIn(app)));
    const api = startApiProcess(app, {
      LOG_LEVEL: 'info',
      RATE_LIMIT_IP_POINTS: '1000000',
      RATE_LIMIT_ORDER_POINTS: '1000000',
    });
    const before = await totals();
    const acknowledged: string[] = [];
    let cut = 0;
    try {
      const target = { url: await listeningUrl(api) };
      let killed = false;
      // 64 shoppers order without pause, two lines each (so a half-written order would show);
      // the process is killed once 300 orders are acknowledged, with groups still being written.
      const shoppers = Array.from({ length: 64 }, async (_, i) => {
        while (!killed) {
          try {
            const res = await placeOrder(target, users[i % users.length]?.token ?? '', [
              { id: first ?? '', quantity: 1 + (i % 3) },
              { id: second ?? '', quantity: 1 },
            ]);
            // Exactly one shopper's push makes it 300.
            if (acknowledged.push(orderOf(res).id) === 300) {
              killed = true;
              await api.stop('SIGKILL');
            }
          } catch (error) {
            if (!killed) throw error;
            cut += 1;
          }
        }
      });
      await Promise.all(shoppers);
    } finally {
      await api.stop('SIGKILL');
    }
    // Requests were still in flight when it died.
    expect(cut).toBeGreaterThan(0);
    const written = rows(
      z.object({
        id: z.string(),
        total: z.string(),
        lines: z.bigint(),
        sum: z.string().nullable(),
      }),
      await app.deps.db.$queryRaw`
        SELECT o.id::text AS id, o.total::text AS total, count(i.order_id) AS lines,
               sum(i.quantity * i.unit_price)::text AS sum
        FROM orders o LEFT JOIN order_items i ON i.order_id = o.id
        WHERE o.user_id = ANY(${users.map((u) => u.id)}::uuid[])
        GROUP BY o.id`,
    );
    const ids = new Set(written.map((o) => o.id));
    expect(acknowledged.filter((id) => !ids.has(id))).toEqual([]);
    expect(written.filter((o) => o.lines !== 2n || o.sum !== o.total)).toEqual([]);
    // Nothing else was written, and each order has its job (the file's afterAll checks that
    // one-to-one). Some orders may have committed after their answers could no longer be sent.
    const after = await totals();
    expect(after).toEqual({
      orders: before.orders + written.length,
      lines: before.lines + 2 * written.length,
      jobs: before.jobs + written.length,
    });
    expect(written.length).toBeGreaterThanOrEqual(acknowledged.length);
  });
});
