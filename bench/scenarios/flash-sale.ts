// flash-sale: single-unit orders for one product of little stock, many more than its stock.
// - fulfilment: accepted while no worker runs, then settled by the workers in batches;
// - end to end: the same with the workers running, from the first accept to the moment every
//   order is final (bounded by how fast the API accepts).
// Each checks that exactly the stock was confirmed and the rest rejected.
import type { KindResult, LoadResult } from '../load.ts';
import { kindOf, orderKind, runLoad } from '../load-client.ts';
import { productOutcome, waitAllSettled } from '../orders.ts';
import type { Check } from '../report.ts';
import { drain } from './fulfilment.ts';
import type { Scenario, ScenarioContext } from './context.ts';

function flashOrders(ctx: ScenarioContext, productId: string): Promise<LoadResult> {
  return runLoad(
    {
      engine: 'mix',
      url: ctx.apiUrl,
      connections: 128,
      amount: ctx.config.scale.flashOrders,
      kinds: [orderKind(ctx.tokens, [productId])],
    },
    ctx.config.runId,
  );
}

async function checkFlash(
  ctx: ScenarioContext,
  label: string,
  productId: string,
  accepted: KindResult,
): Promise<Check> {
  const { flashStock, flashOrders } = ctx.config.scale;
  const { counts, stock } = await productOutcome(ctx.db, productId);
  return {
    what: `${label}: exactly the stock confirmed, the rest rejected, stock 0`,
    ok:
      counts.CONFIRMED === flashStock &&
      counts.REJECTED === flashOrders - flashStock &&
      stock === 0 &&
      accepted.statuses['202'] === flashOrders,
    detail: `CONFIRMED ${counts.CONFIRMED ?? 0}, REJECTED ${counts.REJECTED ?? 0}, stock ${stock}, accepted ${accepted.statuses['202'] ?? 0}`,
  };
}

/** Leaves the workers running, for the scenarios after it. */
export const flashSaleFulfilment: Scenario = {
  name: 'flash-sale fulfilment',
  async run(ctx) {
    const product = ctx.catalog.flashBacklogProduct;
    const backlog = await flashOrders(ctx, product);
    const row = await drain(ctx, 'flash-sale fulfilment, one product', 'raw-hot-row');
    const check = await checkFlash(ctx, 'flash-sale fulfilment', product, kindOf(backlog, 'order'));
    return { rows: [row], checks: [check] };
  },
};

export const flashSaleEndToEnd: Scenario = {
  name: 'flash-sale end to end',
  async run(ctx) {
    const product = ctx.catalog.flashProduct;
    const flash = await flashOrders(ctx, product);
    const fl = kindOf(flash, 'order');
    const loadStart = performance.now() - flash.durationMs;
    const settledAt = await waitAllSettled(ctx.db, 600_000);
    const firstAccept = loadStart + (fl.firstOkMs ?? 0);
    const rate = ctx.config.scale.flashOrders / ((settledAt - firstAccept) / 1000);
    const ratio = rate / ctx.baselines.rawHot;
    const rows = [
      {
        scenario: 'flash-sale end to end',
        metric: 'orders/s',
        value: Math.round(rate),
        ratio: { to: 'raw-hot-row', value: ratio },
        target: '≥ 1.5×',
        pass: ratio >= 1.5,
      },
      {
        scenario: 'flash-sale end to end, accepting',
        metric: 'accepted/s',
        value: Math.round(fl.perSecond),
        p50: fl.p50,
        p99: fl.p99,
      },
    ];
    const check = await checkFlash(ctx, 'flash-sale end to end', product, fl);
    return { rows, checks: [check] };
  },
};
