// `pnpm exec node bench/accept-probe.ts`: a short probe of order acceptance alone, without the
// whole suite (bench/run.ts), on the suite's own modules: a fresh database, the bench users, the
// raw-commit baseline, the API as its own process (no workers, so nothing settles the orders),
// then POST /order from the load generator. Prints the accept rate, its ratio to raw-commit, the
// API's CPU and the database's write-ahead log per order, the mean accept group size (from the
// API's chronicle_order_accept_group_size metric), and the API's memory.
//
// Settings (environment): PROBE_ORDERS (3000) per round, PROBE_ROUNDS (2), PROBE_CONNECTIONS
// (128), and the suite's BENCH_DATABASE_ADMIN_URL, BENCH_REDIS_URL and BENCH_PROFILE.
import type pg from 'pg';
import { freePort } from '@chronicle/core';
import { rawDatabase } from './baselines.ts';
import { readConfig, serviceEnv } from './config.ts';
import { measureCpu, microsPer } from './cpu.ts';
import { openBenchDatabase, removeBenchData } from './database.ts';
import { createCatalog, createUsers } from './fixtures.ts';
import { kindOf, orderKind, runLoad } from './load-client.ts';
import { startApi, stopAll } from './processes.ts';

const orders = Number(process.env.PROBE_ORDERS ?? 3_000);
const rounds = Number(process.env.PROBE_ROUNDS ?? 2);
const connections = Number(process.env.PROBE_CONNECTIONS ?? 128);
const config = readConfig();
config.scale = { ...config.scale, users: 200, rawSeconds: 3 };

/** Sum and count of the API's accept group size histogram (null before it has one). */
async function groupSizes(metricsUrl: string): Promise<{ sum: number; count: number } | null> {
  const text = await (await fetch(`${metricsUrl}/metrics`)).text();
  const sample = (name: string) =>
    new RegExp(`^chronicle_order_accept_group_size_${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(
      text,
    )?.[1];
  const [sum, count] = [sample('sum'), sample('count')];
  return sum === undefined || count === undefined
    ? null
    : { sum: Number(sum), count: Number(count) };
}

/** The database's current write-ahead log position. */
async function walPosition(db: pg.Client): Promise<string> {
  const { rows } = await db.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
  return rows[0]?.lsn ?? '0/0';
}

/** Bytes of write-ahead log written since `lsn` (by everyone: this database is the run's own). */
async function walBytesSince(db: pg.Client, lsn: string): Promise<number> {
  const { rows } = await db.query<{ bytes: string }>(
    'SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::text AS bytes',
    [lsn],
  );
  return Number(rows[0]?.bytes ?? 0);
}

/** The API's resident memory and V8 heap figures (MB), from its default process metrics. */
async function memory(metricsUrl: string): Promise<string> {
  const text = await (await fetch(`${metricsUrl}/metrics`)).text();
  const mb = (name: string) => {
    const value = new RegExp(`^chronicle_${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1];
    return value === undefined ? '?' : String(Math.round(Number(value) / 2 ** 20));
  };
  return `RSS ${mb('process_resident_memory_bytes')} MB, heap used ${mb('nodejs_heap_size_used_bytes')} of ${mb('nodejs_heap_size_total_bytes')} MB, external ${mb('nodejs_external_memory_bytes')} MB`;
}

async function main(): Promise<void> {
  console.error(
    `probe: database ${config.dbName}, ${rounds} × ${orders} orders, ${connections} connections`,
  );
  const db = await openBenchDatabase(config.databaseUrl);
  try {
    const users = await createUsers(db, config.scale.users, config.jwtEnv);
    const { rawCommit } = await rawDatabase(db, config);
    const metricsPort = await freePort();
    const api = await startApi(
      { ...serviceEnv(config), METRICS_PORT: String(metricsPort) },
      config.profile,
    );
    const metricsUrl = `http://127.0.0.1:${metricsPort}`;
    const catalog = await createCatalog(api.url, users.adminToken, config.scale);
    const accept = (amount: number) =>
      runLoad(
        {
          engine: 'mix',
          url: api.url,
          connections,
          amount,
          kinds: [orderKind(users.tokens, catalog.products)],
        },
        config.runId,
      );
    console.log(`api idle: ${await memory(metricsUrl)}`);
    // Warm-up: JIT, pools and query plans.
    await accept(500);
    for (let round = 1; round <= rounds; round += 1) {
      const walBefore = await walPosition(db);
      const before = await groupSizes(metricsUrl);
      const { result, cpuSeconds } = await measureCpu(api.proc.child.pid, () => accept(orders));
      const kind = kindOf(result, 'order');
      const after = await groupSizes(metricsUrl);
      const wal = await walBytesSince(db, walBefore);
      const groups =
        before && after && after.count > before.count
          ? `, mean group ${((after.sum - before.sum) / (after.count - before.count)).toFixed(1)} over ${after.count - before.count} groups`
          : '';
      console.log(
        `order-accept round ${round}: ${Math.round(kind.perSecond)} accepted/s = ${(kind.perSecond / rawCommit).toFixed(3)}× raw-commit (${rawCommit}/s), p50 ${kind.p50} ms, p99 ${kind.p99} ms${groups}, API CPU ${microsPer(cpuSeconds, kind.count)} µs/order, WAL ${Math.round(wal / kind.count)} bytes/order, statuses ${JSON.stringify(kind.statuses)}`,
      );
      console.log(`api after round ${round}: ${await memory(metricsUrl)}`);
    }
  } finally {
    await db.end();
  }
}

try {
  await main();
} catch (error) {
  console.error('probe: failed:', error);
  process.exitCode = 1;
} finally {
  await stopAll();
  await removeBenchData(config);
}
