// Resident memory of the processes under test: sampled every 250 ms for the peak, and recorded
// after each run of a repeated scenario for the trend.
import { readFileSync } from 'node:fs';
import type { RunningProcess } from '@chronicle/testing';

export interface MemoryRow {
  process: string;
  peakMb: number;
  afterRunsMb: number[];
}

export interface RssMonitor {
  /** Samples `proc` as `name` from now on (in place of an earlier process of that name). */
  track(name: string, proc: RunningProcess): void;
  /** Records each tracked process's current RSS, after one run. */
  recordAfterRun(): void;
  stopSampling(): void;
  /** The processes with after-run figures, in the order they were first tracked. */
  rows(): MemoryRow[];
}

/** Resident memory of a process in MB (Linux /proc); 0 when it is gone. */
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

export function startRssMonitor(intervalMs = 250): RssMonitor {
  const tracked = new Map<string, RunningProcess>();
  const peaks = new Map<string, number>();
  const afterRuns = new Map<string, number[]>();
  const sampler = setInterval(() => {
    for (const [name, proc] of tracked) {
      peaks.set(name, Math.max(peaks.get(name) ?? 0, rssMb(proc.child.pid)));
    }
  }, intervalMs).unref();
  return {
    track(name, proc) {
      tracked.set(name, proc);
    },
    recordAfterRun() {
      for (const [name, proc] of tracked) {
        afterRuns.set(name, [...(afterRuns.get(name) ?? []), rssMb(proc.child.pid)]);
      }
    },
    stopSampling() {
      clearInterval(sampler);
    },
    rows: () =>
      [...afterRuns].map(([name, values]) => ({
        process: name,
        peakMb: peaks.get(name) ?? 0,
        afterRunsMb: values,
      })),
  };
}
