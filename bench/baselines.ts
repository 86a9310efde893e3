// The baselines every machine-dependent figure is a ratio to, measured in the same run:
// baseline-http (a bare Express app) and the database's own limits, raw-commit and raw-hot-row.
import pg from 'pg';
import { POOL_MAX, type BenchConfig } from './config.ts';
import type { KindResult } from './load.ts';
import { kindOf, runLoad } from './load-client.ts';
import { BASELINE_ENTRY, startNode } from './processes.ts';
import type { Row } from './report.ts';

export interface Baselines {
  http: KindResult;
  /** Commits per second. */
  rawCommit: number;
  rawHot: number;
}

/** GET / on the baseline server, 64 connections. */
export async function baselineHttp(config: BenchConfig): Promise<KindResult> {
  const server = startNode([BASELINE_ENTRY]);
  const port = Number((await server.waitForLog((l) => 'port' in l, 30_000)).port);
  const result = await runLoad(
    {
      engine: 'autocannon',
      url: `http://127.0.0.1:${port}`,
      paths: ['/'],
      connections: 64,
      durationS: config.scale.httpSeconds,
    },
    config.runId,
  );
  await server.stop();
  return kindOf(result, 'all');
}

/** `loops` concurrent loops through one pool of POOL_MAX, each committing `statement`. */
async function commitsPerSecond(
  databaseUrl: string,
  statement: string,
  seconds: number,
  loops = POOL_MAX,
): Promise<number> {
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

/** Inserts into one table, and decrements one row, through a pool like the app's. */
export async function rawDatabase(
  db: pg.Client,
  config: BenchConfig,
): Promise<{ rawCommit: number; rawHot: number }> {
  await db.query('CREATE TABLE bench_raw (id bigserial PRIMARY KEY, v int NOT NULL)');
  await db.query('CREATE TABLE bench_hot (id int PRIMARY KEY, stock int NOT NULL)');
  await db.query('INSERT INTO bench_hot VALUES (1, 1000000000)');
  const { databaseUrl, scale } = config;
  const rawCommit = await commitsPerSecond(
    databaseUrl,
    'INSERT INTO bench_raw (v) VALUES (1)',
    scale.rawSeconds,
  );
  const rawHot = await commitsPerSecond(
    databaseUrl,
    'UPDATE bench_hot SET stock = stock - 1 WHERE id = 1 AND stock >= 1',
    scale.rawSeconds,
  );
  return { rawCommit, rawHot };
}

export function baselineRows({ http, rawCommit, rawHot }: Baselines): Row[] {
  return [
    {
      scenario: 'baseline-http',
      metric: 'req/s',
      value: Math.round(http.perSecond),
      p50: http.p50,
      p99: http.p99,
    },
    { scenario: 'raw-commit', metric: 'commits/s', value: rawCommit },
    { scenario: 'raw-hot-row', metric: 'commits/s', value: rawHot },
  ];
}
