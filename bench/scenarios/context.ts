// What every scenario runs against: the running API and its data, the workers (started and
// stopped by the scenarios that need them), the baselines to report ratios to, and the memory
// monitor.
import type pg from 'pg';
import type { Baselines } from '../baselines.ts';
import type { BenchConfig } from '../config.ts';
import type { Catalog } from '../fixtures.ts';
import type { RssMonitor } from '../memory.ts';
import type { WorkerPool } from '../processes.ts';
import type { Results } from '../report.ts';

export interface ScenarioContext {
  config: BenchConfig;
  db: pg.Client;
  apiUrl: string;
  /** The API process, for its CPU figures (bench/cpu.ts). */
  apiPid: number | undefined;
  /** The ordinary users' tokens. */
  tokens: string[];
  catalog: Catalog;
  baselines: Baselines;
  workers: WorkerPool;
  memory: RssMonitor;
}

export interface Scenario {
  /** The progress phase it runs as. */
  name: string;
  run(ctx: ScenarioContext): Promise<Results>;
}
