// Zero-infrastructure mode: `pnpm start` with neither DATABASE_URL nor REDIS_URL starts an
// embedded PostgreSQL and runs the API with its worker, cache and rate limits in one process.
// An order goes through REST end to end, shutdown is clean (the database stops too), and a
// second start finds the data of the first.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectStatus, http, runProcess, type RunningProcess } from '@chronicle/testing';

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

async function account(url: string, email: string, role?: 'ADMIN') {
  const password = 'correct horse battery';
  await http({ url }, 'POST', '/auth/register', {
    body: { email, password, ...(role ? { role } : {}) },
  });
  const login = await http({ url }, 'POST', '/auth/login', { body: { email, password } });
  return expectStatus(login, 200).json.token;
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

    const ready = await http({ url }, 'GET', '/readyz');
    expect(ready.json).toEqual({
      status: 'ready',
      checks: { postgres: 'ok', queue: 'ok', redis: 'in-process' },
    });

    const admin = await account(url, 'local-admin@example.com', 'ADMIN');
    const created = await http({ url }, 'POST', '/product', {
      body: { name: 'local lemon', price: '1.50', stock: 3 },
      token: admin,
    });
    productId = expectStatus(created, 201).json.product.id;
    // Warm the in-process cache, so the stock change below must invalidate it.
    expect((await http({ url }, 'GET', `/product/${productId}`)).json).toMatchObject({
      product: { stock: 3 },
    });

    const shopper = await account(url, 'local-shopper@example.com');
    const placed = await http({ url }, 'POST', '/order', {
      body: { items: [{ id: productId, quantity: 2 }] },
      token: shopper,
    });
    const orderId = expectStatus(placed, 202).json.order.id;
    const status = await vi.waitFor(
      async () => {
        const res = await http({ url }, 'GET', `/order/${orderId}`, { token: shopper });
        const settled = expectStatus(res, 200).json.order.status;
        expect(settled).not.toBe('PENDING');
        return settled;
      },
      { timeout: 20_000, message: 'the order to be settled' },
    );
    expect(status).toBe('CONFIRMED');
    // The worker in this process invalidated the cache the API serves from.
    expect((await http({ url }, 'GET', `/product/${productId}`)).json).toMatchObject({
      product: { stock: 1 },
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
    const product = await http({ url }, 'GET', `/product/${productId}`);
    expect(expectStatus(product, 200).json.product).toMatchObject({
      name: 'local lemon',
      stock: 1,
    });

    // A second start on the same data refuses, and leaves the running one alone.
    const second = runProcess(['scripts/start.ts'], {
      cwd: root,
      env: { DATABASE_URL: '', REDIS_URL: '', CHRONICLE_DATA_DIR: dataDir, PORT: '0' },
    });
    expect(await second.exited(30_000)).toBe(1);
    expect(second.stderr()).toMatch(/is in use by another process \(pid \d+\)/);
    expect((await http({ url }, 'GET', `/product/${productId}`)).status).toBe(200);

    const { code, ms } = await running.stop('SIGTERM', 30_000);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(15_000);
    expect(await portOpen(pgPort)).toBe(false);
  });
});
