// `pnpm start` with a bad configuration or an unreachable database: it stops early, with a line
// that names the variable and says what to do.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { freePort } from '@chronicle/core';
import { runProcess, type RunningProcess } from '@chronicle/testing';

const root = path.resolve(import.meta.dirname, '..');

describe('pnpm start refuses early, saying what to fix', () => {
  let proc: RunningProcess | undefined;
  let dataDir: string | undefined;

  afterEach(async () => {
    await proc?.stop('SIGKILL');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  // 'exit' can come before the last output: read the pipes to their end.
  const outputEnded = (running: RunningProcess) =>
    vi.waitFor(
      () => {
        expect(running.child.stdout?.closed).toBe(true);
        expect(running.child.stderr?.closed).toBe(true);
      },
      { timeout: 10_000, message: 'output to end' },
    );
  const output = (running: RunningProcess) =>
    `${running.stderr()}\n${running.logs.map((line) => line.msg ?? '').join('\n')}`;

  it('a too-short JWT_SECRET stops before the embedded PostgreSQL starts, with a hint', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'chronicle-start-errors-'));
    const started = Date.now();
    proc = runProcess(['scripts/start.ts'], {
      cwd: root,
      // DATABASE_URL empty = unset: the mode that would start an embedded PostgreSQL.
      env: {
        DATABASE_URL: '',
        REDIS_URL: '',
        JWT_SECRET: 'too-short',
        CHRONICLE_DATA_DIR: dataDir,
      },
    });
    const code = await proc.exited();
    await outputEnded(proc);
    const text = output(proc);
    expect(code).toBe(1);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(text).toMatch(/JWT_SECRET: must be at least 32 bytes/);
    expect(text).toContain('openssl rand -base64 48');
    expect(text).not.toContain('starting an embedded PostgreSQL');
    expect(existsSync(path.join(dataDir, 'postgres'))).toBe(false);
  });

  it('an unreachable DATABASE_URL names the variable and the embedded fallback, never the password', async () => {
    const port = await freePort();
    proc = runProcess(['scripts/start.ts'], {
      cwd: root,
      env: {
        DATABASE_URL: `postgresql://chronicle:s3cret-pw@127.0.0.1:${port}/chronicle`,
        REDIS_URL: '',
        JWT_SECRET: '',
      },
    });
    const code = await proc.exited();
    await outputEnded(proc);
    const text = output(proc);
    expect(code).not.toBe(0);
    expect(text).toContain(
      `cannot reach PostgreSQL at 127.0.0.1:${port}/chronicle (DATABASE_URL): connection refused — is it running? Unset DATABASE_URL to use the embedded PostgreSQL with pnpm start.`,
    );
    expect(text).not.toContain('s3cret-pw');
    expect(text).not.toContain('ECONNREFUSED');
  });
});
