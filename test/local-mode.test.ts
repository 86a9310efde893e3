// Zero-infrastructure mode: `pnpm start` with neither DATABASE_URL nor REDIS_URL starts an
// embedded PostgreSQL and runs the API with its worker, cache and rate limits in one process.
// An order goes through REST end to end, shutdown is clean (the database stops too), and a
// second start finds the data of the first.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runProcess, type RunningProcess } from '@chronicle/testing';

const root = path.resolve(import.meta.dirname, '..');
let dataDir: string;
let proc: RunningProcess | undefined;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'chronicle-local-'));
  // When the tests run as root, PostgreSQL runs as the postgres user, which must reach it.
  await chmod(dataDir, 0o755);
});
afterEach(async () => {
  await proc?.stop('SIGKILL');
  proc = undefined;
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });

/** `pnpm start` itself (stopped like Ctrl-C, via its process group), or its script directly. */
async function start(command: 'pnpm' | 'node') {
  const env = {
    // Empty means unset: nothing but Node is needed.
    DATABASE_URL: '',
    REDIS_URL: '',
    REDIS_CACHE_URL: '',
    JWT_SECRET: 'local-mode-test-secret-0123456789abcdefghijklmnopqrstuvwxyz',
    CHRONICLE_DATA_DIR: dataDir,
    ALLOW_ADMIN_SIGNUP: 'true',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    WORKER_POLL_INTERVAL_SECONDS: '0.5',
  };
  const running =
    command === 'pnpm'
      ? runProcess(['start'], { cwd: root, env, command: 'pnpm', detached: true })
      : runProcess(['scripts/start.ts'], { cwd: root, env });
  proc = running;
  const listening = await running.waitForLog(
    (line) => line.msg?.startsWith('API listening') === true,
    60_000,
  );
  const pgPort = Number(/127\.0\.0\.1:(\d+)/.exec(running.stderr())?.[1]);
  return { running, url: `http://127.0.0.1:${Number(listening.port)}`, pgPort, listening };
}

async function call(url: string, method: string, body?: unknown, token?: string) {
  const res = await fetch(url, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function account(url: string, email: string, role?: 'ADMIN') {
  const password = 'correct horse battery';
  await call(`${url}/auth/register`, 'POST', { email, password, ...(role ? { role } : {}) });
  const login = await call(`${url}/auth/login`, 'POST', { email, password });
  expect(login.status).toBe(200);
  return login.json.token as string;
}

describe('pnpm start with nothing but Node', () => {
  let productId: string;

  it('starts embedded PostgreSQL and a one-process API + worker, and fulfils an order via REST', async () => {
    const { running, url, pgPort, listening } = await start('pnpm');
    expect(running.stderr()).toContain('DATABASE_URL is not set: starting an embedded PostgreSQL');
    expect(running.stderr()).toContain('new data directory');
    expect(running.stderr()).toContain('REDIS_URL is not set: local mode, for ONE process only');
    expect(listening).toMatchObject({ cacheAndRateLimits: 'in-process', worker: 'in-process' });
    expect(await portOpen(pgPort)).toBe(true);

    const ready = await call(`${url}/readyz`, 'GET');
    expect(ready.json).toEqual({
      status: 'ready',
      checks: { postgres: 'ok', queue: 'ok', redis: 'in-process' },
    });

    const admin = await account(url, 'local-admin@example.com', 'ADMIN');
    const created = await call(
      `${url}/product`,
      'POST',
      { name: 'local lemon', price: '1.50', stock: 3 },
      admin,
    );
    expect(created.status).toBe(201);
    productId = (created.json.product as { id: string }).id;
    // Warm the in-process cache, so the stock change below must invalidate it.
    expect((await call(`${url}/product/${productId}`, 'GET')).json.product).toMatchObject({
      stock: 3,
    });

    const shopper = await account(url, 'local-shopper@example.com');
    const placed = await call(
      `${url}/order`,
      'POST',
      { items: [{ id: productId, quantity: 2 }] },
      shopper,
    );
    expect(placed.status).toBe(202);
    const orderId = (placed.json.order as { id: string }).id;
    const status = await vi.waitFor(
      async () => {
        const res = await call(`${url}/order/${orderId}`, 'GET', undefined, shopper);
        const settled = (res.json.order as { status: string }).status;
        expect(settled).not.toBe('PENDING');
        return settled;
      },
      { timeout: 20_000, message: 'the order to be settled' },
    );
    expect(status).toBe('CONFIRMED');
    // The worker in this process invalidated the cache the API serves from.
    expect((await call(`${url}/product/${productId}`, 'GET')).json.product).toMatchObject({
      stock: 1,
    });

    // Ctrl-C: SIGINT to the process group. pnpm itself dies of it, as with any Ctrl-C; the
    // supervisor drains the API and its worker, then stops the database.
    await running.stop('SIGINT', 30_000);
    await vi.waitFor(
      async () => {
        expect(running.logs.some((l) => l.msg === 'worker stopped')).toBe(true);
        expect(running.logs.some((l) => l.msg === 'stopped')).toBe(true);
        expect(await portOpen(pgPort)).toBe(false);
      },
      { timeout: 15_000, message: 'the API, its worker and the embedded PostgreSQL to stop' },
    );
  });

  it('a second start reuses the data; SIGTERM to the supervisor exits 0 and stops PostgreSQL', async () => {
    const { running, url, pgPort } = await start('node');
    expect(running.stderr()).toContain('existing data reused');
    const product = await call(`${url}/product/${productId}`, 'GET');
    expect(product.status).toBe(200);
    expect(product.json.product).toMatchObject({ name: 'local lemon', stock: 1 });

    // A second start on the same data refuses, and leaves the running one alone.
    const second = runProcess(['scripts/start.ts'], {
      cwd: root,
      env: { DATABASE_URL: '', REDIS_URL: '', CHRONICLE_DATA_DIR: dataDir, PORT: '0' },
    });
    expect(await second.exited(30_000)).toBe(1);
    expect(second.stderr()).toMatch(/is in use by another process \(pid \d+\)/);
    expect((await call(`${url}/product/${productId}`, 'GET')).status).toBe(200);

    const { code, ms } = await running.stop('SIGTERM', 30_000);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(15_000);
    expect(await portOpen(pgPort)).toBe(false);
  });
});
