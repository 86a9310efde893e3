// The fulfilment rules, without a database: given a batch's PENDING orders (in creation order),
// their lines and their locked products, which orders are confirmed, which rejected and why,
// and which stock movements the confirmed ones make. fulfilOrders applies the result.
import type { LockedProduct } from '../product/product.lock.ts';
import type { StockMovement } from '../product/product.stock.ts';

export interface PendingOrderLine {
  productId: string;
  quantity: number;
}

export type RejectionCode = 'OUT_OF_STOCK' | 'PRODUCT_UNAVAILABLE';

export type OrderDecision =
  | { kind: 'CONFIRMED'; productIds: string[] }
  | { kind: 'REJECTED'; reasonCode: RejectionCode; reason: string };

function rejectionFor(
  line: PendingOrderLine,
  product: LockedProduct | undefined,
  available: number,
): { reasonCode: RejectionCode; reason: string } | null {
  if (!product || product.deleted) {
    return {
      reasonCode: 'PRODUCT_UNAVAILABLE',
      reason: `Product "${product?.name ?? line.productId}" is no longer available`,
    };
  }
  if (available < line.quantity) {
    return {
      reasonCode: 'OUT_OF_STOCK',
      reason: `Product "${product.name}" is out of stock: ${line.quantity} requested, ${available} available`,
    };
  }
  return null;
}

/**
 * Decides in the order given (creation order: first come, first served) against the stock as
 * it runs down. An order is confirmed only if every line fits; otherwise it is rejected naming
 * the first product that does not, and moves nothing. An order without lines is rejected.
 */
export function decideOrders(
  orderIds: readonly string[],
  linesByOrder: ReadonlyMap<string, readonly PendingOrderLine[]>,
  products: readonly LockedProduct[],
): { decisions: Map<string, OrderDecision>; movements: StockMovement[] } {
  const byId = new Map(products.map((product) => [product.id, product]));
  const available = new Map(products.map((product) => [product.id, product.stock]));
  const decisions = new Map<string, OrderDecision>();
  const movements: StockMovement[] = [];
  for (const orderId of orderIds) {
    const lines = linesByOrder.get(orderId) ?? [];
    let rejection: ReturnType<typeof rejectionFor> =
      lines.length === 0
        ? { reasonCode: 'PRODUCT_UNAVAILABLE', reason: 'The order has no lines' }
        : null;
    for (const line of lines) {
      rejection ??= rejectionFor(
        line,
        byId.get(line.productId),
        available.get(line.productId) ?? 0,
      );
    }
    if (rejection) {
      decisions.set(orderId, { kind: 'REJECTED', ...rejection });
      continue;
    }
    for (const line of lines) {
      available.set(line.productId, (available.get(line.productId) ?? 0) - line.quantity);
      movements.push({
        productId: line.productId,
        delta: -line.quantity,
        reason: 'ORDER_RESERVE',
        reference: orderId,
      });
    }
    decisions.set(orderId, { kind: 'CONFIRMED', productIds: lines.map((line) => line.productId) });
  }
  return { decisions, movements };
}
