// `pnpm bench`: the benchmark suite. It creates a fresh database, starts the API
// (NODE_ENV=production, logs at warn) and N worker processes as separate OS processes, drives
// load from another process (bench/load.ts), and prints a markdown table, also written with the
// raw JSON to bench/results/. Every figure that depends on the machine is reported as a ratio to
// a baseline measured in the same run. It stops everything it started, also on failure or Ctrl-C.
//
//   pnpm bench                 the full suite (about 3 minutes)
//   BENCH_QUICK=1 pnpm bench   a short smoke run (smaller counts and durations)
//
// Settings (environment): BENCH_WORKERS (2), BENCH_DATABASE_ADMIN_URL
// (postgresql://postgres@127.0.0.1:5432/postgres), BENCH_REDIS_URL (redis://127.0.0.1:6379).
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { signAccessToken } from '@chronicle/api';
import { freePort } from '@chronicle/core';
import { applyMigrations } from '@chronicle/db/migrations';
import { runProcess, waitFor, type LogLine, type RunningProcess } from '@chronicle/testing';
import type { KindResult, KindSpec, LoadResult, LoadSpec } from './load.ts';

const root = path.resolve(import.meta.dirname, '..');
const quick = process.env.BENCH_QUICK === '1';
const workerCount = Number(process.env.BENCH_WORKERS ?? 2);
const adminUrl =
  process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const POOL_MAX = 10;

const scale = {
  httpSeconds: quick ? 3 : 10,
  rawSeconds: quick ? 2 : 5,
  users: quick ? 200 : 1_000,
  products: 100,
  acceptOrders: quick ? 2_000 : 10_000,
  flashStock: quick ? 1_000 : 5_000,
  flashOrders: quick ? 4_000 : 20_000,
  mixedSeconds: quick ? 5 : 30,
  leakSeconds: quick ? 3 : 10,
};

const runId = randomBytes(4).toString('hex');
const dbName = `chronicle_bench_${runId}`;
const databaseUrl = (() => {
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  return url.toString();
})();
const keyPrefix = `chronicle-bench-${runId}:`;
const jwtEnv = {
  JWT_SECRET: randomBytes(48).toString('base64'),
  JWT_ISSUER: 'chronicle',
  JWT_AUDIENCE: 'chronicle-api',
  JWT_TTL_SECONDS: 86_400,
};

// ---------------------------------------------------------------------------------------------
// Processes

const started: RunningProcess[] = [];

/** BENCH_PROFILE=1: the API and workers write V8 CPU profiles to bench/results/profiles/. */
const profileArgs =
  process.env.BENCH_PROFILE === '1'
    ? ['--cpu-prof', `--cpu-prof-dir=${path.join(root, 'bench/results/profiles')}`]
    : [];

function startNode(args: string[], env: Record<string, string>, profile = false): RunningProcess {
  const proc = runProcess(args, {
    cwd: root,
    env,
    echo: true,
    nodeArgs: profile ? profileArgs : [],
  });
  started.push(proc);
  return proc;
}

async function stopAll(): Promise<void> {
  await Promise.all(started.map((proc) => proc.stop('SIGTERM', 15_000)));
}

/** Resident memory of a process in MB (Linux /proc). */
function rssMb(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return Math.round(kb / 1024);
  } catch {
    return 0;
  }
}

const peaks = new Map<string, number>();
function sampleRss(procs: Record<string, RunningProcess>): NodeJS.Timeout {
  return setInterval(() => {
    for (const [name, proc] of Object.entries(procs)) {
      peaks.set(name, Math.max(peaks.get(name) ?? 0, rssMb(proc.child.pid)));
    }
  }, 250);
}

/** Single-unit POST /order requests from the bench users, for one of `productIds` each. */
function orderKind(tokens: string[], productIds: string[], weight = 1): KindSpec {
  return {
    name: 'order',
    weight,
    method: 'POST',
    paths: ['/order'],
    tokens,
    order: { productIds, quantity: 1 },
  };
}

