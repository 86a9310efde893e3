// Placing, reading and cancelling orders.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { fromPrisma, type PgBoss } from 'pg-boss';
import type { Db, Prisma } from '@chronicle/db';
import { ConflictError, DomainError, NotFoundError } from '../errors.ts';
import { formatCents, toCents } from '../product/money.ts';
import { lockProducts } from '../product/product.lock.ts';
import { applyStockMovements, type StockMovement } from '../product/product.stock.ts';
import { page, pageTake, type Page } from '../page.ts';
import { isUniqueViolation, rows } from '../sql.ts';
import { ORDER_QUEUE, type OrderJob } from './order.queue.ts';
import {
  MAX_LINE_QUANTITY,
  type CreateOrderInput,
  type ListOrdersInput,
  type Order,
  type OrderScope,
} from './order.schema.ts';

const orderSelect = {
  id: true,
  userId: true,
  status: true,
  total: true,
  reasonCode: true,
  reason: true,
  createdAt: true,
  updatedAt: true,
  processedAt: true,
  cancelledAt: true,
  items: {
    select: {
      productId: true,
      quantity: true,
      unitPrice: true,
      product: { select: { name: true } },
    },
    orderBy: { productId: 'asc' },
  },
} as const satisfies Prisma.OrderSelect;

type OrderRow = Prisma.OrderGetPayload<{ select: typeof orderSelect }>;

function toOrder(row: OrderRow): Order {
  const { items, total, ...rest } = row;
  return {
    ...rest,
    total: total.toFixed(2),
    items: items.map((item) => ({
      productId: item.productId,
      name: item.product.name,
      quantity: item.quantity,
      unitPrice: item.unitPrice.toFixed(2),
    })),
  };
}

interface Line {
  productId: string;
  quantity: number;
}

/** Repeated product ids are merged into one line; lines come back sorted by product id. */
export function mergeLines(items: CreateOrderInput['items']): Line[] {
  const merged = new Map<string, number>();
  for (const item of items) merged.set(item.id, (merged.get(item.id) ?? 0) + item.quantity);
  const lines = [...merged]
    .map(([productId, quantity]) => ({ productId, quantity }))
    .sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
  const tooMany = lines.find((line) => line.quantity > MAX_LINE_QUANTITY);
  if (tooMany) {
    throw new DomainError(
      'BAD_REQUEST',
      `Product ${tooMany.productId} is ordered ${tooMany.quantity} times in all; at most ${MAX_LINE_QUANTITY} per product`,
    );
  }
  return lines;
}

function requestHash(lines: Line[]): string {
  return createHash('sha256').update(JSON.stringify(lines)).digest('hex');
}

const KEY_REUSED = 'This Idempotency-Key was already used with a different request';

async function replay(db: Db, userId: string, key: string, hash: string): Promise<Order | null> {
  const existing = await db.order.findUnique({
    where: { userId_idempotencyKey: { userId, idempotencyKey: key } },
    select: { ...orderSelect, requestHash: true },
  });
  if (!existing) return null;
  if (existing.requestHash !== hash) throw new DomainError('UNPROCESSABLE_CONTENT', KEY_REUSED);
  const { requestHash: _hash, ...row } = existing;
  return toOrder(row);
}

export interface PlacedOrder {
  order: Order;
  /** True when an earlier request with the same Idempotency-Key created it. */
  replayed: boolean;
}

/**
 * Validates the lines against the live catalog, snapshots prices, and in ONE transaction
 * inserts the order, its lines and its fulfilment job: neither can exist without the other.
 */
