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
// (postgresql://postgres@127.0.0.1:5432/postgres), BENCH_REDIS_URL (redis://127.0.0.1:6379),
// BENCH_PROFILE=1 (V8 CPU profiles of the API and workers in bench/results/profiles/).
import type pg from 'pg';
import {
  baselineHttp,
  baselineRows,
  rawAcceptBaselines,
  rawDatabase,
  type Baselines,
} from './baselines.ts';
import { readConfig, serviceEnv, type BenchConfig } from './config.ts';
import { openBenchDatabase, removeBenchData, standInForAutovacuum } from './database.ts';
import { createCatalog, createUsers, type BenchUsers } from './fixtures.ts';
import { startRssMonitor } from './memory.ts';
import { startApi, stopAll, workerPool } from './processes.ts';
import { startProgress } from './progress.ts';
import { report, type Results } from './report.ts';
import { catalogHot } from './scenarios/catalog-hot.ts';
import type { Scenario, ScenarioContext } from './scenarios/context.ts';
import { flashSaleEndToEnd, flashSaleFulfilment } from './scenarios/flash-sale.ts';
import { acceptBacklogFulfilment } from './scenarios/fulfilment.ts';
import { invariants } from './scenarios/invariants.ts';
import { mixed } from './scenarios/mixed.ts';
import { orderAccept } from './scenarios/order-accept.ts';
import { scaling } from './scenarios/scaling.ts';

/** In order: each may rely on what the earlier ones left (backlogs, running workers). */
const scenarios: Scenario[] = [
  catalogHot,
  orderAccept,
  acceptBacklogFulfilment,
  flashSaleFulfilment,
  flashSaleEndToEnd,
  mixed,
  scaling,
  invariants,
];

/** Starts the API (no workers yet: order-accept measures acceptance alone) and its catalog. */
async function startServices(
  config: BenchConfig,
  db: pg.Client,
  users: BenchUsers,
  baselines: Baselines,
): Promise<ScenarioContext> {
  const env = serviceEnv(config);
  const api = await startApi(env, config.profile);
  const memory = startRssMonitor();
  memory.track('api', api.proc);
  const catalog = await createCatalog(api.url, users.adminToken, config.scale);
  const workers = workerPool({
    count: config.workerCount,
    env,
    profile: config.profile,
    onStarted: (name, proc) => {
      memory.track(name, proc);
    },
  });
  const { tokens } = users;
  const apiPid = api.proc.child.pid;
  return { config, db, apiUrl: api.url, apiPid, tokens, catalog, baselines, workers, memory };
}

async function main(config: BenchConfig): Promise<boolean> {
  const { runId, quick, workerCount, dbName } = config;
  console.error(
    `bench: run ${runId}${quick ? ' (quick)' : ''}, ${workerCount} workers, database ${dbName}`,
  );
  const progress = startProgress();
  progress.phase('setup: database, users and tokens');
  const db = await openBenchDatabase(config.databaseUrl);
  try {
    const users = await createUsers(db, config.scale.users, config.jwtEnv);
    progress.phase('baseline-http');
    const http = await baselineHttp(config);
    progress.phase('raw-commit and raw-hot-row');
    const raw = await rawDatabase(db, config);
    progress.phase('raw-accept and raw-group-accept');
    const baselines = { ...http, ...raw, ...(await rawAcceptBaselines(db, config)) };
    const results: Results = { rows: baselineRows(baselines), checks: [] };
    progress.phase('API start and catalog');
    const ctx = await startServices(config, db, users, baselines);
    for (const scenario of scenarios) {
      progress.phase(scenario.name);
      await standInForAutovacuum(db);
      const { rows, checks } = await scenario.run(ctx);
      results.rows.push(...rows);
      results.checks.push(...checks);
    }
    progress.phase(undefined);
    console.error(`bench: done in ${progress.elapsed()} s`);
    return report(config, results, ctx.memory.rows());
  } finally {
    await db.end();
  }
}

const config = readConfig();

async function cleanup(): Promise<void> {
  await stopAll();
  await removeBenchData(config);
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
  if (!(await main(config))) process.exitCode = 1;
} catch (error) {
  console.error('bench: failed:', error);
  process.exitCode = 1;
} finally {
  await cleanup();
}
