// `pnpm start` end to end: migrations applied, API and worker up, signals stop both cleanly.
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createEmptyDatabase,
  createTestRedis,
  runProcess,
  type LogLine,
  type RunningProcess,
  type TestDatabase,
} from '@chronicle/testing';

const root = path.resolve(import.meta.dirname, '..');

describe('pnpm start', () => {
  let database: TestDatabase | undefined;
  let proc: RunningProcess | undefined;
  const redis = createTestRedis();

  afterEach(async () => {
    await proc?.stop('SIGKILL');
    await database?.drop();
    await redis.cleanup();
  });

  async function start(command: 'node' | 'pnpm') {
    database = await createEmptyDatabase();
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.prefix,
      PORT: '0',
      HOST: '127.0.0.1',
      WORKER_METRICS_PORT: '0',
      LOG_LEVEL: 'info',
    };
    proc =
      command === 'node'
        ? runProcess(['scripts/start.ts'], { cwd: root, env })
        : runProcess(['start'], { cwd: root, env, command: 'pnpm', detached: true });
    const listening = await proc.waitForLog(
      (line) => line.msg?.startsWith('API listening') === true,
    );
    await proc.waitForLog((line) => line.msg === 'worker started');
    return { proc, port: Number(listening.port) };
  }

  const stoppedBoth = (logs: LogLine[]) =>
    logs.some((l) => l.name === 'api' && l.msg === 'stopped') &&
    logs.some((l) => l.name === 'worker' && l.msg === 'worker stopped');

  it('applies migrations to an empty database, serves /healthz, and stops on SIGTERM with 0', async () => {
    const { proc: running, port } = await start('node');
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(res.status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);

    const { code, ms } = await running.stop('SIGTERM');
    expect(code).toBe(0);
    expect(ms).toBeLessThan(10_000);
    expect(stoppedBoth(running.logs)).toBe(true);
  });

  it('through pnpm, Ctrl-C (SIGINT to the process group) stops both cleanly and exits 0', async () => {
    const { proc: running, port } = await start('pnpm');
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    // As a terminal does: the signal reaches pnpm and everything in its foreground group. pnpm
    // also forwards it, so the supervisor sees it twice; that must not count as a second Ctrl-C.
    const { code } = await running.stop('SIGINT');
    expect(code).toBe(0);
    // 'exit' can come before the last output: read the pipes to their end.
    await vi.waitFor(
      () => {
        expect(running.child.stdout?.closed).toBe(true);
        expect(running.child.stderr?.closed).toBe(true);
      },
      { timeout: 10_000, message: 'output to end' },
    );
    expect(stoppedBoth(running.logs)).toBe(true);
    expect(running.logs.some((l) => l.msg?.includes('ELIFECYCLE') === true)).toBe(false);
    expect(running.stderr()).not.toContain('ELIFECYCLE');
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it('stops the other process and exits non-zero when one of them dies', async () => {
    const { proc: running } = await start('node');
    const worker = running.logs.find((l) => l.msg === 'worker started');
    expect(typeof worker?.pid).toBe('number');
    process.kill(Number(worker?.pid), 'SIGKILL');
    expect(await running.exited()).toBe(1);
    expect(running.logs.some((l) => l.name === 'api' && l.msg === 'stopped')).toBe(true);
  });
});
