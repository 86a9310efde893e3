// The README, run as written. Its shell blocks are read from README.md itself (not a copy) and
// run in order in one bash session, on a fresh clone of this repository, against the system its
// quick start starts: once in zero-infrastructure mode and once in the production layout. When
// the README and the product drift apart, this fails.
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEmptyDatabase, createTestRedis } from '@chronicle/testing';

const root = path.resolve(import.meta.dirname, '..');

interface ShellBlock {
  /** The heading the block stands under. */
  section: string;
  /** Line of the opening fence in README.md. */
  line: number;
  code: string;
}

/** Every ```sh block of a Markdown text (list items' indented ones too), with the heading above it. */
function shellBlocks(markdown: string): ShellBlock[] {
  const blocks: ShellBlock[] = [];
  let section = '';
  let open: { line: number; indent: number; lines: string[]; sh: boolean } | undefined;
  markdown.split('\n').forEach((text, index) => {
    if (open) {
      if (text.trimStart().startsWith('```')) {
        if (open.sh) blocks.push({ section, line: open.line, code: open.lines.join('\n') });
        open = undefined;
      } else open.lines.push(text.slice(open.indent));
      return;
    }
    const fence = /^(\s*)```(\S*)/.exec(text);
    if (fence) {
      open = { line: index + 1, indent: fence[1]?.length ?? 0, lines: [], sh: fence[2] === 'sh' };
    } else if (text.startsWith('#')) section = text.replace(/^#+\s*/, '');
  });
  return blocks;
}

/**
 * Blocks this test does not run, each with its reason. Every other block runs: a new block is
 * tested as soon as it is written.
 */
const notRun: { pattern: RegExp; why: string }[] = [
  { pattern: /\bpnpm test\b/, why: 'the test suite itself, which this test is part of' },
  {
    pattern: /\bdocker compose\b/,
    why: 'no Docker engine here; test/deployment.test.ts checks the compose file statically',
  },
];

/** The quick start's block that starts the system (it runs in the background). */
const isStart = (block: ShellBlock) => /\bpnpm start\b/.test(block.code);

/** PATH of a new shell: without the node_modules/.bin entries pnpm put in front for this run. */
function freshPath(): string {
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter((dir) => !dir.includes(`${path.sep}node_modules${path.sep}`))
    .join(path.delimiter);
}

function run(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd,
        env: options.env,
        timeout: options.timeoutMs,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const status = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ status, output: `${stdout}${stderr}` });
      },
    );
  });
}

/** The README's commands talk to the default port. */
const README_URL = 'http://localhost:8000';

// The API listens on 0.0.0.0 (IPv4), and this process's fetch tries only the first address
// `localhost` resolves to (::1 here), where curl tries both: so the check uses 127.0.0.1.
const ready = () =>
  fetch('http://127.0.0.1:8000/readyz').then(
    (res) => res.status === 200,
    () => false,
  );

const blocks = shellBlocks(readFileSync(path.join(root, 'README.md'), 'utf8'));
const skipped = blocks.filter((block) => notRun.some((rule) => rule.pattern.test(block.code)));
const runnable = blocks.filter((block) => !skipped.includes(block));
const startAt = runnable.findIndex(isStart);
/** Blocks before the start command (installing pnpm), the start command, and the rest. */
const before = runnable.slice(0, Math.max(0, startAt));
const start = runnable[startAt];
const after = runnable.slice(startAt + 1);

/** One bash session running `blocks` in order, each announced with its place in the README. */
const script = (list: ShellBlock[]) =>
  list
    .map((block) => `echo '--- README.md:${String(block.line)} (${block.section})'\n${block.code}`)
    .join('\n');

let scratch: string;
let clone: string;
let shims: string;

beforeAll(async () => {
  expect(await ready(), `something already answers on ${README_URL}`).toBe(false);
  scratch = await mkdtemp(path.join(os.tmpdir(), 'chronicle-readme-'));
  // mkdtemp makes it private (0700); as root the embedded PostgreSQL runs as the `postgres`
  // user, which must reach its binaries and data directory inside the clone, as in any checkout.
  await chmod(scratch, 0o755);
  clone = path.join(scratch, 'chronicle');
  const cloned = await run('git', ['clone', '--quiet', root, clone], {
    cwd: scratch,
    env: process.env,
    timeoutMs: 60_000,
  });
  expect(cloned.status, cloned.output).toBe(0);
  // Every curl of the README must succeed: `curl -s` exits 0 on an HTTP error, so a 4xx would
  // pass unnoticed; with --fail-with-body it fails its block (and still shows the body).
  shims = path.join(scratch, 'bin');
  await mkdir(shims);
  const curl = await run('sh', ['-c', 'command -v curl'], {
    cwd: scratch,
    env: process.env,
    timeoutMs: 5_000,
  });
  await writeFile(
    path.join(shims, 'curl'),
    `#!/bin/sh\nexec ${curl.output.trim()} --fail-with-body "$@"\n`,
  );
  await chmod(path.join(shims, 'curl'), 0o755);
}, 120_000);

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('README', () => {
  it('has its start command, and every other shell block is run or skipped for a reason', () => {
    expect(start?.section).toBe('Quick start');
    expect(runnable.filter(isStart)).toHaveLength(1);
    expect(after.length).toBeGreaterThanOrEqual(6);
    for (const block of skipped) {
      expect(notRun.some((rule) => rule.pattern.test(block.code))).toBe(true);
    }
  });

  const modes = [
    { name: 'zero-infrastructure mode', external: false },
    { name: 'the production layout', external: true },
  ];
  for (const mode of modes) {
    it(
      `quick start and walkthrough, as written, in ${mode.name}`,
      { timeout: 600_000 },
      async () => {
        const env: NodeJS.ProcessEnv = {
          ...process.env,
          PATH: `${shims}${path.delimiter}${freshPath()}`,
        };
        for (const name of [
          'DATABASE_URL',
          'REDIS_URL',
          'REDIS_KEY_PREFIX',
          'PORT',
          'JWT_SECRET',
        ]) {
          Reflect.deleteProperty(env, name);
        }
        const redis = createTestRedis();
        const database = mode.external ? await createEmptyDatabase() : undefined;
        if (database) {
          env.DATABASE_URL = database.url;
          env.REDIS_URL = redis.url;
          env.REDIS_KEY_PREFIX = redis.prefix;
        }
        const setup = await run('bash', ['-euo', 'pipefail', '-c', script(before)], {
          cwd: clone,
          env,
          timeoutMs: 120_000,
        });
        expect(setup.status, setup.output).toBe(0);
        let output = '';
        const system = spawn('bash', ['-euo', 'pipefail', '-c', start?.code ?? 'false'], {
          cwd: clone,
          env,
          // Its own process group, so that Ctrl-C can be sent to the whole of it, as a terminal does.
          detached: true,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        system.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
        system.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
        const exited = once(system, 'exit');
        try {
          // Up, or gone: a start that fails says why at once instead of at the deadline.
          await Promise.race([
            vi.waitFor(
              async () => {
                expect(await ready()).toBe(true);
              },
              { timeout: 300_000, interval: 500, message: README_URL },
            ),
            exited.then(() => {
              throw new Error('the start command exited');
            }),
          ]).catch((error: unknown) => {
            throw new Error(`${String(error)}\n${output.slice(-4_000)}`);
          });
          const result = await run('bash', ['-euo', 'pipefail', '-c', script(after)], {
            cwd: clone,
            env,
            timeoutMs: 300_000,
          });
          expect(result.status, result.output).toBe(0);
          // Every block ran, to its end (a block stopping early would stop the script).
          for (const block of after) {
            expect(result.output).toContain(`--- README.md:${String(block.line)} `);
          }
          if (process.env.README_TEST_SHOW === '1') console.info(result.output);
        } finally {
          if (system.pid !== undefined && system.exitCode === null)
            process.kill(-system.pid, 'SIGINT');
          const [code] = await exited;
          await database?.drop();
          await redis.cleanup();
          // Ctrl-C is how the README stops it: a clean exit.
          expect(code, output.slice(-4_000)).toBe(0);
        }
      },
    );
  }
});
