// Static checks of the deployment files (there is no Docker engine here): the containers run
// exactly the commands `pnpm start` runs, and the compose file and Dockerfile keep their promises.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { commandEnv, commands } from '../scripts/commands.ts';

const root = path.resolve(import.meta.dirname, '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

interface Service {
  command?: string[];
  ports?: string[];
  restart?: string;
  healthcheck?: { test?: string[]; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string>;
}
const compose = parse(read('docker-compose.yml'), { merge: true }) as {
  services: Record<string, Service>;
};
const service = (name: string): Service => {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
};

/** The Dockerfile's instructions of its last stage, with line continuations joined. */
function finalStage(): string[] {
  const lines = read('Dockerfile')
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((l) => l.trim());
  const from = lines.map((l, i) => (l.startsWith('FROM ') ? i : -1)).filter((i) => i >= 0);
  return lines.slice(from.at(-1));
}

describe('one path: containers run the same commands as pnpm start', () => {
  it.each(Object.entries(commands))('compose service %s runs node %s', (name, args) => {
    expect(service(name).command).toEqual(['node', ...args]);
    const script = args.find((arg) => !arg.startsWith('--'));
    expect(script && existsSync(path.join(root, script))).toBe(true);
  });

  it.each(Object.entries(commandEnv))('compose service %s sets %j', (name, vars) => {
    expect(service(name).environment).toMatchObject(vars);
  });

  it('the image runs the API by default, and pnpm start uses the same command table', () => {
    expect(finalStage()).toContain(
      `CMD ${JSON.stringify(['node', ...commands.api]).replace(/,/g, ', ')}`,
    );
    expect(read('scripts/start.ts')).toContain(
      "import { commandEnv, commands } from './commands.ts';",
    );
    expect(
      (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts.start,
      // exec: pnpm then waits on the supervisor itself, not on a shell that dies of Ctrl-C.
    ).toBe('exec node scripts/start.ts');
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  it('builds in stages on the same Node major as local development', () => {
    const nodeMajor = (
      JSON.parse(read('package.json')) as { devDependencies: { node: string } }
    ).devDependencies.node.split('.')[0];
    const bases = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(bases.length).toBeGreaterThanOrEqual(3);
    for (const base of bases)
      expect(base === 'pnpm' || base === `node:${nodeMajor}-slim`).toBe(true);
    expect(dockerfile).toContain('pnpm install --prod --frozen-lockfile');
  });

  it('runs as a non-root user under an init process, with a health check, and bakes in no secrets', () => {
    const stage = finalStage();
    expect(stage.some((l) => /^USER (?!root)\w+/.test(l))).toBe(true);
    expect(stage.some((l) => l.startsWith('ENTRYPOINT ["tini", "--"]'))).toBe(true);
    expect(stage.some((l) => l.startsWith('HEALTHCHECK '))).toBe(true);
    expect(dockerfile).not.toMatch(/COPY[^\n]*\.env\b/);
    expect(dockerfile).not.toMatch(/JWT_SECRET/);
    const ignored = read('.dockerignore').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['.env', '.env.*', '**/node_modules', '.git']));
  });
});

describe('docker-compose.yml', () => {
  it('keeps the databases private and healthy, and starts the app only after migrations', () => {
    for (const name of ['postgres', 'redis', 'redis-cache']) {
      expect(service(name).ports).toBeUndefined();
      expect(service(name).healthcheck?.test?.length).toBeGreaterThan(0);
    }
    for (const name of ['api', 'worker']) {
      expect(service(name).depends_on?.migrate).toEqual({
        condition: 'service_completed_successfully',
      });
      expect(service(name).depends_on?.redis).toEqual({ condition: 'service_healthy' });
      expect(service(name).restart).toBe('unless-stopped');
    }
    expect(service('migrate').restart).toBe('no');
    expect(service('migrate').depends_on?.postgres).toEqual({ condition: 'service_healthy' });
    expect(service('api').ports).toEqual(['${PORT:-8000}:8000']);
    expect(JSON.stringify(service('api').healthcheck?.test)).toContain('/readyz');
  });

  it('serves the API’s /metrics on a private port, like the worker’s', () => {
    const metricsPort = service('api').environment?.METRICS_PORT;
    expect(metricsPort).toBe(service('worker').environment?.WORKER_METRICS_PORT);
    expect(service('api').ports?.join(' ')).not.toContain(String(metricsPort));
  });

  it('lets the worker scale: no published ports, no fixed container name', () => {
    expect(service('worker').ports).toBeUndefined();
    expect(read('docker-compose.yml')).not.toContain('container_name');
  });

  it('never lets cache entries evict rate-limit counters', () => {
    expect(service('redis').command).toEqual(
      expect.arrayContaining(['--maxmemory-policy', 'noeviction']),
    );
    expect(service('redis-cache').command).toEqual(
      expect.arrayContaining(['--maxmemory-policy', 'allkeys-lru']),
    );
    expect(service('api').environment?.REDIS_CACHE_URL).toBe('redis://redis-cache:6379');
  });

  const hasCompose = spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!hasCompose)('is valid for docker-compose (config -q)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chronicle-compose-'));
    for (const file of ['docker-compose.yml', 'Dockerfile', '.env.example'])
      copyFileSync(path.join(root, file), path.join(dir, file));
    copyFileSync(path.join(root, '.env.example'), path.join(dir, '.env'));
    const result = spawnSync('docker-compose', ['config', '-q'], { cwd: dir, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});

describe('.env.example', () => {
  it('documents every variable the API and the worker read', async () => {
    const { apiEnvSchema } = await import('@chronicle/api');
    const { workerEnvSchema } = await import('@chronicle/runtime');
    const documented = new Set(
      [...read('.env.example').matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]),
    );
    const read_ = [...Object.keys(apiEnvSchema.shape), ...Object.keys(workerEnvSchema.shape)];
    expect(read_.filter((name) => !documented.has(name))).toEqual([]);
  });
});
