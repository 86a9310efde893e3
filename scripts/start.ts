// `pnpm start`: apply migrations, then run the API and one worker in the foreground with their
// logs interleaved. A signal stops both cleanly; if either dies, the other is stopped too.
// These are the same commands the containers run (scripts/commands.ts).
//
// Nothing installed but Node? Without DATABASE_URL an embedded PostgreSQL is started (data kept
// in .data/postgres, or $CHRONICLE_DATA_DIR/postgres) and stopped last; without REDIS_URL the
// API runs in local mode (cache, rate limits and the worker inside its one process).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { loadApiEnv } from '@chronicle/api';
import { ConfigError } from '@chronicle/db';
import { loadWorkerEnv } from '@chronicle/runtime';
import { commandEnv, commands } from './commands.ts';
import { startEmbeddedPostgres, type EmbeddedPostgresServer } from './embedded-postgres.ts';
import { chooseDatabase } from './local-database.ts';

const root = path.resolve(import.meta.dirname, '..');
const node = process.execPath;
const say = (message: string) => {
  console.warn(`start: ${message}`);
};

// The API refuses to start without JWT_SECRET. For a local try-out, make an ephemeral one
// (tokens then last until the next restart); a real deployment sets its own.
const env = { ...process.env };
if (!env.JWT_SECRET && env.NODE_ENV !== 'production') {
  env.JWT_SECRET = randomBytes(48).toString('base64');
  say(
    'JWT_SECRET is not set; using a random one for this run (tokens will not survive a restart). Set JWT_SECRET for anything but a local try-out.',
  );
}

// Check the configuration the API and worker will get before starting anything (the embedded
// PostgreSQL, migrations), so a bad value stops at once with its name. An embedded database's URL
// is not known yet: a placeholder stands in for it.
try {
  const planned = {
    ...env,
    // An empty DATABASE_URL means embedded too (scripts/local-database.ts).
    DATABASE_URL:
      env.DATABASE_URL === undefined || env.DATABASE_URL === ''
        ? 'postgresql://embedded@127.0.0.1/chronicle'
        : env.DATABASE_URL,
  };
  loadApiEnv(planned);
  loadWorkerEnv(planned);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`start: ${error.message}`);
  process.exit(1);
}

const children = new Map<string, ChildProcess>();
// An object, so checks after an await see what a signal handler set meanwhile.
const state = { stopping: false };
let exitCode = 0;
let database: EmbeddedPostgresServer | undefined;

async function finish(code: number): Promise<never> {
  await database?.stop();
  process.exit(code);
}

function stopAll(signal: NodeJS.Signals): void {
  for (const child of children.values()) child.kill(signal);
}

// Under `pnpm start` one Ctrl-C arrives twice: from the terminal (to the whole foreground process
// group) and forwarded by pnpm. So only a signal that comes later means "stop now".
const SAME_SIGNAL_MS = 500;
let firstSignalAt: number | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    const now = performance.now();
    const repeated = firstSignalAt !== undefined;
    if (firstSignalAt !== undefined && now - firstSignalAt < SAME_SIGNAL_MS) return;
    firstSignalAt ??= now;
    state.stopping = true;
    // Before the API and worker run (database start-up, migrations) there is nothing to drain.
    if (children.size === 0) void finish(0);
    else stopAll(repeated ? 'SIGKILL' : 'SIGTERM');
  });
}

const choice = chooseDatabase(env);
if (choice.kind === 'external') {
  say('postgres: external (DATABASE_URL)');
} else {
  const { dataDir } = choice;
  say(`DATABASE_URL is not set: starting an embedded PostgreSQL (data in ${dataDir})`);
  try {
    database = await startEmbeddedPostgres({
      dataDir,
      onLog: (line) => {
        if (/\b(ERROR|FATAL|PANIC)\b/.test(line)) console.error(`postgres: ${line}`);
      },
    });
  } catch (error) {
    console.error(`start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  env.DATABASE_URL = database.url(choice.database);
  say(
    `postgres: embedded PostgreSQL 18 on 127.0.0.1:${database.port} (${database.created ? 'new data directory' : 'existing data reused'}); for this machine only`,
  );
}
const local = !env.REDIS_URL;
say(
  local
    ? 'REDIS_URL is not set: local mode, for ONE process only — cache and rate limits in memory, and the worker runs inside the API process'
    : 'cache and rate limits: redis (REDIS_URL); worker: separate process',
);

/**
 * A fresh system has no admin, and nothing in the API can make one unless ALLOW_ADMIN_SIGNUP is
 * on: say how, right where a newcomer looks. Best effort — the API reports database trouble.
 */
async function hintFirstAdmin(): Promise<void> {
  // Set by now in either mode (the embedded branch exits when its server fails).
  if (!env.DATABASE_URL) return;
  const client = new pg.Client({
    connectionString: env.DATABASE_URL,
    connectionTimeoutMillis: 5_000,
  });
  try {
    await client.connect();
    const admins = await client.query("SELECT 1 FROM users WHERE role = 'ADMIN' LIMIT 1");
    if (admins.rowCount) return;
  } catch {
    return;
  } finally {
    await client.end().catch(() => undefined);
  }
  const command = `pnpm admin:create --email you@example.com --password '<at least 8 characters>'`;
  if (env.ALLOW_ADMIN_SIGNUP === 'true' || env.ALLOW_ADMIN_SIGNUP === '1') {
    say(
      `no admin yet — ALLOW_ADMIN_SIGNUP is on, so POST /auth/register with "role":"ADMIN" creates one (or run: ${command})`,
    );
  } else if (choice.kind === 'embedded') {
    say(`no admin yet — create one (from another terminal while this runs) with: ${command}`);
  } else {
    say(`no admin yet — create one with the same DATABASE_URL set: ${command}`);
  }
}

async function runToEnd(args: readonly string[]): Promise<number> {
  const child = spawn(node, args, { cwd: root, env, stdio: 'inherit' });
  const [code] = (await once(child, 'exit')) as [number | null];
  return code ?? 1;
}

const migrated = await runToEnd(commands.migrate);
if (migrated !== 0) {
  console.error('start: migrations failed; not starting the API and worker.');
  await finish(migrated);
}

if (state.stopping) await finish(0);

await hintFirstAdmin();

// Local mode: the API process runs the worker itself (their cache is that process's memory).
for (const name of local ? (['api'] as const) : (['api', 'worker'] as const)) {
  // Own process group: a terminal's Ctrl-C reaches only this supervisor, which then sends
  // each child exactly one SIGTERM (a second signal would make them exit immediately). The IPC
  // channel lets a child notice if this supervisor is killed outright, and shut down too.
  const child = spawn(node, commands[name], {
    cwd: root,
    env: { ...commandEnv[name], ...env },
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    detached: true,
  });
  children.set(name, child);
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (!state.stopping) {
      console.error(`start: ${name} exited unexpectedly (${signal ?? `code ${code}`}); stopping.`);
      state.stopping = true;
      exitCode = 1;
      stopAll('SIGTERM');
    } else if (code !== 0) {
      exitCode = code ?? 1;
    }
    // The database goes last, once nothing uses it.
    if (children.size === 0) void finish(exitCode);
  });
}
