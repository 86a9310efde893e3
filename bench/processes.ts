// The OS processes the bench starts (the API and the workers, with the commands of
// scripts/commands.ts; the baseline server and the load generator), all through
// @chronicle/testing's runProcess from the repository root, with their stderr on ours, and all
// stopped together by stopAll.
import path from 'node:path';
import { freePort } from '@chronicle/core';
import { runProcess, waitFor, type RunningProcess } from '@chronicle/testing';
import { commandEnv, commands } from '../scripts/commands.ts';
import { root } from './config.ts';

/** Entry points, relative to the repository root. */
export const BASELINE_ENTRY = 'bench/baseline-server.ts';
export const LOAD_ENTRY = 'bench/load.ts';

const PROFILE_DIR = path.join(root, 'bench/results/profiles');

const started: RunningProcess[] = [];

/** Runs `args` with Node; `profile`: with a V8 CPU profile written to bench/results/profiles/. */
export function startNode(
  args: string[],
  env: Record<string, string> = {},
  profile = false,
): RunningProcess {
  const proc = runProcess(args, {
    cwd: root,
    env,
    echo: true,
    nodeArgs: profile ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [],
  });
  started.push(proc);
  return proc;
}

/** Stops every process started (SIGTERM, then SIGKILL after 15 s). */
export async function stopAll(): Promise<void> {
  await Promise.all(started.map((proc) => proc.stop('SIGTERM', 15_000)));
}

async function waitHealthy(url: string, route = '/readyz'): Promise<void> {
  await waitFor(async () => (await fetch(`${url}${route}`)).ok, {
    timeoutMs: 30_000,
    intervalMs: 100,
    message: `${url}${route} to be ready`,
  });
}

export interface RunningApi {
  proc: RunningProcess;
  url: string;
}

/** Starts the API on a free port and waits until it is ready. */
export async function startApi(env: Record<string, string>, profile: boolean): Promise<RunningApi> {
  const port = await freePort();
  const proc = startNode(
    [...commands.api],
    { ...env, PORT: String(port), HOST: '127.0.0.1' },
    profile,
  );
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(url);
  return { proc, url };
}

export interface WorkerPool {
  /**
   * Starts `count` workers (the pool's count unless given) one after another, each healthy
   * before the next.
   */
  start(count?: number): Promise<void>;
  stop(): Promise<void>;
}

export function workerPool(options: {
  count: number;
  env: Record<string, string>;
  profile: boolean;
  /** Called for each worker started, named `worker 1`, `worker 2`, … */
  onStarted(name: string, proc: RunningProcess): void;
}): WorkerPool {
  const running: RunningProcess[] = [];
  return {
    async start(count = options.count) {
      for (let i = 0; i < count; i += 1) {
        const port = await freePort();
        const env = { ...commandEnv.worker, ...options.env, WORKER_METRICS_PORT: String(port) };
        const worker = startNode([...commands.worker], env, options.profile);
        running.push(worker);
        options.onStarted(`worker ${i + 1}`, worker);
        await waitHealthy(`http://127.0.0.1:${port}`, '/healthz');
      }
    },
    async stop() {
      await Promise.all(running.splice(0).map((worker) => worker.stop()));
    },
  };
}
