// scaling: what more processes give on this machine, each against one process in the same run.
// - fulfilment with 1, 2 and 4 workers: a backlog of `scalingOrders` over the catalog, accepted
//   while no worker runs, then drained as in fulfilment (from the processed_at stamps, all the
//   workers starting together).
// - accept with 1 and 2 API processes (what node:cluster would give): `scalingAcceptOrders`
//   orders, 128 connections, no worker running, against the API and then spread over it and a
//   second one (same environment, its own port, warmed up first); each backlog is drained before
//   the next run.
// It leaves the second API stopped and the pool's workers running, every order settled. It runs
// after mixed, so the memory figures (sampled until mixed ends) are those of the scenarios before.
import { serviceEnv } from '../config.ts';
import type { KindResult } from '../load.ts';
import { kindOf, orderKind, runLoad } from '../load-client.ts';
import { waitAllSettled } from '../orders.ts';
import { startApi } from '../processes.ts';
import type { Check, Row } from '../report.ts';
import { drain } from './fulfilment.ts';
import type { Scenario, ScenarioContext } from './context.ts';

const WORKER_COUNTS = [1, 2, 4] as const;
const CONNECTIONS = 128;
/** Orders sent to the second API before it is measured: JIT, pools and query plans. */
const WARM_UP_ORDERS = 500;

/** Orders sent and accepted (202) over the whole scenario. */
interface Tally {
  sent: number;
  accepted: number;
}

/** `amount` orders over the whole catalog from the bench users, against `url` (one or several). */
async function accept(
  ctx: ScenarioContext,
  tally: Tally,
  url: string | string[],
  amount: number,
): Promise<KindResult> {
  const kinds = [orderKind(ctx.tokens, ctx.catalog.products)];
  const spec = { engine: 'mix', url, connections: CONNECTIONS, amount, kinds } as const;
  const result = kindOf(await runLoad(spec, ctx.config.runId), 'order');
  tally.sent += amount;
  tally.accepted += result.statuses['202'] ?? 0;
  return result;
}

/** Starts the pool's workers and waits until the backlog is settled (they keep running). */
async function settle(ctx: ScenarioContext): Promise<void> {
  await ctx.workers.start();
  await waitAllSettled(ctx.db, 600_000);
}

/** `row`'s rate again, as a ratio to `first`'s. */
function versus(row: Row, first: Row, scenario: string, to: string): Row {
  const ratio = { to, value: row.value / first.value };
  return { scenario, metric: row.metric, value: row.value, ratio };
}

const workers = (k: number) => (k === 1 ? '1 worker' : `${k} workers`);

async function fulfilmentRows(ctx: ScenarioContext, tally: Tally): Promise<Row[]> {
  const rows: Row[] = [];
  let first: Row | undefined;
  for (const k of WORKER_COUNTS) {
    await accept(ctx, tally, ctx.apiUrl, ctx.config.scale.scalingOrders);
    const row = await drain(ctx, `scaling: fulfilment, ${workers(k)}`, 'raw-commit', k);
    await ctx.workers.stop();
    rows.push(row);
    if (first) rows.push(versus(row, first, `scaling: fulfilment, ${workers(k)} vs 1`, '1 worker'));
    first ??= row;
  }
  return rows;
}

function acceptRow(ctx: ScenarioContext, scenario: string, result: KindResult): Row {
  const ratio = { to: 'raw-commit', value: result.perSecond / ctx.baselines.rawCommit };
  const { p50, p99 } = result;
  return { scenario, metric: 'accepted/s', value: Math.round(result.perSecond), p50, p99, ratio };
}

/** Ends with the second API stopped and its backlog settled by the pool's workers, left running. */
async function acceptRows(ctx: ScenarioContext, tally: Tally): Promise<Row[]> {
  const { scalingAcceptOrders } = ctx.config.scale;
  const one = acceptRow(
    ctx,
    'scaling: accept, 1 API process',
    await accept(ctx, tally, ctx.apiUrl, scalingAcceptOrders),
  );
  await settle(ctx);
  await ctx.workers.stop();
  const second = await startApi(serviceEnv(ctx.config), ctx.config.profile);
  let two: Row;
  try {
    await accept(ctx, tally, second.url, WARM_UP_ORDERS);
    const urls = [ctx.apiUrl, second.url];
    two = acceptRow(
      ctx,
      'scaling: accept, 2 API processes',
      await accept(ctx, tally, urls, scalingAcceptOrders),
    );
  } finally {
    await second.proc.stop();
  }
  await settle(ctx);
  return [one, two, versus(two, one, 'scaling: accept, 2 API processes vs 1', '1 API process')];
}

export const scaling: Scenario = {
  name: 'scaling (1, 2 and 4 workers; 1 and 2 API processes)',
  async run(ctx) {
    await waitAllSettled(ctx.db, 600_000);
    await ctx.workers.stop();
    const tally: Tally = { sent: 0, accepted: 0 };
    const rows = [...(await fulfilmentRows(ctx, tally)), ...(await acceptRows(ctx, tally))];
    const check: Check = {
      what: 'scaling: every order accepted (202)',
      ok: tally.accepted === tally.sent,
      detail: `${tally.accepted} of ${tally.sent}`,
    };
    return { rows, checks: [check] };
  },
};
