// The baselines every machine-dependent figure is a ratio to, measured in the same run:
// baseline-http (a bare Express app), the database's own limits, raw-commit and raw-hot-row, and
// what accepting an order costs the database alone, raw-accept (one transaction per order) and
// raw-group-accept (group commit), through node-postgres with no HTTP and no Prisma.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import {
  coreEnvSchema,
  createLogger,
  createQueue,
  ensureOrderQueues,
  ORDER_QUEUE,
  QUEUE_SCHEMA,
} from '@chronicle/core';
import { POOL_MAX, serviceEnv, type BenchConfig } from './config.ts';
import { measureCpu, microsPer } from './cpu.ts';
import type { KindResult } from './load.ts';
import { kindOf, runLoad } from './load-client.ts';
import { BASELINE_ENTRY, startNode } from './processes.ts';
import type { Row } from './report.ts';

export interface Baselines {
  http: KindResult;
  /** The baseline server's CPU per request (µs). */
  httpCpuUs: number;
  /** Commits per second. */
  rawCommit: number;
  rawHot: number;
  rawAccept: AcceptBaseline;
  rawGroupAccept: AcceptBaseline;
}

/** Orders per second, each caller's wait for its order (ms), and the transactions written. */
export interface AcceptBaseline {
  perSecond: number;
  p50: number;
  p99: number;
  orders: number;
  transactions: number;
}

/** GET / on the baseline server, 64 connections, and the server's CPU per request. */
export async function baselineHttp(
  config: BenchConfig,
): Promise<{ http: KindResult; httpCpuUs: number }> {
  const server = startNode([BASELINE_ENTRY]);
  const port = Number((await server.waitForLog((l) => 'port' in l, 30_000)).port);
  const { result, cpuSeconds } = await measureCpu(server.child.pid, () =>
    runLoad(
      {
        engine: 'autocannon',
        url: `http://127.0.0.1:${port}`,
        paths: ['/'],
        connections: 64,
        durationS: config.scale.httpSeconds,
      },
      config.runId,
    ),
  );
  await server.stop();
  const http = kindOf(result, 'all');
  return { http, httpCpuUs: microsPer(cpuSeconds, http.count) };
}

