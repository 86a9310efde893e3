// The row lock every stock-changing transaction takes on its products (fulfilment of one order or
// of a batch, the restock of a cancellation, an admin's stock adjustment), so all of them lock the same way and in one order.
import { z } from 'zod';
import type { Db } from '@chronicle/db';
import { rows } from '../sql.ts';

const lockedProduct = z.object({
  id: z.string(),
  name: z.string(),
  stock: z.number().int(),
  deleted: z.boolean(),
});

export type LockedProduct = z.output<typeof lockedProduct>;

/**
 * Locks these products until the transaction ends and reads them. Rows are locked in id order,
 * the one global order every locker uses, so two transactions locking overlapping sets queue
 * instead of deadlocking.
 *
 * FOR NO KEY UPDATE, not FOR UPDATE: it still excludes every other stock change, but not the
 * FOR KEY SHARE lock that the foreign-key check of a new order line takes on its product, so
 * orders keep being accepted while a batch holds its products. That is sound because no locker
 * changes a product's key (its id; the name index is partial, so not a key).
 */
export async function lockProducts(
  tx: Pick<Db, '$queryRaw'>,
  ids: readonly string[],
): Promise<LockedProduct[]> {
  return rows(
    lockedProduct,
    await tx.$queryRaw`
      SELECT id, name, stock, deleted_at IS NOT NULL AS deleted
      FROM products WHERE id = ANY(${ids}::uuid[]) ORDER BY id FOR NO KEY UPDATE`,
  );
}
