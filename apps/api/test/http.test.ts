import { describe, expect, it } from 'vitest';
import { createDb } from '@chronicle/db';
import { createApp } from '@chronicle/api';
import {
  createTestDatabase,
  createTestRedis,
  http,
  openTestApiDeps,
  startTestApp,
  testEnvFor,
  useTestApp,
  type UntypedResponse,
} from '@chronicle/testing';
import { once } from 'node:events';

describe('HTTP basics', () => {
  const app = useTestApp({ TRPC_MAX_BATCH_SIZE: '3' });

  it('answers liveness with a request id', async () => {
    const res = await http(app, 'GET', '/healthz');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ status: 'ok' });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps a well-formed incoming request id and replaces a malformed one', async () => {
    const kept = await http(app, 'GET', '/healthz', { headers: { 'x-request-id': 'edge-123' } });
    expect(kept.headers.get('x-request-id')).toBe('edge-123');
    const replaced = await http(app, 'GET', '/healthz', {
      headers: { 'x-request-id': 'bad id <script>' },
    });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reports ready when Postgres, the queue and Redis answer', async () => {
    const res = await http(app, 'GET', '/readyz');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      status: 'ready',
      checks: { postgres: 'ok', queue: 'ok', redis: 'ok' },
    });
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await http(app, 'POST', '/no/such/route');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(res.json).toEqual({ code: 'NOT_FOUND', message: 'Not found' });
  });

  it('serves tRPC at /trpc with superjson', async () => {
    const res = await http(app, 'GET', '/trpc/health.live');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ result: { data: { json: { status: 'ok' } } } });
  });

  it('refuses tRPC batches larger than the configured limit', async () => {
    const paths = (n: number) => Array.from({ length: n }, () => 'health.live').join(',');
    const ok = await http(app, 'GET', `/trpc/${paths(3)}?batch=1&input={}`);
    expect(ok.status).toBe(200);
    const tooMany = await http(app, 'GET', `/trpc/${paths(4)}?batch=1&input={}`);
    expect(tooMany.status).toBe(400);
  });

  describe('deeply nested JSON', () => {
    const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const post = (route: string, body: string) =>
      http(app, 'POST', route, { headers: { 'content-type': 'application/json' }, rawBody: body });

    it('is 400 on every REST route, however deep (40,000 levels fit in the body limit)', async () => {
      for (const route of ['/auth/login', '/product', '/order', '/no/such/route']) {
        for (const body of [nested(40_000), `{"email":${nested(40_000)}}`, nested(33)]) {
          const res = await post(route, body);
          expect(res.status, route).toBe(400);
          expect(res.json).toEqual({
            code: 'BAD_REQUEST',
            message: 'JSON is nested more than 32 levels deep',
          });
        }
      }
      // 32 levels are still JSON the procedure gets to judge (and reject as input).
      const res = await post('/auth/login', `{"email":${nested(31)}}`);
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ message: 'Input validation failed' });
    });

    it('is 400 in the tRPC envelope, in a body and in ?input=', async () => {
      const expectTooDeep = (res: UntypedResponse, batch = false) => {
        expect(res.status).toBe(400);
        const body = res.json;
        expect(batch && Array.isArray(body) ? body[0] : body).toMatchObject({
          error: {
            json: {
              message: 'JSON is nested more than 32 levels deep',
              data: { code: 'BAD_REQUEST', httpStatus: 400 },
            },
          },
        });
      };
      expectTooDeep(await post('/trpc/auth.login', `{"json":${nested(40_000)}}`));
      expectTooDeep(
        await post('/trpc/auth.login?batch=1', `{"0":{"json":${nested(40_000)}}}`),
        true,
      );
      const input = (depth: number) => encodeURIComponent(`{"json":${nested(depth)}}`);
      expectTooDeep(await http(app, 'GET', `/trpc/product.list?input=${input(2_000)}`));
      expectTooDeep(await http(app, 'GET', `/trpc/product.list?input=${input(32)}`));
    });
  });

  it('never sends the X-Powered-By header', async () => {
    const res = await http(app, 'GET', '/healthz');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });
});

describe('readiness when Postgres is unreachable', () => {
  it('is 503 and names the failing check', async () => {
    const database = await createTestDatabase();
    const redis = createTestRedis();
    const env = testEnvFor(database, redis);
    const deps = await openTestApiDeps(env);
    const healthyDb = deps.db;
    // A database client pointed at a port where nothing listens.
    deps.db = createDb({
      ...env,
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/chronicle',
      DATABASE_CONNECT_TIMEOUT_MS: 500,
    });
    const server = createApp(deps).listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('not on a TCP port');
      const res = await http({ url: `http://127.0.0.1:${address.port}` }, 'GET', '/readyz');
      expect(res.status).toBe(503);
      expect(res.json).toMatchObject({
        status: 'not ready',
        checks: { postgres: 'down', redis: 'ok' },
      });
    } finally {
      server.close();
      await deps.db.$disconnect();
      deps.db = healthyDb;
      await deps.close();
      await Promise.all([database.drop(), redis.cleanup()]);
    }
  });
});

describe('shutdown', () => {
  it('lets an in-flight request finish, then stops accepting', async () => {
    const app = await startTestApp();
    const arrived = once(app.server, 'request');
    // /readyz does real round trips to Postgres and Redis, so it is still running at close().
    // A plain fetch: the shared helper would then fetch /openapi.json from the closing server.
    const inFlight = fetch(`${app.url}/readyz`);
    await arrived;
    const closing = app.close();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ready' });
    await closing;
    await expect(fetch(`${app.url}/healthz`)).rejects.toThrow();
  });
});