/** `loops` concurrent loops through one pool of POOL_MAX, each committing `statement`. */
async function commitsPerSecond(
  databaseUrl: string,
  statement: string,
  seconds: number,
  loops = POOL_MAX,
): Promise<number> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: POOL_MAX });
  let commits = 0;
  const deadline = performance.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: loops }, async () => {
      while (performance.now() < deadline) {
        await pool.query(statement);
        commits += 1;
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  await pool.end();
  return Math.round(commits / elapsed);
}

/** Inserts into one table, and decrements one row, through a pool like the app's. */
export async function rawDatabase(
  db: pg.Client,
  config: BenchConfig,
): Promise<{ rawCommit: number; rawHot: number }> {
  await db.query('CREATE TABLE bench_raw (id bigserial PRIMARY KEY, v int NOT NULL)');
  await db.query('CREATE TABLE bench_hot (id int PRIMARY KEY, stock int NOT NULL)');
  await db.query('INSERT INTO bench_hot VALUES (1, 1000000000)');
  const { databaseUrl, scale } = config;
  const rawCommit = await commitsPerSecond(
    databaseUrl,
    'INSERT INTO bench_raw (v) VALUES (1)',
    scale.rawSeconds,
  );
  const rawHot = await commitsPerSecond(
    databaseUrl,
    'UPDATE bench_hot SET stock = stock - 1 WHERE id = 1 AND stock >= 1',
    scale.rawSeconds,
  );
  return { rawCommit, rawHot };
}

/** Concurrent callers of the accept baselines, as many as order-accept's connections. */
const ACCEPT_CALLERS = 128;

/** One order as the API writes it for a one-line order without an Idempotency-Key. */
interface RawOrder {
  id: string;
  userId: string;
  productId: string;
  /** One unit at the product's price: the line's unit price and the order's total. */
  price: string;
  at: Date;
}

/** A UUIDv7, as the API gives its orders (time-ordered, so the primary key is appended to). */
function uuidv7(): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(Date.now(), 0, 6);
  bytes.writeUInt8((bytes.readUInt8(6) & 0x0f) | 0x70, 6);
  bytes.writeUInt8((bytes.readUInt8(8) & 0x3f) | 0x80, 8);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

type Queue = ReturnType<typeof createQueue>;

/**
 * Writes `orders` on `client` (inside its transaction) as the acceptor does: one multi-row
 * INSERT of the orders (status PENDING, no idempotency key), one of their lines, and their
 * pg-boss jobs. The jobs go through pg-boss's own `insert` with an adapter for this client, so
 * the job rows (every column, taken from the order queue's options) are exactly those the API's
 * `queue.insert(…, { db: fromPrisma(tx) })` writes.
 */
async function writeOrders(client: pg.PoolClient, queue: Queue, orders: RawOrder[]): Promise<void> {
  const at = orders[0]?.at ?? new Date();
  await client.query(
    `INSERT INTO orders (id, user_id, status, total, idempotency_key, request_hash, created_at, updated_at)
     SELECT o.id, o.user_id, 'PENDING', o.total, NULL, NULL, $4, $4
     FROM unnest($1::uuid[], $2::uuid[], $3::numeric[]) AS o(id, user_id, total)`,
    [orders.map((o) => o.id), orders.map((o) => o.userId), orders.map((o) => o.price), at],
  );
  await client.query(
    `INSERT INTO order_items (order_id, product_id, quantity, unit_price)
     SELECT o.id, o.product_id, 1, o.price
     FROM unnest($1::uuid[], $2::uuid[], $3::numeric[]) AS o(id, product_id, price)`,
    [orders.map((o) => o.id), orders.map((o) => o.productId), orders.map((o) => o.price)],
  );
  const db = { executeSql: (text: string, values?: unknown[]) => client.query(text, values) };
  const jobs = await queue.insert(
    ORDER_QUEUE,
    orders.map((o) => ({ data: { orderId: o.id } })),
    { db, returnId: true },
  );
  if (jobs?.length !== orders.length) {
    throw new Error(`queued ${jobs?.length ?? 0} jobs for ${orders.length} orders`);
  }
}

async function inTransaction(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<void>) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await fn(client);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Number((sorted[Math.max(0, index)] ?? 0).toFixed(2));
}

