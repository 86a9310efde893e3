// What a worker does with one order job. Idempotent: a duplicate or retried job finds the order
// no longer PENDING and changes nothing.
import type { Db } from '@chronicle/db';

export type FulfilmentOutcome =
  | { kind: 'CONFIRMED'; productIds: string[]; createdAt: Date }
  | {
      kind: 'REJECTED';
      reasonCode: 'OUT_OF_STOCK' | 'PRODUCT_UNAVAILABLE';
      reason: string;
      createdAt: Date;
    }
  | { kind: 'SKIPPED'; status: string };

interface LockedProduct {
  id: string;
  name: string;
  stock: number;
  deleted: boolean;
}

/**
 * One transaction: lock the order (claim it only if still PENDING), lock its products in sorted
 * id order (so concurrent multi-line orders cannot deadlock), then either reserve every line
 * with a conditional decrement plus ledger rows and confirm, or reject naming the product and
 * move no stock at all.
 */
export async function fulfilOrder(db: Db, orderId: string): Promise<FulfilmentOutcome> {
  return db.$transaction(async (tx) => {
    const [order] = await tx.$queryRaw<{ status: string; created_at: Date }[]>`
      SELECT status, created_at FROM orders WHERE id = ${orderId}::uuid FOR UPDATE`;
    if (!order) return { kind: 'SKIPPED', status: 'MISSING' };
    if (order.status !== 'PENDING') return { kind: 'SKIPPED', status: order.status };

    const lines = await tx.orderItem.findMany({
      where: { orderId },
      select: { productId: true, quantity: true },
      orderBy: { productId: 'asc' },
    });
    const ids = lines.map((line) => line.productId);
    const quantities = lines.map((line) => line.quantity);
    const locked = await tx.$queryRaw<LockedProduct[]>`
      SELECT id, name, stock, deleted_at IS NOT NULL AS deleted
      FROM products WHERE id = ANY(${ids}::uuid[]) ORDER BY id FOR UPDATE`;
    const byId = new Map(locked.map((product) => [product.id, product]));

    for (const line of lines) {
      const product = byId.get(line.productId);
      const rejection =
        !product || product.deleted
          ? {
              reasonCode: 'PRODUCT_UNAVAILABLE' as const,
              reason: `Product "${product?.name ?? line.productId}" is no longer available`,
            }
          : product.stock < line.quantity
            ? {
                reasonCode: 'OUT_OF_STOCK' as const,
                reason: `Product "${product.name}" is out of stock: ${line.quantity} requested, ${product.stock} available`,
              }
            : null;
      if (rejection) {
        await tx.order.update({
          where: { id: orderId },
          data: { status: 'REJECTED', ...rejection, processedAt: new Date() },
        });
        return { kind: 'REJECTED', ...rejection, createdAt: order.created_at };
      }
    }

    // The conditional decrement is the guard against overselling even if the checks above
    // were ever wrong: a line that cannot be served updates no row, and the whole order rolls back.
    const reserved = await tx.$executeRaw`
      UPDATE products p SET stock = p.stock - x.quantity, updated_at = now()
      FROM unnest(${ids}::uuid[], ${quantities}::int[]) AS x(id, quantity)
      WHERE p.id = x.id AND p.stock >= x.quantity AND p.deleted_at IS NULL`;
    if (reserved !== lines.length) {
      throw new Error(
        `Reserved ${reserved} of ${lines.length} lines of order ${orderId}; rolled back`,
      );
    }
    await tx.$executeRaw`
      INSERT INTO stock_movements (product_id, delta, reason, reference)
      SELECT x.id, -x.quantity, 'ORDER_RESERVE', ${orderId}
      FROM unnest(${ids}::uuid[], ${quantities}::int[]) AS x(id, quantity)`;
    await tx.order.update({
      where: { id: orderId },
      data: { status: 'CONFIRMED', processedAt: new Date() },
    });
    return { kind: 'CONFIRMED', productIds: ids, createdAt: order.created_at };
  });
}

/**
 * After the last retry: a still-PENDING order becomes FAILED (never silently stuck). Returns
 * when the order was created, or null if it had already left PENDING.
 */
export async function failOrder(db: Db, orderId: string, reason: string): Promise<Date | null> {
  const [failed] = await db.$queryRaw<{ created_at: Date }[]>`
    UPDATE orders SET status = 'FAILED', reason_code = 'PROCESSING_FAILED',
      reason = ${reason.slice(0, 500)}, processed_at = now(), updated_at = now()
    WHERE id = ${orderId}::uuid AND status = 'PENDING'
    RETURNING created_at`;
  return failed?.created_at ?? null;
}
