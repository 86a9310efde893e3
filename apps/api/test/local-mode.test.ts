// Local mode (no REDIS_URL): the same rate limits and catalog cache, held in this process.
import { describe, expect, it } from 'vitest';
import { createProduct, expectStatus, http, signIn, useTestApp } from '@chronicle/testing';

const app = useTestApp({ REDIS_URL: '', RATE_LIMIT_REGISTER_POINTS: '3' });

describe('API without Redis', () => {
  it('uses no Redis client and reports it in readiness', async () => {
    expect(app.deps.redis).toBeUndefined();
    const ready = await http(app, 'GET', '/readyz');
    expect(ready.json).toEqual({
      status: 'ready',
      checks: { postgres: 'ok', queue: 'ok', redis: 'in-process' },
    });
  });

  it('caches catalog reads in memory with read-after-write on every admin write', async () => {
    const admin = await signIn(app, 'ADMIN');
    const id = await createProduct(app, admin.token, { name: 'memo', price: 1, stock: 4 });
    const first = await http(app, 'GET', `/product/${id}`);
    const second = await http(app, 'GET', `/product/${id}`);
    expect([first.headers.get('x-cache'), second.headers.get('x-cache')]).toEqual(['MISS', 'HIT']);

    await http(app, 'PATCH', `/product/${id}`, { body: { stock: 9 }, token: admin.token });
    const after = await http(app, 'GET', `/product/${id}`);
    expect(after.headers.get('x-cache')).toBe('MISS');
    expect(expectStatus(after, 200).json.product.stock).toBe(9);

    const page = await http(app, 'GET', '/product?limit=5');
    expect(page.headers.get('x-cache')).toBe('MISS');
    expect((await http(app, 'GET', '/product?limit=5')).headers.get('x-cache')).toBe('HIT');
    await http(app, 'DELETE', `/product/${id}`, { token: admin.token });
    expect((await http(app, 'GET', `/product/${id}`)).status).toBe(404);
    const listed = await http(app, 'GET', '/product?limit=5');
    expect(listed.headers.get('x-cache')).toBe('MISS');
    expect(JSON.stringify(listed.json)).not.toContain(id);
  });

  it('enforces rate limits in memory (429 with Retry-After)', async () => {
    // signIn above used one registration of the three.
    const register = (n: number) =>
      http(app, 'POST', '/auth/register', {
        body: {
          email: `local-${n}@example.com`,
          password: 'correct horse battery',
        },
      });
    expect((await register(1)).status).toBe(201);
    expect((await register(2)).status).toBe(201);
    const limited = await register(3);
    expect(limited.status).toBe(429);
    expect(limited.json).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