function kindOf(result: LoadResult, name: string): KindResult {
  const kind = result.kinds[name];
  if (!kind) throw new Error(`no results for ${name}`);
  return kind;
}

function isLoadResult(line: LogLine): line is LogLine & LoadResult {
  return typeof line.durationMs === 'number' && typeof line.kinds === 'object';
}

async function load(spec: LoadSpec): Promise<LoadResult> {
  const file = path.join(os.tmpdir(), `chronicle-bench-${runId}-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify(spec));
  const generator = startNode(['bench/load.ts', file], {});
  const code = await generator.exited(Infinity);
  if (code !== 0) throw new Error(`load generator exited with ${code}`);
  return waitFor(() => generator.logs.findLast(isLoadResult), {
    timeoutMs: 5_000,
    message: 'the load generator result',
  });
}

// ---------------------------------------------------------------------------------------------
// Database

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** `loops` concurrent loops through one pool of POOL_MAX, each committing `statement`. */
async function commitsPerSecond(statement: string, seconds: number, loops = POOL_MAX) {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: POOL_MAX });
  let commits = 0;
  const deadline = performance.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: loops }, async () => {
      while (performance.now() < deadline) {
        await pool.query(statement);
        commits += 1;
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  await pool.end();
  return Math.round(commits / elapsed);
}

async function invariants(db: pg.Client) {
  const negative = await db.query<{ n: string }>(
    'SELECT count(*) AS n FROM products WHERE stock < 0',
  );
  const mismatched = await db.query<{ n: string }>(`
    SELECT count(*) AS n FROM products p
    LEFT JOIN (SELECT product_id, sum(delta) AS total FROM stock_movements GROUP BY product_id) m
      ON m.product_id = p.id
    WHERE p.stock <> coalesce(m.total, 0)`);
  const pending = await db.query<{ n: string }>(
    "SELECT count(*) AS n FROM orders WHERE status = 'PENDING'",
  );
  return {
    negativeStock: Number(negative.rows[0]?.n),
    ledgerMismatches: Number(mismatched.rows[0]?.n),
    pending: Number(pending.rows[0]?.n),
  };
}

async function waitAllSettled(db: pg.Client, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    const { rows } = await db.query<{ n: string }>(
      "SELECT count(*) AS n FROM orders WHERE status = 'PENDING'",
    );
    if (Number(rows[0]?.n) === 0) return performance.now();
    if (performance.now() - t0 > timeoutMs) throw new Error(`${rows[0]?.n} orders still PENDING`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// ---------------------------------------------------------------------------------------------
// The run

interface Row {
  scenario: string;
  metric: string;
  value: number;
  p50?: number;
  p99?: number;
  ratio?: { to: string; value: number };
  target?: string;
  pass?: boolean;
}

const runStartedAt = performance.now();
let currentPhase: { name: string; startedAt: number } | undefined;
const seconds = (ms: number) => (ms / 1000).toFixed(1);

/**
 * Progress on stderr (stdout carries only the results): ends the running phase, printing how long
 * it took, and starts the next, so a long run never sits silent.
 */
function phase(name: string | undefined): void {
  const now = performance.now();
  const at = `bench [${seconds(now - runStartedAt)} s]`;
  if (currentPhase) {
    console.error(
      `${at} finished ${currentPhase.name} in ${seconds(now - currentPhase.startedAt)} s`,
    );
  }
  currentPhase = name === undefined ? undefined : { name, startedAt: now };
  if (name !== undefined) console.error(`${at} started ${name}`);
}

const rows: Row[] = [];
const checks: { what: string; ok: boolean; detail: string }[] = [];
const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));

async function main(): Promise<void> {
  console.error(
    `bench: run ${runId}${quick ? ' (quick)' : ''}, ${workerCount} workers, database ${dbName}`,
  );
  phase('setup: database, users and tokens');
  await applyMigrations(databaseUrl);
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();

  // --- Users and tokens: bench accounts are inserted directly and given signed tokens, since
  // registering a thousand users would spend minutes hashing passwords (not what is measured).
  const users = await db.query<{ id: string; role: 'USER' | 'ADMIN' }>(
    `INSERT INTO users (id, email, password_hash, role, updated_at)
     SELECT gen_random_uuid(), 'bench-' || g || '@example.com', 'not-a-password-hash',
            (CASE WHEN g = 0 THEN 'ADMIN' ELSE 'USER' END)::"Role", now()
     FROM generate_series(0, $1::int) AS g RETURNING id, role`,
    [scale.users],
  );
  const adminUser = users.rows.find((u) => u.role === 'ADMIN');
  if (!adminUser) throw new Error('no admin');
  const adminToken = signAccessToken(jwtEnv, adminUser).token;
  const tokens = users.rows
    .filter((u) => u.role === 'USER')
    .map((u) => signAccessToken(jwtEnv, u).token);

  const serviceEnv = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_MAX: String(POOL_MAX),
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: keyPrefix,
    ...Object.fromEntries(Object.entries(jwtEnv).map(([k, v]) => [k, String(v)])),
    RATE_LIMIT_IP_POINTS: '100000000',
    RATE_LIMIT_ORDER_POINTS: '100000000',
    WORKER_METRICS_PORT: '0',
  };

  // --- baseline-http
  phase('baseline-http');
  const baseline = startNode(['bench/baseline-server.ts'], {});
  const baselinePort = Number((await baseline.waitForLog((l) => 'port' in l, 30_000)).port);
  const base = kindOf(
    await load({
      engine: 'autocannon',
      url: `http://127.0.0.1:${baselinePort}`,
      paths: ['/'],
      connections: 64,
      durationS: scale.httpSeconds,
    }),
    'all',
  );
  await baseline.stop();
  rows.push({
    scenario: 'baseline-http',
    metric: 'req/s',
    value: Math.round(base.perSecond),
    p50: base.p50,
    p99: base.p99,
  });

  // --- raw-commit and raw-hot-row: the database's own limits, through a pool like the app's.
  phase('raw-commit and raw-hot-row');
  await db.query('CREATE TABLE bench_raw (id bigserial PRIMARY KEY, v int NOT NULL)');
  await db.query('CREATE TABLE bench_hot (id int PRIMARY KEY, stock int NOT NULL)');
  await db.query('INSERT INTO bench_hot VALUES (1, 1000000000)');
  const rawCommit = await commitsPerSecond(
    'INSERT INTO bench_raw (v) VALUES (1)',
    scale.rawSeconds,
  );
  const rawHot = await commitsPerSecond(
    'UPDATE bench_hot SET stock = stock - 1 WHERE id = 1 AND stock >= 1',
    scale.rawSeconds,
  );
  rows.push({ scenario: 'raw-commit', metric: 'commits/s', value: rawCommit });
  rows.push({ scenario: 'raw-hot-row', metric: 'commits/s', value: rawHot });

  // --- The API (workers start later, so order-accept measures acceptance alone).
  phase('API start and catalog');
  const apiPort = await freePort();
  const api = startNode(
    ['packages/api/src/main.ts'],
    { ...serviceEnv, PORT: String(apiPort), HOST: '127.0.0.1' },
    true,
  );
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  await waitHealthy(apiUrl);
  const procs: Record<string, RunningProcess> = { api };
  const sampler = sampleRss(procs);

  const products: string[] = [];
  for (let i = 0; i < scale.products + 2; i += 1) {
    const res = await fetch(`${apiUrl}/product`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({
        name: `bench product ${i}`,
        price: '9.99',
        stock: i >= scale.products ? scale.flashStock : 1_000_000,
      }),
    });
    if (res.status !== 201) throw new Error(`product create: ${res.status} ${await res.text()}`);
    products.push(((await res.json()) as { product: { id: string } }).product.id);
  }
  const flashProduct = products.pop();
  const flashBacklogProduct = products.pop();
  if (!flashProduct || !flashBacklogProduct) throw new Error('no flash-sale products');

  // --- catalog-hot: warm cache, 64 connections.
  phase('catalog-hot');
  for (const p of products) await fetch(`${apiUrl}/product/${p}`);
  await fetch(`${apiUrl}/product?limit=20`);
  for (const [name, paths] of [
    ['catalog-hot GET /product/:id', products.map((p) => `/product/${p}`)],
    ['catalog-hot GET /product?limit=20', ['/product?limit=20']],
  ] as const) {
    const r = kindOf(
      await load({
        engine: 'autocannon',
        url: apiUrl,
        paths: [...paths],
        connections: 64,
        durationS: scale.httpSeconds,
      }),
      'all',
    );
    const ratio = r.perSecond / base.perSecond;
    rows.push({
      scenario: name,
      metric: 'req/s',
      value: Math.round(r.perSecond),
      p50: r.p50,
      p99: r.p99,
      ratio: { to: 'baseline-http', value: ratio },
      target: '≥ 0.60× and p99 < 25 ms',
      pass: ratio >= 0.6 && r.p99 < 25,
    });
  }

  // --- order-accept: 1,000 users over 100 products, 128 connections.
  phase('order-accept');
  const accept = await load({
    engine: 'mix',
    url: apiUrl,
    connections: 128,
    amount: scale.acceptOrders,
    kinds: [orderKind(tokens, products)],
  });
  const acc = kindOf(accept, 'order');
  const acceptRatio = acc.perSecond / rawCommit;
  rows.push({
    scenario: 'order-accept',
    metric: 'accepted/s',
    value: Math.round(acc.perSecond),
    p50: acc.p50,
    p99: acc.p99,
    ratio: { to: 'raw-commit', value: acceptRatio },
    target: '≥ 0.50× and p99 < 150 ms',
    pass: acceptRatio >= 0.5 && acc.p99 < 150 && (acc.statuses['202'] ?? 0) === scale.acceptOrders,
  });

  // --- Workers, started once the backlog is there and measured from the moment they are ready,
  // so the drain rate is the fulfilment rate alone.
  const workerProcs: RunningProcess[] = [];
  async function startWorkers(): Promise<void> {
    for (let i = 0; i < workerCount; i += 1) {
      const port = await freePort();
      const worker = startNode(
        ['apps/worker/src/main.ts'],
        { ...serviceEnv, WORKER_METRICS_PORT: String(port) },
        workerProcs.length < workerCount,
      );
      workerProcs.push(worker);
      procs[`worker ${i + 1}`] = worker;
      await waitHealthy(`http://127.0.0.1:${port}`, '/healthz');
    }
  }
  async function stopWorkers(): Promise<void> {
    await Promise.all(workerProcs.splice(0).map((w) => w.stop()));
  }
  /**
   * Starts the workers on a backlog and waits until it is settled. The rate comes from the
   * orders' own processed_at stamps (first to last settled), so worker start-up is not counted.
   */
  async function drain(what: string, ratioTo: 'raw-commit' | 'raw-hot-row') {
    const since = (await db.query<{ now: Date }>('SELECT now()')).rows[0]?.now;
    await startWorkers();
    await waitAllSettled(db, 600_000);
    const { rows: stamps } = await db.query<{ n: string; seconds: number }>(
      `SELECT count(*) AS n, extract(epoch FROM max(processed_at) - min(processed_at))::float8 AS seconds
       FROM orders WHERE processed_at >= $1`,
      [since],
    );
    const settled = Number(stamps[0]?.n ?? 0);
    const rate = settled / Math.max(stamps[0]?.seconds ?? 0, 0.001);
    const ratio = rate / (ratioTo === 'raw-commit' ? rawCommit : rawHot);
    rows.push({
      scenario: `${what} (${settled} orders)`,
      metric: 'orders/s',
      value: Math.round(rate),
      ratio: { to: ratioTo, value: ratio },
      ...(ratioTo === 'raw-hot-row' ? { target: '≥ 1.5× (batching)', pass: ratio >= 1.5 } : {}),
    });
  }

  const flashOrders = (productId: string) =>
    load({
      engine: 'mix',
      url: apiUrl,
      connections: 128,
      amount: scale.flashOrders,
      kinds: [orderKind(tokens, [productId])],
    });
  async function checkFlash(label: string, productId: string, accepted: KindResult) {
    const result = await db.query<{ status: string; n: string }>(
      `SELECT o.status::text AS status, count(*) AS n FROM orders o
       JOIN order_items i ON i.order_id = o.id WHERE i.product_id = $1 GROUP BY 1`,
      [productId],
    );
    const counts = Object.fromEntries(result.rows.map((r) => [r.status, Number(r.n)]));
    const stock = Number(
      (await db.query<{ stock: number }>('SELECT stock FROM products WHERE id = $1', [productId]))
        .rows[0]?.stock,
    );
    checks.push({
      what: `${label}: exactly the stock confirmed, the rest rejected, stock 0`,
      ok:
        counts.CONFIRMED === scale.flashStock &&
        counts.REJECTED === scale.flashOrders - scale.flashStock &&
        stock === 0 &&
        accepted.statuses['202'] === scale.flashOrders,
      detail: `CONFIRMED ${counts.CONFIRMED ?? 0}, REJECTED ${counts.REJECTED ?? 0}, stock ${stock}, accepted ${accepted.statuses['202'] ?? 0}`,
    });
  }

  // The order-accept backlog, over 100 products.
  phase('fulfilment of the accept backlog');
  await drain('fulfilment of the accept backlog, 100 products', 'raw-commit');
  await stopWorkers();

  // flash-sale, fulfilment alone: 20,000 single-unit orders for one product of stock 5,000,
  // accepted while no worker runs, then settled by the workers in batches.
  phase('flash-sale fulfilment');
  const backlog = await flashOrders(flashBacklogProduct);
  await drain('flash-sale fulfilment, one product', 'raw-hot-row');
  await checkFlash('flash-sale fulfilment', flashBacklogProduct, kindOf(backlog, 'order'));

  // flash-sale end to end: the same with the workers running, from the first accept to the
  // moment every order is final (bounded by how fast the API accepts).
  phase('flash-sale end to end');
  const flash = await flashOrders(flashProduct);
  const fl = kindOf(flash, 'order');
  const flashLoadStart = performance.now() - flash.durationMs;
  const settledAt = await waitAllSettled(db, 600_000);
  const firstAccept = flashLoadStart + (fl.firstOkMs ?? 0);
  const flashRate = scale.flashOrders / ((settledAt - firstAccept) / 1000);
  const flashRatio = flashRate / rawHot;
  rows.push({
    scenario: 'flash-sale end to end',
    metric: 'orders/s',
    value: Math.round(flashRate),
    ratio: { to: 'raw-hot-row', value: flashRatio },
    target: '≥ 1.5×',
    pass: flashRatio >= 1.5,
  });
  rows.push({
    scenario: 'flash-sale end to end, accepting',
    metric: 'accepted/s',
    value: Math.round(fl.perSecond),
    p50: fl.p50,
    p99: fl.p99,
  });
  await checkFlash('flash-sale end to end', flashProduct, fl);

  // --- mixed: 90 % catalog reads, 10 % orders, for 30 s; then twice more for the memory trend.
  phase('mixed (three runs, for the memory trend)');
  const rssAfter: Record<string, number[]> = {};
  for (let run = 1; run <= 3; run += 1) {
    const mixed = await load({
      engine: 'mix',
      url: apiUrl,
      connections: 64,
      durationS: run === 1 ? scale.mixedSeconds : scale.leakSeconds,
      kinds: [
        {
          name: 'read',
          weight: 9,
          method: 'GET',
          paths: [...products.map((p) => `/product/${p}`), '/product?limit=20'],
        },
        orderKind(tokens, products),
      ],
    });
    if (run === 1) {
      for (const kind of ['read', 'order'] as const) {
        const k = kindOf(mixed, kind);
        rows.push({
          scenario: `mixed ${kind}s`,
          metric: 'req/s',
          value: Math.round(k.perSecond),
          p50: k.p50,
          p99: k.p99,
        });
      }
    }
    await waitAllSettled(db, 120_000);
    for (const [name, proc] of Object.entries(procs))
      (rssAfter[name] ??= []).push(rssMb(proc.child.pid));
  }
  clearInterval(sampler);

  phase('invariants');
  const final = await invariants(db);
  checks.push({
    what: 'zero oversell, ledger = stock, no order left PENDING (all scenarios)',
    ok: final.negativeStock === 0 && final.ledgerMismatches === 0 && final.pending === 0,
    detail: JSON.stringify(final),
  });
  const memory = Object.entries(rssAfter).map(([name, values]) => ({
    process: name,
    peakMb: peaks.get(name) ?? 0,
    afterRunsMb: values,
  }));
  await db.end();
  phase(undefined);
  console.error(`bench: done in ${seconds(performance.now() - runStartedAt)} s`);
  report(memory);
}

