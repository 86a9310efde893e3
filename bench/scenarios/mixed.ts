// mixed: 90 % catalog reads, 10 % orders, with the workers running; then twice more (shorter)
// for the memory trend (targets: reads p99 < 50 ms, orders p99 < 150 ms). The memory sampling
// ends with it.
import type { KindSpec } from '../load.ts';
import { kindOf, orderKind, runLoad } from '../load-client.ts';
import { waitAllSettled } from '../orders.ts';
import type { Row } from '../report.ts';
import type { Scenario } from './context.ts';

const RUNS = 3;
/** The p99 each kind must stay under (ms). */
const P99_MS = { read: 50, order: 150 } as const;

function readKind(products: string[]): KindSpec {
  return {
    name: 'read',
    weight: 9,
    method: 'GET',
    paths: [...products.map((p) => `/product/${p}`), '/product?limit=20'],
  };
}

export const mixed: Scenario = {
  name: 'mixed (three runs, for the memory trend)',
  async run({ apiUrl, config, db, tokens, catalog, memory }) {
    const rows: Row[] = [];
    for (let run = 1; run <= RUNS; run += 1) {
      const result = await runLoad(
        {
          engine: 'mix',
          url: apiUrl,
          connections: 64,
          durationS: run === 1 ? config.scale.mixedSeconds : config.scale.leakSeconds,
          kinds: [readKind(catalog.products), orderKind(tokens, catalog.products)],
        },
        config.runId,
      );
      if (run === 1) {
        for (const kind of ['read', 'order'] as const) {
          const k = kindOf(result, kind);
          rows.push({
            scenario: `mixed ${kind}s`,
            metric: 'req/s',
            value: Math.round(k.perSecond),
            p50: k.p50,
            p99: k.p99,
            target: `p99 < ${P99_MS[kind]} ms`,
            pass: k.p99 < P99_MS[kind],
          });
        }
      }
      await waitAllSettled(db, 120_000);
      memory.recordAfterRun();
    }
    memory.stopSampling();
    return { rows, checks: [] };
  },
};
