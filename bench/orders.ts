// What the bench reads back from its database about the orders: whether all are settled, how
// fast they were settled, one product's outcome, and the invariants over all of them.
import type pg from 'pg';

async function countPending(db: pg.Client): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    "SELECT count(*) AS n FROM orders WHERE status = 'PENDING'",
  );
  return Number(rows[0]?.n);
}

/** Waits until no order is PENDING; resolves with the moment (performance.now()) it saw that. */
export async function waitAllSettled(db: pg.Client, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    const pending = await countPending(db);
    if (pending === 0) return performance.now();
    if (performance.now() - t0 > timeoutMs) throw new Error(`${pending} orders still PENDING`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function databaseNow(db: pg.Client): Promise<Date> {
  const now = (await db.query<{ now: Date }>('SELECT now()')).rows[0]?.now;
  if (!now) throw new Error('SELECT now() returned no row');
  return now;
}

/** Orders processed since `since`, and the seconds from the first to the last of them. */
export async function settledSince(
  db: pg.Client,
  since: Date,
): Promise<{ settled: number; seconds: number }> {
  const { rows } = await db.query<{ n: string; seconds: number | null }>(
    `SELECT count(*) AS n, extract(epoch FROM max(processed_at) - min(processed_at))::float8 AS seconds
     FROM orders WHERE processed_at >= $1`,
    [since],
  );
  return { settled: Number(rows[0]?.n ?? 0), seconds: rows[0]?.seconds ?? 0 };
}

/** The orders for one product by status, and its stock. */
export async function productOutcome(
  db: pg.Client,
  productId: string,
): Promise<{ counts: Record<string, number>; stock: number }> {
  const result = await db.query<{ status: string; n: string }>(
    `SELECT o.status::text AS status, count(*) AS n FROM orders o
     JOIN order_items i ON i.order_id = o.id WHERE i.product_id = $1 GROUP BY 1`,
    [productId],
  );
  const counts = Object.fromEntries(result.rows.map((r) => [r.status, Number(r.n)]));
  const stock = Number(
    (await db.query<{ stock: number }>('SELECT stock FROM products WHERE id = $1', [productId]))
      .rows[0]?.stock,
  );
  return { counts, stock };
}

export interface Invariants {
  negativeStock: number;
  ledgerMismatches: number;
  pending: number;
}

/** Products below zero, products whose stock differs from their ledger, orders left PENDING. */
export async function invariants(db: pg.Client): Promise<Invariants> {
  const negative = await db.query<{ n: string }>(
    'SELECT count(*) AS n FROM products WHERE stock < 0',
  );
  const mismatched = await db.query<{ n: string }>(`
    SELECT count(*) AS n FROM products p
    LEFT JOIN (SELECT product_id, sum(delta) AS total FROM stock_movements GROUP BY product_id) m
      ON m.product_id = p.id
    WHERE p.stock <> coalesce(m.total, 0)`);
  return {
    negativeStock: Number(negative.rows[0]?.n),
    ledgerMismatches: Number(mismatched.rows[0]?.n),
    pending: await countPending(db),
  };
}
