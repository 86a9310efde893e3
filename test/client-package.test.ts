// The client as an outsider gets it: packed into a tarball, installed with plain npm into a
// project outside this workspace, type-checked (a deliberate type error must fail), and run
// against a live API and worker: register, log in, list products, order, wait for CONFIRMED.
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createProduct,
  signIn,
  startTestApp,
  type RunningProcess,
  type TestApp,
} from '@chronicle/testing';
import { root, startWorkerProcess } from './support/orders.ts';

let scratch: string;
let app: TestApp | undefined;
let worker: RunningProcess | undefined;

/** Runs a command to its end without blocking this process (the API under test lives here). */
function run(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd, env: { ...process.env, ...env }, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const status = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ status, output: `${stdout}${stderr}` });
      },
    );
  });
}

const tsc = () => path.join(scratch, 'node_modules', '.bin', 'tsc');

beforeAll(async () => {
  // Outside the workspace, so nothing resolves through it.
  scratch = await mkdtemp(path.join(os.tmpdir(), 'chronicle-consumer-'));
  const packed = await run(
    'pnpm',
    ['pack', '--pack-destination', scratch],
    path.join(root, 'packages/client'),
  );
  expect(packed.status, packed.output).toBe(0);
  const tarball = (await readdir(scratch)).find((file) => file.endsWith('.tgz'));
  expect(tarball).toBeDefined();

  await writeFile(
    path.join(scratch, 'package.json'),
    JSON.stringify({ name: 'chronicle-consumer', private: true, type: 'module' }),
  );
  await writeFile(
    path.join(scratch, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noEmit: true,
        allowImportingTsExtensions: true,
        types: ['node'],
      },
    }),
  );
  const installed = await run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      `./${tarball ?? ''}`,
      'typescript@5.9.3',
      '@types/node@24.19.2',
    ],
    scratch,
  );
  expect(installed.status, installed.output).toBe(0);
}, 240_000);

afterAll(async () => {
  await worker?.stop();
  await app?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('@chronicle/client from its tarball', () => {
  it('ships built ESM and declarations that need nothing from the server', async () => {
    const dist = path.join(scratch, 'node_modules/@chronicle/client/dist');
    const files = await readdir(dist);
    expect(files).toEqual(expect.arrayContaining(['index.js', 'index.d.ts']));
    const manifest = JSON.parse(
      await readFile(path.join(scratch, 'node_modules/@chronicle/client/package.json'), 'utf8'),
    ) as { exports: unknown; dependencies: Record<string, string> };
    expect(manifest.exports).toEqual({
      '.': { types: './dist/index.d.ts', import: './dist/index.js' },
    });
    expect(
      Object.keys(manifest.dependencies).filter((name) => name.startsWith('@chronicle/')),
    ).toEqual([]);
    // The workspace pins shared versions with `catalog:`; pack must have written the real ones.
    expect(Object.values(manifest.dependencies).filter((spec) => !/^\d/.test(spec))).toEqual([]);
    for (const file of files) {
      const text = await readFile(path.join(dist, file), 'utf8');
      expect(text, file).not.toMatch(/@chronicle\/(api|core|db)|@prisma|ioredis|pg-boss/);
    }
  });

  it('type-checks the README example as an outsider, and rejects a type error', async () => {
    await copyFile(path.join(root, 'examples/place-order.ts'), path.join(scratch, 'main.ts'));
    const good = await run(tsc(), ['-p', '.'], scratch);
    expect(good.output).toBe('');
    expect(good.status).toBe(0);

    await writeFile(
      path.join(scratch, 'bad.ts'),
      [
        "import { createChronicleClient } from '@chronicle/client';",
        "const api = createChronicleClient({ url: 'http://localhost:8000' });",
        '// quantity is a number, not a string',
        "await api.order.create.mutate({ items: [{ id: 'x', quantity: '2' }] });",
        'export {};',
      ].join('\n'),
    );
    const bad = await run(tsc(), ['-p', '.'], scratch);
    expect(bad.status).not.toBe(0);
    expect(bad.output).toMatch(
      /bad\.ts\(4,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/,
    );
    expect(bad.output).not.toContain('main.ts');
    await rm(path.join(scratch, 'bad.ts'));
  });

  it('runs against the live API and a worker: register, login, list, order, CONFIRMED', async () => {
    app = await startTestApp();
    const admin = await signIn(app, 'ADMIN');
    await createProduct(app, admin.token, { name: 'tarball tea', price: '3.50', stock: 2 });
    worker = startWorkerProcess(app);

    // Node 24 (this process's) runs the TypeScript program directly.
    const result = await run(process.execPath, ['main.ts'], scratch, { CHRONICLE_URL: app.url });
    expect(result.output).toMatch(/logged in as shopper-\d+@example\.com \(USER\)/);
    expect(result.output).toContain('ordering 1 × tarball tea at 3.50');
    expect(result.output).toMatch(/: PENDING/);
    expect(result.output).toContain('final: CONFIRMED');
    expect(result.status, result.output).toBe(0);
    const [product] = await app.deps.db.product.findMany({ where: { name: 'tarball tea' } });
    expect(product?.stock).toBe(1);
  });
});
