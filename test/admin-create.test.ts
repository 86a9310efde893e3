// The first admin, as the README makes it: `pnpm admin:create` on whatever database `pnpm start`
// uses — the embedded PostgreSQL while start runs, the embedded PostgreSQL with nothing running
// (started and stopped again by the command), or DATABASE_URL — and the hint start prints while
// there is no admin yet (a command to run, or with ALLOW_ADMIN_SIGNUP on, the register route).
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  http,
  runProcess,
  type RunningProcess,
  type TestDatabase,
} from '@chronicle/testing';

const root = path.resolve(import.meta.dirname, '..');
const password = 'a long admin password';
const hint = "pnpm admin:create --email you@example.com --password '<at least 8 characters>'";
let tmp: string;
let started: RunningProcess | undefined;
let database: TestDatabase | undefined;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'chronicle-admin-'));
  // When the tests run as root, PostgreSQL runs as the postgres user, which must reach it.
  await chmod(tmp, 0o755);
});
afterEach(async () => {
  await started?.stop('SIGTERM', 30_000);
  started = undefined;
  await database?.drop();
  database = undefined;
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Empty means unset: the embedded PostgreSQL in `dataDir`, and local mode. */
const embeddedEnv = (dataDir: string) => ({
  DATABASE_URL: '',
  REDIS_URL: '',
  REDIS_CACHE_URL: '',
  ALLOW_ADMIN_SIGNUP: '',
  CHRONICLE_DATA_DIR: dataDir,
});

const dataDirFor = (prefix: string) => mkdtemp(path.join(tmp, prefix));

async function start(dataDir: string, extra: Record<string, string> = {}) {
  const running = runProcess(['scripts/start.ts'], {
    cwd: root,
    env: {
      ...embeddedEnv(dataDir),
      ...extra,
      JWT_SECRET: 'admin-create-test-secret-0123456789abcdefghijklmnopqrstuvwxyz',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
    },
  });
  started = running;
  const listening = await running.waitForLog(
    (line) => line.msg?.startsWith('API listening') === true,
    45_000,
  );
  return { running, url: `http://127.0.0.1:${Number(listening.port)}` };
}

/** `pnpm admin:create …` as the README writes it; resolves with its exit code and output. */
async function adminCreate(env: Record<string, string>, args: string[]) {
  const proc = runProcess(['admin:create', ...args], { cwd: root, env, command: 'pnpm' });
  const code = await proc.exited(45_000);
  const output = `${proc.logs.map((line) => line.msg ?? '').join('\n')}\n${proc.stderr()}`;
  return { code, output };
}

/** `pnpm admin:create` for `email`, with the test's password. */
const createAdmin = (env: Record<string, string>, email: string) =>
  adminCreate(env, ['--email', email, '--password', password]);

const login = (url: string, email: string) =>
  http({ url }, 'POST', '/auth/login', { body: { email, password } });

describe('pnpm admin:create on the embedded PostgreSQL', () => {
  it('while pnpm start runs: uses its server, and the admin can log in at once; start hinted at it', async () => {
    const dataDir = await dataDirFor('running-');
    const { running, url } = await start(dataDir);
    expect(running.stderr()).toContain('new data directory');
    expect(running.stderr()).toContain(`no admin yet — create one`);
    expect(running.stderr()).toContain(hint);

    const made = await createAdmin(embeddedEnv(dataDir), 'running@example.com');
    expect(made.output).toMatch(/using the embedded PostgreSQL on 127\.0\.0\.1:\d+ \(run by pid/);
    expect(made.code).toBe(0);
    expect(made.output).toContain('Created admin running@example.com');

    const res = await login(url, 'running@example.com');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      token: expect.any(String),
      user: { email: 'running@example.com', role: 'ADMIN' },
    });
  });

  it('with nothing running: starts the server itself on a fresh data directory, then stops it', async () => {
    const dataDir = await dataDirFor('idle-');
    const pgData = path.join(dataDir, 'postgres');

    // A typo costs no database start-up.
    const typo = await adminCreate(embeddedEnv(dataDir), ['--email', 'nope', '--password', 'x']);
    expect(typo.code).toBe(2);
    expect(typo.output).toContain('usage');
    expect(existsSync(pgData)).toBe(false);

    const made = await createAdmin(embeddedEnv(dataDir), 'Idle@Example.com');
    expect(made.output).toContain('using an embedded PostgreSQL started for this command');
    expect(made.code).toBe(0);
    expect(made.output).toContain('Created admin idle@example.com');
    // Stopped cleanly: PostgreSQL removes its pid file, and the data directory is free again.
    expect(existsSync(path.join(pgData, 'PG_VERSION'))).toBe(true);
    expect(existsSync(path.join(pgData, 'postmaster.pid'))).toBe(false);
    expect(existsSync(`${pgData}.lock`)).toBe(false);

    const { running, url } = await start(dataDir);
    expect(running.stderr()).toContain('existing data reused');
    expect(running.stderr()).not.toContain('no admin yet');
    const res = await login(url, 'idle@example.com');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ user: { email: 'idle@example.com', role: 'ADMIN' } });
  });
});

describe('pnpm admin:create with DATABASE_URL', () => {
  it('uses that database and starts no embedded one; with admin signup open, start says so', async () => {
    database = await createTestDatabase();
    const dataDir = await dataDirFor('external-');
    const { running } = await start(dataDir, {
      DATABASE_URL: database.url,
      ALLOW_ADMIN_SIGNUP: 'true',
    });
    expect(running.stderr()).toContain(
      'no admin yet — ALLOW_ADMIN_SIGNUP is on, so POST /auth/register with "role":"ADMIN" creates one',
    );
    expect((await running.stop('SIGTERM', 30_000)).code).toBe(0);
    started = undefined;

    const made = await createAdmin(
      { ...embeddedEnv(dataDir), DATABASE_URL: database.url },
      'external@example.com',
    );
    expect(made.output).toContain('admin:create: using DATABASE_URL');
    expect(made.code).toBe(0);
    expect(existsSync(path.join(dataDir, 'postgres'))).toBe(false);

    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ role: string }>(
        'SELECT role FROM users WHERE email = $1',
        ['external@example.com'],
      );
      expect(rows).toEqual([{ role: 'ADMIN' }]);
    } finally {
      await client.end();
    }
  });
});
