// The row lock every stock-changing transaction takes on its products (fulfilment of one order or
// of a batch, the restock of a cancellation), so all of them lock the same way and in one order.
import type { Db } from '@chronicle/db';

export interface LockedProduct {
  id: string;
  name: string;
  stock: number;
  deleted: boolean;
}

/**
 * Locks these products until the transaction ends and reads them. Rows are locked in id order,
 * the one global order every locker uses, so two transactions locking overlapping sets queue
 * instead of deadlocking.
 */
export function lockProducts(
  tx: Pick<Db, '$queryRaw'>,
  ids: readonly string[],
): Promise<LockedProduct[]> {
  return tx.$queryRaw<LockedProduct[]>`
    SELECT id, name, stock, deleted_at IS NOT NULL AS deleted
    FROM products WHERE id = ANY(${ids}::uuid[]) ORDER BY id FOR UPDATE`;
}
