// The real API for one test file: its runtime, the real Express server on port 0, a database
// of its own and a Redis key prefix of its own — the same composition the API process uses.
import type { Server } from 'node:http';
import { createApiDeps, loadApiEnv, startServer, type ApiDeps, type ApiEnv } from '@chronicle/api';
import { createLogger, type Logger } from '@chronicle/core';
import { openRuntime } from '@chronicle/runtime';
import { afterAll, beforeAll } from 'vitest';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { createTestRedis } from './redis.ts';

export interface TestApp {
  url: string;
  server: Server;
  /** The separate metrics port, when the test set METRICS_PORT (use '0'). */
  metricsPort: number | undefined;
  env: ApiEnv;
  deps: ApiDeps;
  database: TestDatabase;
  close(): Promise<void>;
}

export const TEST_JWT_SECRET = 'test-only-secret-0123456789abcdefghijklmnopqrstuvwxyz';

export function testEnvFor(
  database: TestDatabase,
  redis: { url: string; prefix: string },
  overrides: Record<string, string> = {},
): ApiEnv {
  return loadApiEnv({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    DATABASE_URL: database.url,
    DATABASE_POOL_MAX: '5',
    QUEUE_POOL_MAX: '2',
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: redis.prefix,
    JWT_SECRET: TEST_JWT_SECRET,
    // Tests of other features make many requests from one address; the rate-limit tests set
    // their own small limits.
    RATE_LIMIT_IP_POINTS: '1000000',
    RATE_LIMIT_ORDER_POINTS: '1000000',
    RATE_LIMIT_REGISTER_POINTS: '1000000',
    RATE_LIMIT_LOGIN_FAILURES: '1000',
    RATE_LIMIT_LOGIN_IP_DAILY_FAILURES: '1000000',
    ...overrides,
  });
}

export async function startTestApp(
  overrides: Record<string, string> = {},
  /** A logger of the test's own, e.g. to assert what the app logged. */
  options: { logger?: Logger } = {},
): Promise<TestApp> {
  const database = await createTestDatabase();
  const redis = createTestRedis();
  const env = testEnvFor(database, redis, overrides);
  const deps = await openTestApiDeps(env, options.logger);
  // Port 0 unless the test chose one: a URL it configures (a public URL) must name the port.
  const running = await startServer(deps, overrides.PORT === undefined ? 0 : env.PORT);
  return {
    url: running.url,
    server: running.server,
    metricsPort: running.metricsPort,
    env,
    deps,
    database,
    async close() {
      await running.close();
      await deps.close();
      await Promise.all([database.drop(), redis.cleanup()]);
    },
  };
}

/**
 * The test app of the enclosing `describe` (or file): started in its `beforeAll`, closed in its
 * `afterAll` — after `beforeClose`, e.g. a last invariants check — and read through the object
 * returned here, whose fields are those of the started app.
 */
export function useTestApp(
  /** The env overrides, or a function that finds them when the app starts (a free port, …). */
  overrides: Record<string, string> | (() => Promise<Record<string, string>>) = {},
  options: { logger?: Logger; beforeClose?: (app: TestApp) => Promise<unknown> } = {},
): TestApp {
  let started: TestApp | undefined;
  const current = (): TestApp => {
    if (started === undefined) throw new Error('the test app is used before beforeAll started it');
    return started;
  };
  beforeAll(async () => {
    started = await startTestApp(
      typeof overrides === 'function' ? await overrides() : overrides,
      options,
    );
  });
  afterAll(async () => {
    const app = started;
    if (app === undefined) return;
    try {
      await options.beforeClose?.(app);
    } finally {
      await app.close();
    }
  });
  // Every field is read from the started app when it is used.
  return new Proxy({} as TestApp, { get: (_target, key): unknown => Reflect.get(current(), key) });
}

/** The API's dependencies on a runtime of their own, as the API process builds them. */
export async function openTestApiDeps(
  env: ApiEnv,
  logger: Logger = createLogger(env, 'api'),
): Promise<ApiDeps & { close(): Promise<void> }> {
  const runtime = await openRuntime(env, logger, { role: 'api', redis: 'limits-and-cache' });
  return { ...createApiDeps(env, runtime), close: () => runtime.close() };
}
