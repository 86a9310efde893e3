// Accepting orders by group commit: the creates that arrive while one group is being written form
// the next group, which shares one price lookup, one idempotency lookup and ONE transaction with
// multi-row inserts of its orders, their lines and their jobs. One order per transaction cannot
// pass the database's commit rate; a group of n costs about what one order did.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { PgBoss } from 'pg-boss';
import { pgTransaction, type Db } from '@chronicle/db';
import { DomainError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { formatCents, toCents } from '../product/money.ts';
import { rows, sqlState } from '../sql.ts';
import { uuidv7 } from '../uuid-v7.ts';
import { ORDER_QUEUE, type OrderJob } from './order.queue.ts';
import type { CreateOrderInput, Order } from './order.schema.ts';
import { mergeLines, orderSelect, toOrder, type Line } from './order.service.ts';

export interface PlacedOrder {
  order: Order;
  /** True when an earlier request with the same Idempotency-Key created it. */
  replayed: boolean;
}

export interface OrderAcceptor {
  /**
   * Validates the lines against the live catalog, snapshots prices, and inserts the order, its
   * lines and its fulfilment job in one transaction (shared with the other orders of its group):
   * neither can exist without the other. Answers once that transaction committed.
   */
  place(userId: string, input: CreateOrderInput): Promise<PlacedOrder>;
  /** Refuses new orders and resolves once every accepted one has been answered. */
  close(): Promise<void>;
}

export interface OrderAcceptorOptions {
  db: Db;
  queue: PgBoss;
  logger: Logger;
  /** The most requests in one group (default 200). */
  maxGroup?: number;
  /** Called with the number of requests in each group as it starts (metrics, tests). */
  onGroup?: (size: number) => void;
}

const KEY_REUSED = 'This Idempotency-Key was already used with a different request';
const LOST_KEY = 'Another request took this Idempotency-Key, and its order could not be read';
/** How often one request may be put back for a later group before it fails (see requeue). */
const MAX_ATTEMPTS = 3;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function requestHash(lines: Line[]): string {
  return createHash('sha256').update(JSON.stringify(lines)).digest('hex');
}

interface Request {
  userId: string;
  key: string | undefined;
  hash: string;
  lines: Line[];
  attempts: number;
  resolve(placed: PlacedOrder): void;
  reject(error: unknown): void;
}

/** The first request of a group with its (user, key), and the later ones that must replay it. */
interface Leader {
  request: Request;
  followers: Request[];
}

/** An order ready to be written, with the response it gets once written. */
interface Draft {
  leader: Leader;
  order: Order;
}

/** An order already stored under a (user, key), with the hash of the request that created it. */
interface Stored {
  order: Order;
  hash: string;
}

const pairOf = (userId: string, key: string) => `${userId} ${key}`;

const storedRow = z.object({
  id: z.string(),
  user_id: z.string(),
  idempotency_key: z.string(),
  request_hash: z.string(),
});
const productRow = z.object({ id: z.string(), name: z.string(), price: z.string() });
const idRow = z.object({ id: z.string() });

/**
 * Server-side failures that say nothing about one order (the connection or the server is gone):
 * retrying a group's halves would only repeat them, so the whole group gets the error at once.
 */
function affectsEveryone(error: unknown): boolean {
  const state = sqlState(error);
  if (state === undefined) return true;
  return state.startsWith('08') || state.startsWith('53') || /^57P0[1-4]$/.test(state);
}

export function createOrderAcceptor(options: OrderAcceptorOptions): OrderAcceptor {
  const { db, queue, logger, onGroup } = options;
  const maxGroup = options.maxGroup ?? 200;
  const waiting: Request[] = [];
  // One group in flight: against two (measured with bench/accept-probe.ts), two halved the group
  // size and doubled the commits without raising the accept rate, which the request path bounds.
  let writing = false;
  let closed = false;
  let drained: { promise: Promise<undefined>; resolve: (value: undefined) => void } | undefined;

  /** Starts the next group when none is being written; a group's end starts the next one. */
  function pump(): void {
    if (writing) return;
    if (waiting.length === 0) {
      drained?.resolve(undefined);
      return;
    }
    writing = true;
    const group = waiting.splice(0, maxGroup);
    void writeGroup(group)
      .catch((error: unknown) => {
        // writeGroup answers every request itself; this is only a last line of defence.
        for (const request of group) request.reject(error);
      })
      .finally(() => {
        writing = false;
        pump();
      });
  }

  /**
   * Puts requests back at the head of the line for the next group: a follower whose leader
   * failed (it may succeed on its own), or an order that lost its key to another process but
   * whose winner could not be read. Bounded, so no request can circle forever.
   */
  function requeue(requests: Request[], error: unknown): void {
    const again: Request[] = [];
    for (const request of requests) {
      request.attempts += 1;
      if (request.attempts > MAX_ATTEMPTS) {
        request.reject(error);
      } else {
        again.push(request);
      }
    }
    waiting.unshift(...again);
  }

  function fail(leader: Leader, error: unknown): void {
    leader.request.reject(error);
    requeue(leader.followers, error);
  }

  /** Every request with this (user, key) gets the stored order, or 422 if its body differs. */
  function answerWithStored(leader: Leader, stored: Stored, createdByLeader: boolean): void {
    for (const request of [leader.request, ...leader.followers]) {
      if (request.hash !== stored.hash) {
        request.reject(new DomainError('UNPROCESSABLE_CONTENT', KEY_REUSED));
      } else {
        request.resolve({
          order: stored.order,
          replayed: !(createdByLeader && request === leader.request),
        });
      }
    }
  }

  /** Orders stored under these requests' (user, key) pairs: one query, plus one for any found. */
  async function findStored(requests: Request[]): Promise<Map<string, Stored>> {
    const keyed = requests.flatMap((r) => (r.key === undefined ? [] : [{ ...r, key: r.key }]));
    const found = new Map<string, Stored>();
    if (keyed.length === 0) return found;
    const hits = rows(
      storedRow,
      await db.$queryRaw`
        SELECT o.id::text AS id, o.user_id::text AS user_id, o.idempotency_key, o.request_hash
        FROM orders o
        JOIN unnest(${keyed.map((r) => r.userId)}::uuid[], ${keyed.map((r) => r.key)}::text[])
          AS k(user_id, idempotency_key)
          ON o.user_id = k.user_id AND o.idempotency_key = k.idempotency_key`,
    );
    if (hits.length === 0) return found;
    const orders = await db.order.findMany({
      where: { id: { in: hits.map((hit) => hit.id) } },
      select: orderSelect,
    });
    const byId = new Map(orders.map((row) => [row.id, toOrder(row)]));
    for (const hit of hits) {
      const order = byId.get(hit.id);
      if (order) {
        found.set(pairOf(hit.user_id, hit.idempotency_key), { order, hash: hit.request_hash });
      }
    }
    return found;
  }

  /** Groups requests by (user, key): the first of each pair leads, the rest follow it. */
  function leadersOf(group: Request[]): Leader[] {
    const leaders: Leader[] = [];
    const byPair = new Map<string, Leader>();
    for (const request of group) {
      const pair = request.key === undefined ? undefined : pairOf(request.userId, request.key);
      const leader = pair === undefined ? undefined : byPair.get(pair);
      if (leader) {
        leader.followers.push(request);
        continue;
      }
      const created = { request, followers: [] };
      leaders.push(created);
      if (pair !== undefined) byPair.set(pair, created);
    }
    return leaders;
  }

  /** Prices every line from the live catalog (one query); unknown products fail their order. */
  async function draft(leaders: Leader[]): Promise<Draft[]> {
    const ids = [
      ...new Set(leaders.flatMap((l) => l.request.lines.map((line) => line.productId))),
    ].filter((id) => UUID.test(id));
    const products = rows(
      productRow,
      ids.length === 0
        ? []
        : await db.$queryRaw`
            SELECT id::text AS id, name, price::text AS price FROM products
            WHERE id = ANY(${ids}::uuid[]) AND deleted_at IS NULL`,
    );
    const byId = new Map(products.map((p) => [p.id, p]));
    const now = new Date();
    const drafts: Draft[] = [];
    for (const leader of leaders) {
      const { lines, userId } = leader.request;
      const unavailable = lines.filter((line) => !byId.has(line.productId));
      if (unavailable.length > 0) {
        fail(
          leader,
          new DomainError(
            'BAD_REQUEST',
            `Unknown or deleted product: ${unavailable.map((line) => line.productId).join(', ')}`,
          ),
        );
        continue;
      }
      let totalCents = 0n;
      const items = lines.map((line) => {
        const { name = '', price = '0.00' } = byId.get(line.productId) ?? {};
        totalCents += (toCents(price) ?? 0n) * BigInt(line.quantity);
        return { productId: line.productId, name, quantity: line.quantity, unitPrice: price };
      });
      drafts.push({
        leader,
        // The response is built from what is written rather than read back; lines are sorted by
        // product id (mergeLines), as order reads return them.
        order: {
          id: uuidv7(now.getTime()),
          userId,
          status: 'PENDING',
          total: formatCents(totalCents),
          reasonCode: null,
          reason: null,
          items,
          createdAt: now,
          updatedAt: now,
          processedAt: null,
          cancelledAt: null,
        },
      });
    }
    return drafts;
  }

  /**
   * ONE transaction (through node-postgres: Prisma's cost per query showed in the profile):
   * every order (an order whose key another process has just taken is skipped by
   * ON CONFLICT), the lines and jobs of those inserted. Returns the ids inserted.
   */
  async function insert(drafts: Draft[]): Promise<Set<string>> {
    const orders = drafts.map((d) => d.order);
    const keys = drafts.map((d) => d.leader.request.key ?? null);
    const hashes = drafts.map((d) =>
      d.leader.request.key === undefined ? null : d.leader.request.hash,
    );
    const at = orders[0]?.createdAt ?? new Date();
    return pgTransaction(db, async (client) => {
      const inserted = new Set(
        rows(
          idRow,
          (
            await client.query(
              `INSERT INTO orders
                 (id, user_id, status, total, idempotency_key, request_hash, created_at, updated_at)
               SELECT o.id, o.user_id, 'PENDING', o.total, o.idempotency_key, o.request_hash, $6, $6
               FROM unnest($1::uuid[], $2::uuid[], $3::numeric[], $4::text[], $5::text[])
                 AS o(id, user_id, total, idempotency_key, request_hash)
               -- Keys in one order in every process, so two groups racing for the same keys wait
               -- on each other in turn instead of deadlocking.
               ORDER BY o.user_id, o.idempotency_key
               ON CONFLICT (user_id, idempotency_key) DO NOTHING
               RETURNING id::text AS id`,
              [
                orders.map((o) => o.id),
                orders.map((o) => o.userId),
                orders.map((o) => o.total),
                keys,
                hashes,
                at,
              ],
            )
          ).rows,
        ).map((row) => row.id),
      );
      const written = orders.filter((o) => inserted.has(o.id));
      if (written.length === 0) return inserted;
      const lines = written.flatMap((o) => o.items.map((item) => ({ orderId: o.id, ...item })));
      await client.query(
        `INSERT INTO order_items (order_id, product_id, quantity, unit_price)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::numeric[])`,
        [
          lines.map((l) => l.orderId),
          lines.map((l) => l.productId),
          lines.map((l) => l.quantity),
          lines.map((l) => l.unitPrice),
        ],
      );
      // insert() builds each job from the queue's options exactly as send() does.
      const jobs = await queue.insert(
        ORDER_QUEUE,
        written.map((o) => ({ data: { orderId: o.id } satisfies OrderJob })),
        { db: { executeSql: (text, values) => client.query(text, values) }, returnId: true },
      );
      if (jobs?.length !== written.length) {
        throw new Error(`queued ${jobs?.length ?? 0} jobs for ${written.length} orders`);
      }
      return inserted;
    });
  }

  /**
   * Writes drafts; when the transaction fails for a reason that may belong to one order (a
   * constraint, a trigger, a timeout), writes each half on its own, down to single orders, so
   * one bad order fails alone and every other one is still written exactly once.
   */
  async function write(drafts: Draft[]): Promise<void> {
    if (drafts.length === 0) return;
    let inserted: Set<string>;
    try {
      inserted = await insert(drafts);
    } catch (error) {
      if (drafts.length === 1 || affectsEveryone(error)) {
        for (const d of drafts) fail(d.leader, error);
        return;
      }
      logger.warn(
        { err: error, orders: drafts.length },
        'order group failed to commit; writing its halves separately',
      );
      const half = Math.ceil(drafts.length / 2);
      await write(drafts.slice(0, half));
      await write(drafts.slice(half));
      return;
    }
    const lost: Leader[] = [];
    for (const d of drafts) {
      if (!inserted.has(d.order.id)) lost.push(d.leader);
      else if (d.leader.request.key === undefined) {
        d.leader.request.resolve({ order: d.order, replayed: false });
      } else answerWithStored(d.leader, { order: d.order, hash: d.leader.request.hash }, true);
    }
    if (lost.length > 0) await answerLost(lost);
  }

  /** The orders already stored under these leaders' keys; on a failed lookup, all of them fail. */
  async function storedOrFail(leaders: Leader[]): Promise<Map<string, Stored> | undefined> {
    try {
      return await findStored(leaders.map((l) => l.request));
    } catch (error) {
      for (const leader of leaders) fail(leader, error);
      return undefined;
    }
  }

  /** Orders whose key a concurrent request (another process) took first: they replay its order. */
  async function answerLost(leaders: Leader[]): Promise<void> {
    const stored = await storedOrFail(leaders);
    if (!stored) return;
    for (const leader of leaders) {
      const { userId, key = '' } = leader.request;
      const found = stored.get(pairOf(userId, key));
      if (found) answerWithStored(leader, found, false);
      else requeue([leader.request, ...leader.followers], new Error(LOST_KEY));
    }
  }

  async function writeGroup(group: Request[]): Promise<void> {
    onGroup?.(group.length);
    const leaders = leadersOf(group);
    const stored = await storedOrFail(leaders);
    if (!stored) return;
    const fresh: Leader[] = [];
    for (const leader of leaders) {
      const { userId, key } = leader.request;
      const found = key === undefined ? undefined : stored.get(pairOf(userId, key));
      if (found) answerWithStored(leader, found, false);
      else fresh.push(leader);
    }
    if (fresh.length === 0) return;
    let drafts: Draft[];
    try {
      drafts = await draft(fresh);
    } catch (error) {
      for (const leader of fresh) fail(leader, error);
      return;
    }
    await write(drafts);
  }

  return {
    place(userId, input) {
      if (closed) return Promise.reject(new Error('order acceptor is closed'));
      let lines: Line[];
      try {
        lines = mergeLines(input.items);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      return new Promise<PlacedOrder>((resolve, reject) => {
        waiting.push({
          userId,
          key: input.idempotencyKey,
          hash: requestHash(lines),
          lines,
          attempts: 0,
          resolve,
          reject,
        });
        pump();
      });
    },
    close() {
      closed = true;
      if (!drained) {
        const { promise, resolve } = Promise.withResolvers<undefined>();
        drained = { promise, resolve };
        if (!writing && waiting.length === 0) resolve(undefined);
      }
      return drained.promise;
    },
  };
}
