// order-accept: the bench users ordering over the catalog, 128 connections, with no worker
// running, so it measures acceptance alone (as a ratio to raw-commit).
import { kindOf, orderKind, runLoad } from '../load-client.ts';
import type { Scenario } from './context.ts';

export const orderAccept: Scenario = {
  name: 'order-accept',
  async run({ apiUrl, config, tokens, catalog, baselines }) {
    const { acceptOrders } = config.scale;
    const accept = await runLoad(
      {
        engine: 'mix',
        url: apiUrl,
        connections: 128,
        amount: acceptOrders,
        kinds: [orderKind(tokens, catalog.products)],
      },
      config.runId,
    );
    const acc = kindOf(accept, 'order');
    const ratio = acc.perSecond / baselines.rawCommit;
    const row = {
      scenario: 'order-accept',
      metric: 'accepted/s',
      value: Math.round(acc.perSecond),
      p50: acc.p50,
      p99: acc.p99,
      ratio: { to: 'raw-commit', value: ratio },
      target: '≥ 0.50× and p99 < 150 ms',
      pass: ratio >= 0.5 && acc.p99 < 150 && (acc.statuses['202'] ?? 0) === acceptOrders,
    };
    return { rows: [row], checks: [] };
  },
};
