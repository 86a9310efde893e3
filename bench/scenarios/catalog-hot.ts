// catalog-hot: product reads from a warm cache, 64 connections, as a ratio to baseline-http
// (targets: by id ≥ 0.60×, the list page ≥ 0.50×, both with p99 < 25 ms).
import { kindOf, runLoad } from '../load-client.ts';
import type { Row } from '../report.ts';
import type { Scenario, ScenarioContext } from './context.ts';

const P99_MS = 25;

async function warmCache(apiUrl: string, products: string[]): Promise<void> {
  for (const p of products) await fetch(`${apiUrl}/product/${p}`);
  await fetch(`${apiUrl}/product?limit=20`);
}

/** Its target: at least `target` × baseline-http, with a p99 under 25 ms. */
async function measure(
  ctx: ScenarioContext,
  name: string,
  paths: string[],
  target: number,
): Promise<Row> {
  const { apiUrl, config, baselines } = ctx;
  const r = kindOf(
    await runLoad(
      {
        engine: 'autocannon',
        url: apiUrl,
        paths,
        connections: 64,
        durationS: config.scale.httpSeconds,
      },
      config.runId,
    ),
    'all',
  );
  const ratio = r.perSecond / baselines.http.perSecond;
  return {
    scenario: name,
    metric: 'req/s',
    value: Math.round(r.perSecond),
    p50: r.p50,
    p99: r.p99,
    ratio: { to: 'baseline-http', value: ratio },
    target: `≥ ${target.toFixed(2)}× and p99 < ${P99_MS} ms`,
    pass: ratio >= target && r.p99 < P99_MS,
  };
}

export const catalogHot: Scenario = {
  name: 'catalog-hot',
  async run(ctx) {
    const { products } = ctx.catalog;
    await warmCache(ctx.apiUrl, products);
    const byId = await measure(
      ctx,
      'catalog-hot GET /product/:id',
      products.map((p) => `/product/${p}`),
      0.6,
    );
    const list = await measure(
      ctx,
      'catalog-hot GET /product?limit=20',
      ['/product?limit=20'],
      0.5,
    );
    return { rows: [byId, list], checks: [] };
  },
};
