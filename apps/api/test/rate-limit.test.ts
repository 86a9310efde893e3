import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { startServer } from '@chronicle/api';
import {
  http,
  openShop,
  openTestApiDeps,
  signIn,
  startPrivateRedis,
  startTestApp,
  type TestApp,
} from '@chronicle/testing';
import { createTrpcClientForTest } from './trpc-client.ts';

const apps: TestApp[] = [];
async function app(overrides: Record<string, string>): Promise<TestApp> {
  const started = await startTestApp(overrides);
  apps.push(started);
  return started;
}
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

const limited = { code: 'TOO_MANY_REQUESTS', message: expect.any(String) };

/** POST /auth/login from `ip` (the apps under test trust X-Forwarded-For from loopback). */
const login = (a: TestApp, email: string, pw: string, ip = '198.51.100.7') =>
  http(a, 'POST', '/auth/login', {
    body: { email, password: pw },
    headers: {
      'X-Forwarded-For': ip,
    },
  });

describe('per-IP limit', () => {
  it('trips at exactly its count, sends the 429 contract, exempts health checks, and resets after its window', async () => {
    const a = await app({ RATE_LIMIT_IP_POINTS: '5', RATE_LIMIT_IP_WINDOW_SECONDS: '2' });
    for (let i = 1; i <= 5; i++) {
      const res = await http(a, 'GET', '/product');
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-limit')).toBe('5');
      expect(res.headers.get('ratelimit-remaining')).toBe(String(5 - i));
      expect(Number(res.headers.get('ratelimit-reset'))).toBeGreaterThanOrEqual(0);
    }
    const blocked = await http(a, 'GET', '/product');
    expect(blocked.status).toBe(429);
    expect(blocked.json).toEqual(limited);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(blocked.headers.get('ratelimit-remaining')).toBe('0');
    expect((await http(a, 'GET', '/healthz')).status).toBe(200);
    expect((await http(a, 'GET', '/readyz')).status).toBe(200);
    await vi.waitFor(
      async () => {
        expect((await http(a, 'GET', '/product')).status).toBe(200);
      },
      { timeout: 10_000, interval: 200, message: 'the window to pass' },
    );
  });

  it('counts every call in a tRPC batch', async () => {
    const a = await app({ RATE_LIMIT_IP_POINTS: '5', RATE_LIMIT_IP_WINDOW_SECONDS: '60' });
    const batch = (n: number) =>
      http(
        a,
        'GET',
        `/trpc/${Array.from({ length: n }, () => 'health.live').join(',')}?batch=1&input={}`,
      );
    expect((await batch(3)).status).toBe(200);
    const second = await batch(3);
    expect(second.status).toBe(429);
    expect(second.json).toEqual(limited);
  });

  it('ignores a spoofed X-Forwarded-For unless TRUST_PROXY says so', async () => {
    const strict = await app({ RATE_LIMIT_IP_POINTS: '3', RATE_LIMIT_IP_WINDOW_SECONDS: '60' });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push(
        (
          await http(strict, 'GET', '/product', {
            headers: {
              'X-Forwarded-For': `203.0.113.${i}`,
            },
          })
        ).status,
      );
    }
    expect(statuses).toEqual([200, 200, 200, 429]);

    const proxied = await app({
      RATE_LIMIT_IP_POINTS: '3',
      RATE_LIMIT_IP_WINDOW_SECONDS: '60',
      TRUST_PROXY: 'loopback',
    });
    for (let i = 0; i < 6; i++) {
      const res = await http(proxied, 'GET', '/product', {
        headers: {
          'X-Forwarded-For': `203.0.113.${i}`,
        },
      });
      expect(res.status).toBe(200);
    }
  });

  // One subscriber usually holds a whole /64 and can pick any address in it.
  it('keys IPv6 clients by their /64: one /64 shares a limit, another /64 has its own', async () => {
    const proxied = await app({
      RATE_LIMIT_IP_POINTS: '3',
      RATE_LIMIT_IP_WINDOW_SECONDS: '60',
      TRUST_PROXY: 'loopback',
    });
    const from = (ip: string) =>
      http(proxied, 'GET', '/product', { headers: { 'X-Forwarded-For': ip } });
    const oneSlash64 = [
      '2001:db8:1:2::1',
      '2001:db8:1:2::2',
      '2001:db8:1:2:ffff::3',
      '2001:db8:1:2::4',
    ];
    const statuses: number[] = [];
    for (const ip of oneSlash64) statuses.push((await from(ip)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const other = await from('2001:db8:1:3::1');
    expect(other.status).toBe(200);
    expect(other.headers.get('ratelimit-remaining')).toBe('2');
    // An IPv4 client seen through a dual-stack socket counts as that IPv4 address.
    expect((await from('198.51.100.9')).status).toBe(200);
    expect((await from('::ffff:198.51.100.9')).headers.get('ratelimit-remaining')).toBe('1');
  });

  it('is shared by two API instances on one Redis', async () => {
    const a = await app({ RATE_LIMIT_IP_POINTS: '4', RATE_LIMIT_IP_WINDOW_SECONDS: '60' });
    const secondDeps = await openTestApiDeps(a.env);
    const second = await startServer(secondDeps, 0);
    try {
      expect((await http(a, 'GET', '/product')).status).toBe(200);
      expect((await http(second, 'GET', '/product')).status).toBe(200);
      expect((await http(a, 'GET', '/product')).status).toBe(200);
      expect((await http(second, 'GET', '/product')).headers.get('ratelimit-remaining')).toBe('0');
      expect((await http(a, 'GET', '/product')).status).toBe(429);
      expect((await http(second, 'GET', '/product')).status).toBe(429);
    } finally {
      await second.close();
      await secondDeps.close();
    }
  });
});

describe('per-user order limit', () => {
  /** An app with this order limit, a shopper, a product, and a one-line order of it. */
  async function limitedShop(points: string, windowSeconds: string) {
    const a = await app({
      RATE_LIMIT_ORDER_POINTS: points,
      RATE_LIMIT_ORDER_WINDOW_SECONDS: windowSeconds,
    });
    const { shopper: buyer, product: productId } = await openShop(a, {
      name: `limited ${points}/${windowSeconds}s`,
      price: 1,
      stock: 100,
    });
    const order = (token: string) =>
      http(a, 'POST', '/order', { body: { items: [{ id: productId, quantity: 1 }] }, token });
    return { a, buyer, productId, order };
  }

  it('allows exactly N orders per user per window, over REST and inside tRPC batches', async () => {
    const { a, buyer, productId, order } = await limitedShop('3', '60');
    expect([
      (await order(buyer.token)).status,
      (await order(buyer.token)).status,
      (await order(buyer.token)).status,
    ]).toEqual([202, 202, 202]);
    const fourth = await order(buyer.token);
    expect(fourth.status).toBe(429);
    expect(fourth.json).toEqual(limited);
    expect(Number(fourth.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(
      await a.deps.db.order.count({
        where: {
          userId: (await a.deps.db.user.findFirstOrThrow({ where: { email: buyer.email } })).id,
        },
      }),
    ).toBe(3);

    // Another user is unaffected; a batch of five mutations is five orders, not one request.
    const other = await signIn(a);
    const client = createTrpcClientForTest(a.url, other.token);
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () =>
        client.order.create.mutate({ items: [{ id: productId, quantity: 1 }] }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    const rejected = results.find((r) => r.status === 'rejected');
    expect(rejected?.status === 'rejected' ? rejected.reason : undefined).toMatchObject({
      data: { code: 'TOO_MANY_REQUESTS', httpStatus: 429, retryAfter: expect.any(Number) },
    });
  });

  it('opens again after its window', async () => {
    const { buyer, order } = await limitedShop('1', '2');
    expect((await order(buyer.token)).status).toBe(202);
    expect((await order(buyer.token)).status).toBe(429);
    await vi.waitFor(
      async () => {
        expect((await order(buyer.token)).status).toBe(202);
      },
      { timeout: 10_000, interval: 250, message: 'the order window to pass' },
    );
  });
});

describe('registration limit', () => {
  it('allows exactly N registrations per IP per window, then again after it', async () => {
    const a = await app({
      RATE_LIMIT_REGISTER_POINTS: '2',
      RATE_LIMIT_REGISTER_WINDOW_SECONDS: '2',
    });
    const register = (n: number) =>
      http(a, 'POST', '/auth/register', {
        body: {
          email: `reg${n}@example.com`,
          password: 'correct horse battery',
        },
      });
    expect((await register(1)).status).toBe(201);
    expect((await register(2)).status).toBe(201);
    const third = await register(3);
    expect(third.status).toBe(429);
    expect(third.json).toEqual(limited);
    expect(await a.deps.db.user.count()).toBe(2);
    await vi.waitFor(
      async () => {
        expect((await register(4)).status).toBe(201);
      },
      { timeout: 10_000, interval: 250, message: 'the registration window to pass' },
    );
  });

  it('counts registrations from one IPv6 /64 together', async () => {
    const a = await app({
      RATE_LIMIT_REGISTER_POINTS: '2',
      RATE_LIMIT_REGISTER_WINDOW_SECONDS: '60',
      TRUST_PROXY: 'loopback',
    });
    const register = (n: number, ip: string) =>
      http(a, 'POST', '/auth/register', {
        body: { email: `reg6-${n}@example.com`, password: 'correct horse battery' },
        headers: { 'X-Forwarded-For': ip },
      });
    expect((await register(1, '2001:db8:5:6::1')).status).toBe(201);
    expect((await register(2, '2001:db8:5:6::2')).status).toBe(201);
    expect((await register(3, '2001:db8:5:6::3')).status).toBe(429);
    expect((await register(4, '2001:db8:5:7::1')).status).toBe(201);
  });
});

describe('account enumeration through register', () => {
  it('every probe of an existing email costs a registration point', async () => {
    const a = await app({
      RATE_LIMIT_REGISTER_POINTS: '3',
      RATE_LIMIT_REGISTER_WINDOW_SECONDS: '3600',
    });
    const password = 'correct horse battery';
    expect(
      (await http(a, 'POST', '/auth/register', { body: { email: 'taken@example.com', password } }))
        .status,
    ).toBe(201);
    const probes = [];
    for (let i = 0; i < 3; i++)
      probes.push(
        await http(a, 'POST', '/auth/register', { body: { email: 'taken@example.com', password } }),
      );
    expect(probes.map((res) => res.status)).toEqual([409, 409, 429]);
    expect(probes[0]?.json).toEqual({
      code: 'CONFLICT',
      message: 'An account with this email already exists',
    });
    // The limit is spent for new emails too: probing is bounded by the registration limit.
    expect(
      (await http(a, 'POST', '/auth/register', { body: { email: 'fresh@example.com', password } }))
        .status,
    ).toBe(429);
    expect(await a.deps.db.user.count()).toBe(1);
  });
});

describe('login brute-force protection', () => {
  const password = 'correct horse battery';

  it('blocks an email + IP pair after N failures, even with the right password; others are unaffected; blocks grow', async () => {
    const a = await app({
      TRUST_PROXY: 'loopback',
      RATE_LIMIT_LOGIN_FAILURES: '3',
      RATE_LIMIT_LOGIN_BLOCK_SECONDS: '2',
    });
    const victim = await signIn(a);
    const bystander = await signIn(a);
    for (let i = 0; i < 3; i++)
      expect((await login(a, victim.email, 'wrong password')).status).toBe(401);
    const blocked = await login(a, victim.email, password);
    expect(blocked.status).toBe(429);
    expect(blocked.json).toEqual(limited);
    const firstBlock = Number(blocked.headers.get('retry-after'));
    expect(firstBlock).toBeGreaterThanOrEqual(1);
    expect(firstBlock).toBeLessThanOrEqual(2);

    expect((await login(a, bystander.email, password)).status).toBe(200);
    expect((await login(a, victim.email, password, '198.51.100.99')).status).toBe(200);

    await vi.waitFor(
      async () => {
        expect((await login(a, victim.email, password)).status).toBe(200);
      },
      { timeout: 10_000, interval: 250, message: 'the first block to end' },
    );
    for (let i = 0; i < 3; i++)
      expect((await login(a, victim.email, 'wrong password')).status).toBe(401);
    const again = await login(a, victim.email, password);
    expect(again.status).toBe(429);
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(firstBlock);
  });

  it('a successful login resets the consecutive-failure count', async () => {
    const a = await app({ RATE_LIMIT_LOGIN_FAILURES: '3' });
    const user = await signIn(a);
    for (let round = 0; round < 3; round++) {
      expect((await login(a, user.email, 'wrong password')).status).toBe(401);
      expect((await login(a, user.email, 'wrong password')).status).toBe(401);
      expect((await login(a, user.email, password)).status).toBe(200);
    }
  });

  it('caps failures per IP per day across emails', async () => {
    const a = await app({ TRUST_PROXY: 'loopback', RATE_LIMIT_LOGIN_IP_DAILY_FAILURES: '4' });
    const user = await signIn(a);
    for (let i = 0; i < 4; i++) {
      expect((await login(a, `nobody${i}@example.com`, 'wrong password', '192.0.2.1')).status).toBe(
        401,
      );
    }
    expect((await login(a, user.email, password, '192.0.2.1')).status).toBe(429);
    expect((await login(a, user.email, password, '192.0.2.2')).status).toBe(200);
  });
});

describe('login limits under concurrency', () => {
  const password = 'correct horse battery';
  const ip = '198.51.100.40';
  const batchAnswer = z.array(
    z.object({
      error: z.object({ json: z.object({ data: z.object({ httpStatus: z.int() }) }) }).optional(),
    }),
  );

  /** Passwords the login procedure actually verified (argon2id), read from its own counter. */
  async function passwordChecks(a: TestApp): Promise<number> {
    const { values } = await a.deps.metrics.passwordChecks.get();
    return values.reduce((sum, value) => sum + value.value, 0);
  }

  /** One tRPC batch request carrying one auth.login call per credential pair. */
  async function loginBatch(a: TestApp, calls: { email: string; password: string }[]) {
    const res = await http(a, 'POST', `/trpc/${calls.map(() => 'auth.login').join(',')}?batch=1`, {
      body: Object.fromEntries(calls.map((call, i) => [i, { json: call }])),
      headers: { 'X-Forwarded-For': ip },
    });
    return batchAnswer.parse(res.json).map((entry) => entry.error?.json.data.httpStatus ?? 200);
  }

  const limits = {
    TRUST_PROXY: 'loopback',
    RATE_LIMIT_LOGIN_FAILURES: '5',
    RATE_LIMIT_LOGIN_BLOCK_SECONDS: '60',
  };

  it('40 concurrent wrong passwords for one account verify exactly 5, and block the pair once', async () => {
    const a = await app(limits);
    const victim = await signIn(a);
    const before = await passwordChecks(a);
    const statuses = await Promise.all(
      Array.from({ length: 40 }, () =>
        login(a, victim.email, 'wrong password', ip).then((res) => res.status),
      ),
    );
    expect(await passwordChecks(a)).toBe(before + 5);
    expect(statuses.filter((status) => status === 401)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(35);

    // Blocked even for the right password, for the first block's length — not escalated by the
    // 35 refused attempts.
    const blocked = await login(a, victim.email, password, ip);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(blocked.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(await passwordChecks(a)).toBe(before + 5);
  });

  it('one batch of 10 logins, and 10 concurrent batches, verify at most the pair limit', async () => {
    const a = await app(limits);
    const first = await signIn(a);
    let before = await passwordChecks(a);
    const wrong = (email: string) =>
      Array.from({ length: 10 }, () => ({ email, password: 'wrong password' }));
    const single = await loginBatch(a, wrong(first.email));
    expect(await passwordChecks(a)).toBe(before + 5);
    expect(single.filter((status) => status === 401)).toHaveLength(5);
    expect(single.filter((status) => status === 429)).toHaveLength(5);

    const second = await signIn(a);
    before = await passwordChecks(a);
    const batches = await Promise.all(
      Array.from({ length: 10 }, () => loginBatch(a, wrong(second.email))),
    );
    expect(await passwordChecks(a)).toBe(before + 5);
    expect(batches.flat().filter((status) => status === 401)).toHaveLength(5);
    expect(batches.flat().filter((status) => status === 429)).toHaveLength(95);
  });

  it('30 concurrent batches of 10 from one IP verify at most the daily cap', async () => {
    const a = await app({ ...limits, RATE_LIMIT_LOGIN_IP_DAILY_FAILURES: '100' });
    const user = await signIn(a);
    const before = await passwordChecks(a);
    const batches = await Promise.all(
      Array.from({ length: 30 }, (_, batch) =>
        loginBatch(
          a,
          Array.from({ length: 10 }, (_, call) => ({
            email: `guess-${batch}-${call}@example.com`,
            password: 'wrong password',
          })),
        ),
      ),
    );
    expect(await passwordChecks(a)).toBe(before + 100);
    expect(batches.flat().filter((status) => status === 401)).toHaveLength(100);
    expect(batches.flat().filter((status) => status === 429)).toHaveLength(200);
    // The address is done for the day; another one is not.
    const sameIp = await login(a, user.email, password, ip);
    expect(sameIp.status).toBe(429);
    const otherIp = await login(a, user.email, password, '198.51.100.41');
    expect(otherIp.status).toBe(200);
  });

  it('successful logins give their reserved points back', async () => {
    const a = await app({ ...limits, RATE_LIMIT_LOGIN_IP_DAILY_FAILURES: '3' });
    const user = await signIn(a);
    const ok = await Promise.all(
      Array.from({ length: 10 }, () =>
        login(a, user.email, password, ip).then((res) => res.status),
      ),
    );
    expect(ok.filter((status) => status === 200).length).toBeGreaterThanOrEqual(3);
    expect(ok.every((status) => status === 200 || status === 429)).toBe(true);
    // None of those counted as failures: the whole daily budget of 3 is still there.
    for (let i = 0; i < 3; i++) {
      const res = await login(a, `n${i}@example.com`, 'wrong password', ip);
      expect(res.status).toBe(401);
    }
    const spent = await login(a, user.email, password, ip);
    expect(spent.status).toBe(429);
  });
});

describe('when Redis goes away', () => {
  it('the in-process insurance limiter keeps limiting with no 500s, and Redis is used again when it returns', async () => {
    const redis = await startPrivateRedis();
    try {
      const a = await app({
        REDIS_URL: redis.url,
        REDIS_COMMAND_TIMEOUT_MS: '200',
        RATE_LIMIT_IP_POINTS: '3',
        RATE_LIMIT_IP_WINDOW_SECONDS: '60',
      });
      await vi.waitFor(
        async () => {
          expect((await http(a, 'GET', '/readyz')).json).toBeDefined();
        },
        { timeout: 10_000, message: 'app up' },
      );
      expect((await http(a, 'GET', '/product')).status).toBe(200);

      await redis.kill();
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await http(a, 'GET', '/product')).status);
      // A fresh in-process window: three allowed, then limited; never a 500.
      expect(statuses).toEqual([200, 200, 200, 429, 429]);

      redis.start();
      await vi.waitFor(
        async () => {
          const res = await http(a, 'GET', '/product');
          // Back on Redis: its counter (1 used before the outage) continues there.
          expect(res.status).toBe(200);
          expect(res.headers.get('x-cache')).not.toBe('BYPASS');
        },
        { timeout: 15_000, interval: 200, message: 'Redis to be used again' },
      );
    } finally {
      await redis.kill();
    }
  });
});
