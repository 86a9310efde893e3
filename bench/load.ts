// The load generator, always run as its own process (so it never shares an event loop with what
// it measures). Two engines:
// - `autocannon` for plain HTTP scenarios (baseline and catalog reads);
// - `mix`, a small purpose-built client on undici for the order flow: weighted request kinds,
//   per-kind latency percentiles and status counts, a fixed duration or a fixed number of requests,
//   against one URL or several (the connections spread over them in turn).
// Input: the path of a JSON file (tokens do not fit in an argument); output: one JSON line.
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { Pool } from 'undici';

export interface KindSpec {
  name: string;
  weight: number;
  method: 'GET' | 'POST';
  /** Paths to pick from at random. */
  paths: string[];
  /** Bearer tokens to pick from at random (in turn for `amount` runs). */
  tokens?: string[];
  /** JSON body; `{productIds}` picks one product per request for an order. */
  order?: { productIds: string[]; quantity: number };
}

export type LoadSpec =
  | { engine: 'autocannon'; url: string; paths: string[]; connections: number; durationS: number }
  | {
      engine: 'mix';
      /** One URL, or several: connection i goes to URL i mod n. */
      url: string | string[];
      connections: number;
      durationS?: number;
      amount?: number;
      kinds: KindSpec[];
    };

export interface KindResult {
  count: number;
  statuses: Record<string, number>;
  perSecond: number;
  p50: number;
  p99: number;
  /** Wall-clock ms of the first and last 2xx answer, relative to the start. */
  firstOkMs: number | null;
  lastOkMs: number | null;
  /** Response bodies' ids (orders), when collected. */
  ids?: string[];
}

export interface LoadResult {
  durationMs: number;
  kinds: Record<string, KindResult>;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Number((sorted[Math.max(0, index)] ?? 0).toFixed(2));
}

async function runAutocannon(spec: Extract<LoadSpec, { engine: 'autocannon' }>) {
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.durationS,
    requests: spec.paths.map((path) => ({ method: 'GET' as const, path })),
  });
  const statuses: Record<string, number> = {
    '2xx': result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
  const kind: KindResult = {
    count: result.requests.total,
    statuses,
    perSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    firstOkMs: null,
    lastOkMs: null,
  };
  return { durationMs: result.duration * 1000, kinds: { all: kind } } satisfies LoadResult;
}

/** One pool per URL, connection i on pool i mod n, each pool as large as its share. */
function connectionPools(urls: string[], connections: number): Pool[] {
  return urls.map(
    (url, j) =>
      new Pool(new URL(url).origin, {
        connections: Math.ceil((connections - j) / urls.length),
        pipelining: 1,
      }),
  );
}

async function runMix(spec: Extract<LoadSpec, { engine: 'mix' }>): Promise<LoadResult> {
  const pools = connectionPools([spec.url].flat(), spec.connections);
  const totalWeight = spec.kinds.reduce((sum, kind) => sum + kind.weight, 0);
  interface Stat {
    latencies: number[];
    statuses: Record<string, number>;
    firstOk: number | null;
    lastOk: number | null;
    ids: string[];
  }
  const stats = new Map<string, Stat>(
    spec.kinds.map((kind) => [
      kind.name,
      { latencies: [], statuses: {}, firstOk: null, lastOk: null, ids: [] },
    ]),
  );
  const started = performance.now();
  const deadline = spec.durationS === undefined ? Infinity : started + spec.durationS * 1000;
  let issued = 0;
  let turn = 0;

  const pick = <T>(items: readonly T[]): T => {
    const item = items[Math.floor(Math.random() * items.length)];
    if (item === undefined) throw new Error('nothing to pick from');
    return item;
  };
  const chooseKind = (): KindSpec => {
    let roll = Math.random() * totalWeight;
    for (const kind of spec.kinds) {
      roll -= kind.weight;
      if (roll <= 0) return kind;
    }
    const last = spec.kinds.at(-1);
    if (!last) throw new Error('no request kinds');
    return last;
  };

  async function loop(connection: number): Promise<void> {
    const pool = pools[connection % pools.length];
    if (!pool) throw new Error('no URL to load');
    for (;;) {
      if (performance.now() >= deadline) return;
      if (spec.amount !== undefined && issued >= spec.amount) return;
      issued += 1;
      turn += 1;
      const kind = chooseKind();
      const headers: Record<string, string> = {};
      if (kind.tokens?.length) {
        headers.authorization = `Bearer ${kind.tokens[turn % kind.tokens.length] ?? ''}`;
      }
      let body: string | undefined;
      if (kind.order) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify({
          items: [{ id: pick(kind.order.productIds), quantity: kind.order.quantity }],
        });
      }
      const sent = performance.now();
      const stat = stats.get(kind.name);
      if (!stat) throw new Error(`unknown kind ${kind.name}`);
      try {
        const res = await pool.request({
          method: kind.method,
          path: pick(kind.paths),
          headers,
          ...(body === undefined ? {} : { body }),
        });
        const text = await res.body.text();
        const now = performance.now();
        stat.latencies.push(now - sent);
        const key = String(res.statusCode);
        stat.statuses[key] = (stat.statuses[key] ?? 0) + 1;
        if (res.statusCode < 300) {
          stat.firstOk ??= now - started;
          stat.lastOk = now - started;
          if (kind.order) {
            const id = /"id":"([0-9a-f-]{36})"/.exec(text)?.[1];
            if (id) stat.ids.push(id);
          }
        }
      } catch {
        stat.statuses.error = (stat.statuses.error ?? 0) + 1;
      }
    }
  }

  await Promise.all(Array.from({ length: spec.connections }, (_, i) => loop(i)));
  const durationMs = performance.now() - started;
  await Promise.all(pools.map((pool) => pool.close()));
  const kinds: Record<string, KindResult> = {};
  for (const [name, stat] of stats) {
    const sorted = Float64Array.from(stat.latencies).sort();
    kinds[name] = {
      count: stat.latencies.length,
      statuses: stat.statuses,
      perSecond: Number(((stat.latencies.length / durationMs) * 1000).toFixed(1)),
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      firstOkMs: stat.firstOk,
      lastOkMs: stat.lastOk,
      ...(stat.ids.length ? { ids: stat.ids } : {}),
    };
  }
  return { durationMs, kinds };
}

const spec = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as LoadSpec;
const result = spec.engine === 'autocannon' ? await runAutocannon(spec) : await runMix(spec);
process.stdout.write(`${JSON.stringify(result)}\n`);
