// The one way stock changes after a product is created: fulfilment, the restock of a cancelled
// order and an admin's adjustment all move stock and write its ledger rows through here, so the
// guard against overselling and the ledger cannot drift apart between them.
import type { Db, Prisma } from '@chronicle/db';

type StockReason = Prisma.StockMovementUncheckedCreateInput['reason'];

export interface StockMovement {
  productId: string;
  /** Negative takes stock (a reservation), positive returns or adds it. */
  delta: number;
  reason: StockReason;
  /** What caused it: an order id for ORDER_*, the acting admin's id for ADMIN_ADJUST. */
  reference: string;
}

/** The columns of one `unnest` statement, built from the movements. */
export interface StockChanges {
  /** One entry per product, in id order, with the sum of its movements. */
  products: { ids: string[]; deltas: number[] };
  /** One ledger row per movement, as given. */
  ledger: { ids: string[]; deltas: number[]; reasons: StockReason[]; references: string[] };
}

export function stockChanges(movements: readonly StockMovement[]): StockChanges {
  const totals = new Map<string, number>();
  for (const movement of movements) {
    totals.set(movement.productId, (totals.get(movement.productId) ?? 0) + movement.delta);
  }
  const ids = [...totals.keys()].sort();
  return {
    products: { ids, deltas: ids.map((id) => totals.get(id) ?? 0) },
    ledger: {
      ids: movements.map((movement) => movement.productId),
      deltas: movements.map((movement) => movement.delta),
      reasons: movements.map((movement) => movement.reason),
      references: movements.map((movement) => movement.reference),
    },
  };
}

/**
 * Applies the movements (summed per product: one write per product however many lines touch it)
 * and records each in the ledger. The caller holds the products' locks (lockProducts), taken
 * before it decided on the movements.
 *
 * The update is conditional, the guard against overselling even if the caller's checks were ever
 * wrong: no product may go below zero, and stock is only taken from a live product (stock coming
 * back, as from a cancelled order, may go to a deleted one). A product that fails the guard
 * updates no row, and this throws so that the whole transaction rolls back.
 */
export async function applyStockMovements(
  tx: Pick<Db, '$executeRaw'>,
  movements: readonly StockMovement[],
): Promise<void> {
  if (movements.length === 0) return;
  const { products, ledger } = stockChanges(movements);
  const changed = await tx.$executeRaw`
    UPDATE products p SET stock = p.stock + x.delta, updated_at = now()
    FROM unnest(${products.ids}::uuid[], ${products.deltas}::int[]) AS x(id, delta)
    WHERE p.id = x.id AND p.stock + x.delta >= 0 AND (x.delta >= 0 OR p.deleted_at IS NULL)`;
  if (changed !== products.ids.length) {
    throw new Error(
      `Changed the stock of ${changed} of ${products.ids.length} products; rolled back`,
    );
  }
  await tx.$executeRaw`
    INSERT INTO stock_movements (product_id, delta, reason, reference)
    SELECT x.id, x.delta, x.reason::"StockReason", x.reference
    FROM unnest(${ledger.ids}::uuid[], ${ledger.deltas}::int[], ${ledger.reasons}::text[],
      ${ledger.references}::text[]) AS x(id, delta, reason, reference)`;
}
