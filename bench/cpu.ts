// CPU time a process has used (user + system, all its threads), read from Linux's /proc. Divided
// by the requests served, it is what one request costs that process: a figure that holds still
// on a shared machine, where rates move with whatever else runs there.
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU seconds `pid` has used so far; 0 when it is gone or this is not Linux. */
function cpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    // The command name (field 2) may hold spaces: the fields after it start past its ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the command name.
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Runs `fn` and returns its result with the CPU seconds `pid` used meanwhile. */
export async function measureCpu<T>(
  pid: number | undefined,
  fn: () => Promise<T>,
): Promise<{ result: T; cpuSeconds: number }> {
  const before = cpuSeconds(pid);
  const result = await fn();
  return { result, cpuSeconds: cpuSeconds(pid) - before };
}

/** Microseconds of CPU per operation. */
export const microsPer = (cpu: number, operations: number): number =>
  Math.round((cpu * 1e6) / Math.max(operations, 1));
