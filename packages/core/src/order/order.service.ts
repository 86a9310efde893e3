// Reading and cancelling orders, and the line rules placing them shares (order.accept.ts places).
import { z } from 'zod';
import type { Db, Prisma } from '@chronicle/db';
import { ConflictError, DomainError, NotFoundError } from '../errors.ts';
import { lockProducts } from '../product/product.lock.ts';
import { applyStockMovements, type StockMovement } from '../product/product.stock.ts';
import { page, pageTake, type Page } from '../page.ts';
import { rows } from '../sql.ts';
import {
  MAX_LINE_QUANTITY,
  type CreateOrderInput,
  type ListOrdersInput,
  type Order,
  type OrderScope,
} from './order.schema.ts';

export const orderSelect = {
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

export function toOrder(row: OrderRow): Order {
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

export interface Line {
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
