// Fulfilment of a backlog: the workers start once the backlog is there and the rate comes from
// the orders' own processed_at stamps (first to last settled), so worker start-up is not counted.
// pg-boss's job table is locked while the workers start, so all of them take up the backlog
// together (started one after another, the first would otherwise drain part of it alone).
import type pg from 'pg';
import { QUEUE_SCHEMA } from '@chronicle/core';
import { databaseNow, settledSince, waitAllSettled } from '../orders.ts';
import type { Row } from '../report.ts';
import type { Scenario, ScenarioContext } from './context.ts';

/** Runs `fn` while no worker can fetch a job: pg-boss's job table is locked until it returns. */
async function withJobsHeld(db: pg.Client, fn: () => Promise<void>): Promise<void> {
  await db.query('BEGIN');
  try {
    await db.query(`LOCK TABLE ${QUEUE_SCHEMA}.job IN EXCLUSIVE MODE`);
    await fn();
  } finally {
    await db.query('COMMIT');
  }
}

/**
 * Starts `count` workers (the pool's own count by default) on the backlog, all at once, waits
 * until it is settled, and reports the drain rate.
 */
export async function drain(
  ctx: ScenarioContext,
  what: string,
  ratioTo: 'raw-commit' | 'raw-hot-row',
  count?: number,
): Promise<Row> {
  const { db, baselines } = ctx;
  const since = await databaseNow(db);
  await withJobsHeld(db, () => ctx.workers.start(count));
  await waitAllSettled(db, 600_000);
  const { settled, seconds } = await settledSince(db, since);
  const rate = settled / Math.max(seconds, 0.001);
  const ratio = rate / (ratioTo === 'raw-commit' ? baselines.rawCommit : baselines.rawHot);
  return {
    scenario: `${what} (${settled} orders)`,
    metric: 'orders/s',
    value: Math.round(rate),
    ratio: { to: ratioTo, value: ratio },
    ...(ratioTo === 'raw-hot-row' ? { target: '≥ 1.5× (batching)', pass: ratio >= 1.5 } : {}),
  };
}

/** The order-accept backlog, over 100 products; the workers are stopped afterwards. */
export const acceptBacklogFulfilment: Scenario = {
  name: 'fulfilment of the accept backlog',
  async run(ctx) {
    const row = await drain(ctx, 'fulfilment of the accept backlog, 100 products', 'raw-commit');
    await ctx.workers.stop();
    return { rows: [row], checks: [] };
  },
};
