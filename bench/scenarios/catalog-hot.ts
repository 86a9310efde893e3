// catalog-hot: product reads from a warm cache, 64 connections, as a ratio to baseline-http.
import { kindOf, runLoad } from '../load-client.ts';
import type { Row } from '../report.ts';
import type { Scenario, ScenarioContext } from './context.ts';

async function warmCache(apiUrl: string, products: string[]): Promise<void> {
  for (const p of products) await fetch(`${apiUrl}/product/${p}`);
  await fetch(`${apiUrl}/product?limit=20`);
}

async function measure(ctx: ScenarioContext, name: string, paths: string[]): Promise<Row> {
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
    target: '≥ 0.60× and p99 < 25 ms',
    pass: ratio >= 0.6 && r.p99 < 25,
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
    );
    const list = await measure(ctx, 'catalog-hot GET /product?limit=20', ['/product?limit=20']);
    return { rows: [byId, list], checks: [] };
  },
};