/** ACCEPT_CALLERS loops placing one order after another until `seconds` have passed. */
async function acceptLoad(
  seconds: number,
  nextOrder: () => RawOrder,
  place: (order: RawOrder) => Promise<void>,
): Promise<Omit<AcceptBaseline, 'transactions'>> {
  const latencies: number[] = [];
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: ACCEPT_CALLERS }, async () => {
      while (performance.now() < deadline) {
        const sent = performance.now();
        await place(nextOrder());
        latencies.push(performance.now() - sent);
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  const sorted = Float64Array.from(latencies).sort();
  return {
    perSecond: Math.round(latencies.length / elapsed),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    orders: latencies.length,
  };
}

/** raw-accept: each order its own transaction, on the first free connection of the pool. */
async function rawAcceptOne(
  pool: pg.Pool,
  queue: Queue,
  seconds: number,
  nextOrder: () => RawOrder,
): Promise<AcceptBaseline> {
  const result = await acceptLoad(seconds, nextOrder, (order) =>
    inTransaction(pool, (client) => writeOrders(client, queue, [order])),
  );
  return { ...result, transactions: result.orders };
}

/**
 * raw-group-accept: whenever a connection of the pool is free, every order waiting is written in
 * one transaction (no timer, no size cap beyond the callers), and each caller is answered once it
 * committed.
 */
async function rawGroupAccept(
  pool: pg.Pool,
  queue: Queue,
  seconds: number,
  nextOrder: () => RawOrder,
): Promise<AcceptBaseline> {
  interface Waiting {
    order: RawOrder;
    resolve(): void;
    reject(error: unknown): void;
  }
  const waiting: Waiting[] = [];
  let writing = 0;
  let transactions = 0;
  const pump = (): void => {
    if (writing >= POOL_MAX || waiting.length === 0) return;
    const group = waiting.splice(0);
    writing += 1;
    transactions += 1;
    inTransaction(pool, (client) =>
      writeOrders(
        client,
        queue,
        group.map((w) => w.order),
      ),
    )
      .then(
        () => {
          for (const w of group) w.resolve();
        },
        (error: unknown) => {
          for (const w of group) w.reject(error);
        },
      )
      .finally(() => {
        writing -= 1;
        pump();
      });
  };
  const result = await acceptLoad(
    seconds,
    nextOrder,
    (order) =>
      new Promise<void>((resolve, reject) => {
        waiting.push({ order, resolve, reject });
        pump();
      }),
  );
  return { ...result, transactions };
}

/**
 * raw-accept and raw-group-accept, on the run's bench users and 100 products of their own (stock
 * 0, so no ledger), with the pg-boss schema and order queue the API uses (created here, before
 * the API starts, with the same options). Everything they wrote is deleted afterwards (orders,
 * lines, jobs, products) and the tables vacuumed, so the scenarios start as they would without
 * them. Unlike the API, nothing is read per order (no user row, no price lookup): the price is
 * known in process.
 */
export async function rawAcceptBaselines(
  db: pg.Client,
  config: BenchConfig,
): Promise<{ rawAccept: AcceptBaseline; rawGroupAccept: AcceptBaseline }> {
  const users = (
    await db.query<{ id: string }>("SELECT id::text AS id FROM users WHERE role = 'USER'")
  ).rows.map((u) => u.id);
  const products = (
    await db.query<{ id: string }>(
      `INSERT INTO products (id, name, price, stock, updated_at)
       SELECT gen_random_uuid(), 'bench raw-accept product ' || g, 9.99, 0, now()
       FROM generate_series(1, 100) AS g RETURNING id::text AS id`,
    )
  ).rows.map((p) => p.id);
  let turn = 0;
  const nextOrder = (): RawOrder => {
    turn += 1;
    return {
      id: uuidv7(),
      userId: users[turn % users.length] ?? '',
      productId: products[turn % products.length] ?? '',
      price: '9.99',
      at: new Date(),
    };
  };
  const env = coreEnvSchema.parse({ ...serviceEnv(config), LOG_LEVEL: 'error' });
  const queue = createQueue(
    { ...env, DATABASE_URL: config.databaseUrl, DATABASE_CONNECT_TIMEOUT_MS: 5_000 },
    createLogger(env, 'bench-queue'),
    { supervise: false, schedule: false },
  );
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: POOL_MAX });
  try {
    await queue.start();
    await ensureOrderQueues(queue, env);
    const seconds = config.scale.rawSeconds;
    const one = await rawAcceptOne(pool, queue, seconds, nextOrder);
    const group = await rawGroupAccept(pool, queue, seconds, nextOrder);
    await db.query(
      `DELETE FROM orders o USING order_items i
       WHERE i.order_id = o.id AND i.product_id = ANY($1::uuid[])`,
      [products],
    );
    await db.query('DELETE FROM products WHERE id = ANY($1::uuid[])', [products]);
    await queue.deleteAllJobs(ORDER_QUEUE);
    await db.query(`VACUUM orders, order_items, products, ${QUEUE_SCHEMA}.job`);
    return { rawAccept: one, rawGroupAccept: group };
  } finally {
    await pool.end();
    await queue.stop({ graceful: false, close: true });
  }
}

function acceptRow(scenario: string, accept: AcceptBaseline, rawCommit: number): Row {
  return {
    scenario,
    metric: 'orders/s',
    value: accept.perSecond,
    p50: accept.p50,
    p99: accept.p99,
    ratio: { to: 'raw-commit', value: accept.perSecond / rawCommit },
  };
}

export function baselineRows({
  http,
  httpCpuUs,
  rawCommit,
  rawHot,
  rawAccept,
  rawGroupAccept,
}: Baselines): Row[] {
  const meanGroup = rawGroupAccept.orders / Math.max(rawGroupAccept.transactions, 1);
  return [
    {
      scenario: 'baseline-http',
      metric: 'req/s',
      value: Math.round(http.perSecond),
      p50: http.p50,
      p99: http.p99,
    },
    { scenario: 'baseline-http, server CPU', metric: 'µs/req', value: httpCpuUs },
    { scenario: 'raw-commit', metric: 'commits/s', value: rawCommit },
    { scenario: 'raw-hot-row', metric: 'commits/s', value: rawHot },
    acceptRow('raw-accept', rawAccept, rawCommit),
    acceptRow(`raw-group-accept (mean group ${meanGroup.toFixed(1)})`, rawGroupAccept, rawCommit),
  ];
}