async function waitHealthy(url: string, route = '/readyz'): Promise<void> {
  await waitFor(async () => (await fetch(`${url}${route}`)).ok, {
    timeoutMs: 30_000,
    intervalMs: 100,
    message: `${url}${route} to be ready`,
  });
}

function report(memory: { process: string; peakMb: number; afterRunsMb: number[] }[]): void {
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
  const lines = [
    `Chronicle benchmark — ${new Date().toISOString()}${quick ? ' (quick run)' : ''}`,
    '',
    `Machine: ${machine}; ${workerCount} worker processes; pools of ${POOL_MAX} connections.`,
    '',
    '| scenario | metric | value | p50 ms | p99 ms | ratio | target | result |',
    '| --- | --- | ---: | ---: | ---: | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.scenario} | ${r.metric} | ${r.value} | ${r.p50 === undefined ? '' : fmt(r.p50)} | ${r.p99 === undefined ? '' : fmt(r.p99)} | ${r.ratio ? `${r.ratio.value.toFixed(2)}× ${r.ratio.to}` : ''} | ${r.target ?? ''} | ${r.pass === undefined ? '' : r.pass ? 'pass' : 'FAIL'} |`,
    ),
    '',
    '| check | result | detail |',
    '| --- | --- | --- |',
    ...checks.map((c) => `| ${c.what} | ${c.ok ? 'pass' : 'FAIL'} | ${c.detail} |`),
    '',
    '| process | peak RSS MB | RSS after run 1 / 2 / 3 MB |',
    '| --- | ---: | --- |',
    ...memory.map((m) => `| ${m.process} | ${m.peakMb} | ${m.afterRunsMb.join(' / ')} |`),
  ];
  const markdown = lines.join('\n');
  console.log(markdown);
  const dir = path.join(root, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  writeFileSync(
    path.join(dir, `${stamp}.json`),
    JSON.stringify({ machine, quick, workerCount, rows, checks, memory }, null, 2),
  );
  writeFileSync(path.join(dir, 'latest.md'), `${markdown}\n`);
  if (checks.some((c) => !c.ok)) process.exitCode = 1;
}

async function cleanup(): Promise<void> {
  await stopAll();
  await withClient(adminUrl, (c) =>
    c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(dbName)} WITH (FORCE)`),
  ).catch((error: unknown) => {
    console.error('bench: could not drop the database', error);
  });
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } catch {
    // Redis gone: nothing to clean.
  } finally {
    redis.disconnect();
  }
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`bench: ${signal}; stopping everything`);
    void cleanup().then(() => process.exit(130));
  });
}

try {
  await main();
} catch (error) {
  console.error('bench: failed:', error);
  process.exitCode = 1;
} finally {
  await cleanup();
}
