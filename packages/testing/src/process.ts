// Runs a real Chronicle process (API, worker, start script) for a test and reads its JSON logs.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

export interface LogLine {
  msg?: string;
  level?: string;
  name?: string;
  [key: string]: unknown;
}

export interface RunningProcess {
  child: ChildProcess;
  /** Every JSON log line seen so far (stdout). */
  logs: LogLine[];
  /** Raw stderr so far. */
  stderr(): string;
  /** Resolves with the first log line matching `predicate`, or rejects at the deadline/exit. */
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /**
   * Resolves with the exit code once the process has exited by itself; killed at the deadline
   * (`Infinity`: no deadline).
   */
  exited(timeoutMs?: number): Promise<number | null>;
  /** Sends `signal` (to the whole group when detached) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<{ code: number | null; ms: number }>;
}

export interface RunProcessOptions {
  /** Added to this process's environment. */
  env: Record<string, string>;
  cwd?: string;
  /** Own process group, so `stop` signals the whole group. */
  detached?: boolean;
  /** The program to run instead of this Node binary (e.g. pnpm). */
  command?: string;
  /** Placed before `args`: Node's own flags (e.g. `--cpu-prof`) when running Node. */
  nodeArgs?: string[];
  /**
   * Also copy the child's stderr, and the stdout lines that are not JSON, to this process's
   * stderr as they arrive (they are still kept in `stderr()` and `logs`).
   */
  echo?: boolean;
}

/** Runs `args` with this Node binary, or with `options.command` (e.g. pnpm) when given. */
export function runProcess(args: string[], options: RunProcessOptions): RunningProcess {
  const child = spawn(options.command ?? process.execPath, [...(options.nodeArgs ?? []), ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  const logs: LogLine[] = [];
  const waiters = new Set<() => void>();
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    if (options.echo) process.stderr.write(chunk);
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      logs.push(JSON.parse(line) as LogLine);
    } catch {
      logs.push({ msg: line });
      if (options.echo) process.stderr.write(`${line}\n`);
    }
    for (const wake of waiters) wake();
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;

  return {
    child,
    logs,
    stderr: () => stderr,
    waitForLog(predicate, timeoutMs = 20_000) {
      return new Promise<LogLine>((resolve, reject) => {
        const check = () => {
          const found = logs.find(predicate);
          if (found) {
            cleanup();
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`No matching log line within ${timeoutMs} ms. stderr:\n${stderr}`));
        }, timeoutMs);
        const onExit = () => {
          cleanup();
          reject(new Error(`Process exited before the log line appeared. stderr:\n${stderr}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
          child.off('exit', onExit);
        };
        waiters.add(check);
        child.once('exit', onExit);
        check();
      });
    },
    async exited(timeoutMs = 20_000) {
      const timer = Number.isFinite(timeoutMs)
        ? setTimeout(() => child.kill('SIGKILL'), timeoutMs)
        : undefined;
      const [code] = await exited;
      clearTimeout(timer);
      return code;
    },
    async stop(signal = 'SIGTERM', timeoutMs = 15_000) {
      const started = Date.now();
      if (child.exitCode === null && child.signalCode === null) {
        if (options.detached && child.pid) process.kill(-child.pid, signal);
        else child.kill(signal);
      }
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const [code] = await exited;
      clearTimeout(timer);
      return { code, ms: Date.now() - started };
    },
  };
}
