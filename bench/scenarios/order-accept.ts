// order-accept: the bench users ordering over the catalog, 128 connections, with no worker
// running, so it measures acceptance alone: as a ratio to raw-commit (the target, and the floor
// it must never fall below), and to raw-accept and raw-group-accept, which write exactly the same
// rows with no HTTP and no Prisma (the gap for this very work).
import { measureCpu, microsPer } from '../cpu.ts';
import { kindOf, orderKind, runLoad } from '../load-client.ts';
import type { Row } from '../report.ts';
import type { Scenario } from './context.ts';

const TARGET = 1;
const FLOOR = 0.5;
const P99_MS = 100;

export const orderAccept: Scenario = {
  name: 'order-accept',
  async run({ apiUrl, apiPid, config, tokens, catalog, baselines }) {
    const { acceptOrders } = config.scale;
    const { result: accept, cpuSeconds } = await measureCpu(apiPid, () =>
      runLoad(
        {
          engine: 'mix',
          url: apiUrl,
          connections: 128,
          amount: acceptOrders,
          kinds: [orderKind(tokens, catalog.products)],
        },
        config.runId,
      ),
    );
    const acc = kindOf(accept, 'order');
    const cpuUs = microsPer(cpuSeconds, acc.count);
    const allAccepted = (acc.statuses['202'] ?? 0) === acceptOrders;
    const value = Math.round(acc.perSecond);
    const ratio = acc.perSecond / baselines.rawCommit;
    const rows: Row[] = [
      {
        scenario: 'order-accept',
        metric: 'accepted/s',
        value,
        p50: acc.p50,
        p99: acc.p99,
        ratio: { to: 'raw-commit', value: ratio },
        target: `≥ ${TARGET.toFixed(2)}× and p99 < ${P99_MS} ms`,
        pass: ratio >= TARGET && acc.p99 < P99_MS && allAccepted,
      },
      {
        scenario: 'order-accept, floor',
        metric: 'accepted/s',
        value,
        ratio: { to: 'raw-commit', value: ratio },
        target: `≥ ${FLOOR.toFixed(2)}×`,
        pass: ratio >= FLOOR && allAccepted,
      },
      {
        scenario: 'order-accept, API CPU',
        metric: 'µs/order',
        value: cpuUs,
        ratio: { to: 'baseline-http server CPU', value: cpuUs / Math.max(baselines.httpCpuUs, 1) },
      },
      {
        scenario: 'order-accept vs raw-accept',
        metric: 'accepted/s',
        value,
        ratio: { to: 'raw-accept', value: acc.perSecond / baselines.rawAccept.perSecond },
      },
      {
        scenario: 'order-accept vs raw-group-accept',
        metric: 'accepted/s',
        value,
        ratio: {
          to: 'raw-group-accept',
          value: acc.perSecond / baselines.rawGroupAccept.perSecond,
        },
      },
    ];
    return { rows, checks: [] };
  },
};