export async function placeOrder(
  db: Db,
  queue: PgBoss,
  userId: string,
  input: CreateOrderInput,
): Promise<PlacedOrder> {
  const lines = mergeLines(input.items);
  const hash = requestHash(lines);
  const key = input.idempotencyKey;
  if (key) {
    const earlier = await replay(db, userId, key, hash);
    if (earlier) return { order: earlier, replayed: true };
  }

  const products = await db.product.findMany({
    where: { id: { in: lines.map((line) => line.productId) }, deletedAt: null },
    select: { id: true, price: true, name: true },
  });
  const byId = new Map(products.map((p) => [p.id, { price: p.price.toFixed(2), name: p.name }]));
  const unavailable = lines.filter((line) => !byId.has(line.productId));
  if (unavailable.length > 0) {
    throw new DomainError(
      'BAD_REQUEST',
      `Unknown or deleted product: ${unavailable.map((line) => line.productId).join(', ')}`,
    );
  }
  let totalCents = 0n;
  const items = lines.map((line) => {
    const product = byId.get(line.productId);
    const unitPrice = product?.price ?? '0.00';
    totalCents += (toCents(unitPrice) ?? 0n) * BigInt(line.quantity);
    return {
      productId: line.productId,
      name: product?.name ?? '',
      quantity: line.quantity,
      unitPrice,
    };
  });

  try {
    // Few round trips on the hot path: the order (INSERT … RETURNING), its lines in one INSERT,
    // the job; the response is built from what was written rather than read back.
    const { items: _itemSelect, ...orderColumns } = orderSelect;
    const created = await db.$transaction(async (tx) => {
      const order = await tx.order.create({
        data: {
          userId,
          total: formatCents(totalCents),
          idempotencyKey: key ?? null,
          requestHash: key ? hash : null,
        },
        select: orderColumns,
      });
      await tx.orderItem.createMany({
        data: items.map(({ productId, quantity, unitPrice }) => ({
          orderId: order.id,
          productId,
          quantity,
          unitPrice,
        })),
      });
      const job: OrderJob = { orderId: order.id };
      await queue.send(ORDER_QUEUE, job, { db: fromPrisma(tx) });
      return order;
    });
    // Lines are sorted by product id (mergeLines), as order reads return them.
    const order: Order = { ...created, total: created.total.toFixed(2), items };
    return { order, replayed: false };
  } catch (error) {
    // A concurrent request with the same key won the insert; this one rolled back entirely.
    if (key && isUniqueViolation(error)) {
      const earlier = await replay(db, userId, key, hash);
      if (earlier) return { order: earlier, replayed: true };
    }
    throw error;
  }
}

function scoped(scope: OrderScope): Prisma.OrderWhereInput {
  return scope.kind === 'own' ? { userId: scope.userId } : {};
}

/** Someone else's order is "not found", never "forbidden": its existence is not revealed. */
export async function getOrder(db: Db, scope: OrderScope, id: string): Promise<Order> {
  const row = await db.order.findFirst({ where: { id, ...scoped(scope) }, select: orderSelect });
  if (!row) throw new NotFoundError('Order not found');
  return toOrder(row);
}

export async function listOrders(
  db: Db,
  scope: OrderScope,
  input: ListOrdersInput,
): Promise<Page<Order>> {
  const orders = await db.order.findMany({
    where: {
      ...(input.userId && scope.kind === 'all' ? { userId: input.userId } : {}),
      ...scoped(scope),
      ...(input.status ? { status: input.status } : {}),
      ...(input.cursor ? { id: { lt: input.cursor } } : {}),
    },
    orderBy: { id: 'desc' },
    take: pageTake(input.limit),
    select: orderSelect,
  });
  const { items, nextCursor } = page(orders, input.limit, (last) => last.id);
  return { items: items.map(toOrder), nextCursor };
}

export interface CancelledOrder {
  order: Order;
  /** Products whose stock came back (a CONFIRMED order), for cache invalidation. */
  restocked: string[];
}

/**
 * PENDING → CANCELLED (the worker will skip it); CONFIRMED → CANCELLED with its stock returned
 * and recorded in the ledger. The order row is locked first, so of two racing cancels exactly
 * one restocks and the other sees CANCELLED (409).
 */
export async function cancelOrder(db: Db, scope: OrderScope, id: string): Promise<CancelledOrder> {
  return db.$transaction(async (tx) => {
    const [current] = rows(
      z.object({ user_id: z.string(), status: z.string() }),
      await tx.$queryRaw`SELECT user_id, status FROM orders WHERE id = ${id}::uuid FOR UPDATE`,
    );
    if (!current || (scope.kind === 'own' && current.user_id !== scope.userId)) {
      throw new NotFoundError('Order not found');
    }
    let restocked: string[] = [];
    if (current.status === 'CONFIRMED') {
      const items = await tx.orderItem.findMany({
        where: { orderId: id },
        select: { productId: true, quantity: true },
        orderBy: { productId: 'asc' },
      });
      const ids = items.map((item) => item.productId);
      // The worker's lock, in the worker's order (sorted ids), so the two cannot deadlock.
      await lockProducts(tx, ids);
      await applyStockMovements(
        tx,
        items.map((item): StockMovement => ({
          productId: item.productId,
          delta: item.quantity,
          reason: 'ORDER_CANCEL',
          reference: id,
        })),
      );
      restocked = ids;
    } else if (current.status !== 'PENDING') {
      throw new ConflictError(`Order is ${current.status} and cannot be cancelled`);
    }
    const row = await tx.order.update({
      where: { id },
      data: { status: 'CANCELLED', cancelledAt: new Date() },
      select: orderSelect,
    });
    return { order: toOrder(row), restocked };
  });
}
