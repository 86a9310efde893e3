// catalog-hot: product reads from a warm cache, 64 connections, as a ratio to baseline-http
// (targets: by id ≥ 0.60×, the list page ≥ 0.50×, both with p99 < 25 ms), and the API's CPU per
// read against the baseline server's per request.
import { measureCpu, microsPer } from '../cpu.ts';
import { kindOf, runLoad } from '../load-client.ts';
import type { Row } from '../report.ts';
import type { Scenario, ScenarioContext } from './context.ts';

const P99_MS = 25;

async function warmCache(apiUrl: string, products: string[]): Promise<void> {
  for (const p of products) await fetch(`${apiUrl}/product/${p}`);
  await fetch(`${apiUrl}/product?limit=20`);
}

/** Its target: at least `target` × baseline-http, with a p99 under 25 ms; then its CPU row. */
async function measure(
  ctx: ScenarioContext,
  name: string,
  paths: string[],
  target: number,
): Promise<Row[]> {
  const { apiUrl, apiPid, config, baselines } = ctx;
  const { result, cpuSeconds } = await measureCpu(apiPid, () =>
    runLoad(
      {
        engine: 'autocannon',
        url: apiUrl,
        paths,
        connections: 64,
        durationS: config.scale.httpSeconds,
      },
      config.runId,
    ),
  );
  const r = kindOf(result, 'all');
  const ratio = r.perSecond / baselines.http.perSecond;
  const cpuUs = microsPer(cpuSeconds, r.count);
  return [
    {
      scenario: name,
      metric: 'req/s',
      value: Math.round(r.perSecond),
      p50: r.p50,
      p99: r.p99,
      ratio: { to: 'baseline-http', value: ratio },
      target: `≥ ${target.toFixed(2)}× and p99 < ${P99_MS} ms`,
      pass: ratio >= target && r.p99 < P99_MS,
    },
    {
      scenario: `${name}, API CPU`,
      metric: 'µs/req',
      value: cpuUs,
      ratio: { to: 'baseline-http server CPU', value: cpuUs / Math.max(baselines.httpCpuUs, 1) },
    },
  ];
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
    return { rows: [...byId, ...list], checks: [] };
  },
};
