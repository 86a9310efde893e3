// What a worker does with one order job. Idempotent: a duplicate or retried job finds the order
// no longer PENDING and changes nothing.
import { z } from 'zod';
import type { Db } from '@chronicle/db';
import { lockProducts } from '../product/product.lock.ts';
import { applyStockMovements } from '../product/product.stock.ts';
import { rows } from '../sql.ts';
import { decideOrders, type PendingOrderLine, type RejectionCode } from './fulfilment.rules.ts';

export type FulfilmentOutcome =
  | { kind: 'CONFIRMED'; productIds: string[]; createdAt: Date }
  | {
      kind: 'REJECTED';
      reasonCode: RejectionCode;
      reason: string;
      createdAt: Date;
    }
  | { kind: 'SKIPPED'; status: string };

const orderRow = z.object({ id: z.string(), status: z.string(), created_at: z.date() });

const pendingLine = z.object({
  order_id: z.string(),
  product_id: z.string(),
  quantity: z.number().int(),
});

/**
 * Many orders in one transaction — or one, `fulfilOrders(db, [id])`: the same path settles a batch
 * and an order retried alone, so the two cannot disagree on any rule.
 *
 * 1. lock the batch's orders in id order and keep those still PENDING (a duplicate or redelivered
 *    job finds its order settled and changes nothing);
 * 2. lock every product they touch, in id order (the same global order as every other batch and
 *    every other stock change, so concurrent batches queue instead of deadlocking);
 * 3. decide in creation order (ids are UUIDv7) against the stock as it runs down: an order is
 *    confirmed only if all its lines fit, else rejected naming the product and moving nothing;
 * 4. apply one conditional decrement per product, the ledger rows, and every status in bulk.
 *
 * A hot product is then locked and written once per batch instead of once per order.
 * Returns an outcome for every id asked about (SKIPPED for unknown or settled orders).
 */
export async function fulfilOrders(
  db: Db,
  orderIds: readonly string[],
): Promise<Map<string, FulfilmentOutcome>> {
  const ids = [...new Set(orderIds)].sort();
  return db.$transaction(async (tx) => {
    const outcomes = new Map<string, FulfilmentOutcome>();
    const orders = rows(
      orderRow,
      await tx.$queryRaw`
        SELECT id, status::text AS status, created_at FROM orders
        WHERE id = ANY(${ids}::uuid[]) ORDER BY id FOR UPDATE`,
    );
    for (const id of ids) outcomes.set(id, { kind: 'SKIPPED', status: 'MISSING' });
    const pending = orders.filter((order) => {
      if (order.status === 'PENDING') return true;
      outcomes.set(order.id, { kind: 'SKIPPED', status: order.status });
      return false;
    });
    if (pending.length === 0) return outcomes;
    const pendingIds = pending.map((order) => order.id);

    const lines = rows(
      pendingLine,
      await tx.$queryRaw`
        SELECT order_id, product_id, quantity FROM order_items
        WHERE order_id = ANY(${pendingIds}::uuid[]) ORDER BY order_id, product_id`,
    );
    const linesByOrder = new Map<string, PendingOrderLine[]>();
    for (const line of lines) {
      const list = linesByOrder.get(line.order_id) ?? [];
      list.push({ productId: line.product_id, quantity: line.quantity });
      linesByOrder.set(line.order_id, list);
    }
    const productIds = [...new Set(lines.map((line) => line.product_id))].sort();
    const locked = await lockProducts(tx, productIds);
    // pending is in id order = creation order: first come, first served within the batch.
    const { decisions, movements } = decideOrders(pendingIds, linesByOrder, locked);
    const statuses = {
      ids: [] as string[],
      statuses: [] as string[],
      codes: [] as (string | null)[],
      reasons: [] as (string | null)[],
    };
    for (const order of pending) {
      const decision = decisions.get(order.id);
      if (!decision) continue;
      statuses.ids.push(order.id);
      statuses.statuses.push(decision.kind);
      statuses.codes.push(decision.kind === 'REJECTED' ? decision.reasonCode : null);
      statuses.reasons.push(decision.kind === 'REJECTED' ? decision.reason : null);
      outcomes.set(order.id, { ...decision, createdAt: order.created_at });
    }

    // One conditional decrement per product for the whole batch; should a product's total not
    // fit after all, the whole batch rolls back.
    await applyStockMovements(tx, movements);
    await tx.$executeRaw`
      UPDATE orders o SET status = x.status::"OrderStatus", reason_code = x.code, reason = x.reason,
        processed_at = now(), updated_at = now()
      FROM unnest(${statuses.ids}::uuid[], ${statuses.statuses}::text[], ${statuses.codes}::text[],
        ${statuses.reasons}::text[]) AS x(id, status, code, reason)
      WHERE o.id = x.id`;
    return outcomes;
  });
}

/**
 * After the last retry: a still-PENDING order becomes FAILED (never silently stuck). Returns
 * when the order was created, or null if it had already left PENDING.
 */
export async function failOrder(db: Db, orderId: string, reason: string): Promise<Date | null> {
  const [failed] = rows(
    z.object({ created_at: z.date() }),
    await db.$queryRaw`
      UPDATE orders SET status = 'FAILED', reason_code = 'PROCESSING_FAILED',
        reason = ${reason.slice(0, 500)}, processed_at = now(), updated_at = now()
      WHERE id = ${orderId}::uuid AND status = 'PENDING'
      RETURNING created_at`,
  );
  return failed?.created_at ?? null;
}
