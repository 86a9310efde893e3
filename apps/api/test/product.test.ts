import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { rows } from '@chronicle/core';
import {
  createProduct,
  expectStatus,
  http,
  signIn,
  startPrivateRedis,
  startTestApp,
  type Method,
  type RequestOptions,
  type RestBody,
  type TestApp,
} from '@chronicle/testing';
import { createTrpcClientForTest } from './trpc-client.ts';

type ProductBody = RestBody<'GET', '/product/{id}', 200>['product'];

let app: TestApp;
let admin: string;
let user: string;

const call = <const M extends Method, const R extends string>(
  method: M,
  route: R,
  options?: RequestOptions,
) => http(app, method, route, options);

async function create(body: Record<string, unknown>): Promise<ProductBody> {
  const res = await call('POST', '/product', { body, token: admin });
  return expectStatus(res, 201).json.product;
}

const productCount = () => app.deps.db.product.count();

async function ledgerMatchesStock(): Promise<void> {
  const products = rows(
    z.object({ id: z.string(), stock: z.number(), ledger: z.bigint().nullable() }),
    await app.deps.db.$queryRaw`
    SELECT p.id, p.stock, (SELECT sum(delta) FROM stock_movements m WHERE m.product_id = p.id) AS ledger
    FROM products p`,
  );
  expect(products.length).toBeGreaterThan(0);
  for (const row of products) expect(Number(row.ledger), `product ${row.id}`).toBe(row.stock);
}

beforeAll(async () => {
  app = await startTestApp();
  admin = (await signIn(app, 'ADMIN')).token;
  user = (await signIn(app)).token;
});
afterAll(async () => {
  await ledgerMatchesStock();
  await app.close();
});

describe('CRUD', () => {
  it('takes the bodies existing Postman users send', async () => {
    const created = await call('POST', '/product', {
      body: { name: 'mangga', stock: 10, price: 2 },
      token: admin,
    });
    const { product } = expectStatus(created, 201).json;
    expect(product).toMatchObject({ name: 'mangga', stock: 10, price: '2.00', description: null });

    const got = await call('GET', `/product/${product.id}`);
    expect(got.status).toBe(200);
    expect(got.json).toMatchObject({ product: { id: product.id, price: '2.00' } });

    const patched = await call('PATCH', `/product/${product.id}`, {
      body: { price: 6 },
      token: admin,
    });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ product: { price: '6.00', stock: 10, name: 'mangga' } });

    const deleted = await call('DELETE', `/product/${product.id}`, { token: admin });
    expect(deleted.status).toBe(200);
    expect((await call('GET', `/product/${product.id}`)).status).toBe(404);
    expect(
      (await call('PATCH', `/product/${product.id}`, { body: { price: 1 }, token: admin })).status,
    ).toBe(404);
    expect((await call('DELETE', `/product/${product.id}`, { token: admin })).status).toBe(404);
    // Soft delete: the row (and its ledger) is kept for order history.
    expect(await app.deps.db.product.findUnique({ where: { id: product.id } })).toMatchObject({
      deletedAt: expect.any(Date),
    });
  });

  it('works the same over tRPC, with exact prices and real Dates', async () => {
    const client = createTrpcClientForTest(app.url, admin);
    const { product } = await client.product.create.mutate({
      name: 'Crème brûlée ☕',
      price: '19.99',
      stock: 3,
      description: 'Unicode names are fine',
    });
    expect(product.price).toBe('19.99');
    expect(product.createdAt).toBeInstanceOf(Date);
    const fetched = await client.product.get.query({ id: product.id });
    expect(fetched.product.name).toBe('Crème brûlée ☕');
    const updated = await client.product.update.mutate({
      id: product.id,
      stock: 7,
      description: null,
    });
    expect(updated.product).toMatchObject({ stock: 7, description: null });
    await client.product.delete.mutate({ id: product.id });
    await expect(client.product.get.query({ id: product.id })).rejects.toMatchObject({
      data: { code: 'NOT_FOUND' },
    });
  });

  it('anonymous writes are 401 and USER writes are 403; reads are public', async () => {
    const product = await create({ name: 'guarded', price: 1, stock: 1 });
    const before = await productCount();
    for (const [method, route, body] of [
      ['POST', '/product', { name: 'sneaky', price: 1, stock: 1 }],
      ['PATCH', `/product/${product.id}`, { price: 0 }],
      ['DELETE', `/product/${product.id}`, undefined],
    ] as const) {
      expect((await call(method, route, { body })).status).toBe(401);
      expect((await call(method, route, { body, token: user })).status).toBe(403);
    }
    expect(await productCount()).toBe(before);
    expect((await call('GET', `/product/${product.id}`)).json).toMatchObject({
      product: { price: '1.00' },
    });
    expect((await call('GET', '/product', { token: user })).status).toBe(200);
  });
});

describe('bad input', () => {
  const good = { name: 'valid name', price: 1, stock: 1 };
  it.each([
    ['negative price', { ...good, price: -1 }],
    ['3-decimal price', { ...good, price: 1.005 }],
    ['3-decimal price string', { ...good, price: '1.005' }],
    ['huge price', { ...good, price: 1_000_000_000.01 }],
    ['exponent price', { ...good, price: 1e21 }],
    ['non-numeric price', { ...good, price: 'cheap' }],
    ['NaN-ish price', { ...good, price: 'NaN' }],
    ['boolean price', { ...good, price: true }],
    ['negative stock', { ...good, stock: -1 }],
    ['fractional stock', { ...good, stock: 1.5 }],
    ['huge stock', { ...good, stock: 10_000_000_000 }],
    ['string stock', { ...good, stock: '5' }],
    ['boolean stock', { ...good, stock: true }],
    ['null stock', { ...good, stock: null }],
    ['missing stock', { name: 'x', price: 1 }],
    ['empty name', { ...good, name: '' }],
    ['blank name', { ...good, name: '   ' }],
    ['10 KB name', { ...good, name: 'n'.repeat(10_000) }],
    ['control characters in name', { ...good, name: 'bad\u0000name' }],
    ['bidi override in name', { ...good, name: 'evil\u202Etxt.exe' }],
    ['lone surrogate in name', { ...good, name: 'broken \uD800 text' }],
    ['10 KB description', { ...good, description: 'd'.repeat(10_000) }],
    ['unknown field', { ...good, id: '01900000-0000-7000-8000-000000000000' }],
    ['mass-assigned deletedAt', { ...good, deletedAt: null }],
  ])('create with %s → 400 and nothing written', async (_name, body) => {
    const before = await productCount();
    const res = await call('POST', '/product', { body, token: admin });
    expect(res.status, res.text).toBe(400);
    expect(res.json).toMatchObject({ code: 'BAD_REQUEST', issues: expect.any(Array) });
    expect(await productCount()).toBe(before);
  });

  it('SQL and script text in names is stored as plain text', async () => {
    const name = "Robert'); DROP TABLE products;-- <script>alert(1)</script>";
    const product = await create({ name, price: 1, stock: 1 });
    expect((await call('GET', `/product/${product.id}`)).json).toMatchObject({ product: { name } });
  });

  it('malformed ids → 400; unknown ids → 404', async () => {
    for (const id of ['not-a-uuid', '123', "1' OR '1'='1"]) {
      const path = `/product/${encodeURIComponent(id)}`;
      expect((await call('GET', path)).status).toBe(400);
      expect((await call('PATCH', path, { body: { price: 1 }, token: admin })).status).toBe(400);
      expect((await call('DELETE', path, { token: admin })).status).toBe(400);
    }
    const unknown = '01900000-0000-7000-8000-000000000000';
    expect((await call('GET', `/product/${unknown}`)).status).toBe(404);
    expect(
      (await call('PATCH', `/product/${unknown}`, { body: { price: 1 }, token: admin })).status,
    ).toBe(404);
  });

  it('an update with nothing to change, or with bad values, is 400 and changes nothing', async () => {
    const product = await create({ name: 'patch target', price: 3, stock: 3 });
    for (const body of [{}, { stock: -5 }, { price: '1.001' }, { name: '' }, { unknown: 1 }]) {
      const res = await call('PATCH', `/product/${product.id}`, { body, token: admin });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect((await call('GET', `/product/${product.id}`)).json).toMatchObject({
      product: { price: '3.00', stock: 3, name: 'patch target' },
    });
  });

  it('list parameters are validated', async () => {
    for (const query of [
      'limit=0',
      'limit=101',
      'limit=abc',
      'sort=cheapest',
      'inStock=maybe',
      `q=${'q'.repeat(101)}`,
      'cursor=garbage',
    ]) {
      const res = await call('GET', `/product?${query}`);
      expect(res.status, query).toBe(400);
    }
  });
  it('a NUL byte in the search text is 400 with issues, not a database error', async () => {
    const res = await call('GET', '/product?q=a%00b');
    expect(res.status, res.text).toBe(400);
    expect(res.json).toMatchObject({ code: 'BAD_REQUEST', issues: [{ path: ['q'] }] });
  });

  const cursor = (parts: unknown) => Buffer.from(JSON.stringify(parts)).toString('base64url');
  const someId = '01900000-0000-7000-8000-000000000000';
  it.each([
    ['a non-numeric price', 'price_asc', cursor(['price_asc', 'abc', someId])],
    ['an overflowing price', 'price_desc', cursor(['price_desc', '1e999999', someId])],
    ['a price beyond NUMERIC(12,2)', 'price_asc', cursor(['price_asc', '12345678901.00', someId])],
    ['a negative price', 'price_asc', cursor(['price_asc', '-1.00', someId])],
    ['a name with NUL', 'name', cursor(['name', 'a\u0000b', someId])],
    ['a name with a lone surrogate', 'name', cursor(['name', 'a\uD800b', someId])],
    ['a number as the name', 'name', cursor(['name', 5, someId])],
    ['a value on newest', 'newest', cursor(['newest', 'x', someId])],
    ['a malformed id', 'name', cursor(['name', 'a', 'not-a-uuid'])],
    ['another sort', 'name', cursor(['price_asc', '1.00', someId])],
    ['a fourth element', 'name', cursor(['name', 'a', someId, 'x'])],
    ['an object', 'name', cursor({ sort: 'name', value: 'a', id: someId })],
    ['not JSON', 'name', Buffer.from('[name').toString('base64url')],
  ])('a crafted cursor with %s → 400 with issues', async (_name, sort, value) => {
    const res = await call('GET', `/product?sort=${sort}&cursor=${value}`);
    expect(res.status, res.text).toBe(400);
    expect(res.json).toMatchObject({ code: 'BAD_REQUEST', issues: [{ path: ['cursor'] }] });
  });
});

describe('names', () => {
  it('are NFC-normalised before the uniqueness check: NFD and NFC forms clash (409)', async () => {
    const nfd = 'Cafe\u0301 noir';
    const created = await create({ name: nfd, price: 1, stock: 1, description: 'cre\u0300me' });
    expect(created.name).toBe('Café noir');
    expect(created.description).toBe('crème');
    const clash = await call('POST', '/product', {
      body: { name: 'Café noir', price: 1, stock: 1 },
      token: admin,
    });
    expect(clash.status, clash.text).toBe(409);

    const other = await create({ name: 'Cafe\u0301 au lait', price: 1, stock: 1 });
    const renamed = await call('PATCH', `/product/${other.id}`, {
      body: { name: nfd },
      token: admin,
    });
    expect(renamed.status, renamed.text).toBe(409);
  });

  it.each([
    ['a zero-width space', 'Ca\u200Bfé'],
    ['a zero-width joiner', 'Ca\u200Dfé'],
    ['a zero-width non-joiner', 'Ca\u200Cfé'],
    ['a soft hyphen', 'Ca\u00ADfé'],
    ['a variation selector', 'Café\uFE0F'],
    ['a byte order mark', 'Ca\uFEFFfé'],
    ['a word joiner', 'Ca\u2060fé'],
    ['a Mongolian vowel separator', 'Ca\u180Efé'],
  ])('with %s are 400 (look-alikes of another name)', async (_what, name) => {
    const before = await productCount();
    const res = await call('POST', '/product', {
      body: { name, price: 1, stock: 1 },
      token: admin,
    });
    expect(res.status, res.text).toBe(400);
    expect(res.json).toMatchObject({ code: 'BAD_REQUEST', issues: [{ path: ['name'] }] });
    expect(await productCount()).toBe(before);
  });

  it('are unique among live products, case-insensitively (409), and freed by deletion', async () => {
    const first = await create({ name: 'Durian', price: 5, stock: 1 });
    const clash = await call('POST', '/product', {
      body: { name: '  durian ', price: 5, stock: 1 },
      token: admin,
    });
    expect(clash.status).toBe(409);
    expect(clash.json).toEqual({
      code: 'CONFLICT',
      message: 'A product with this name already exists',
    });

    const other = await create({ name: 'Rambutan', price: 5, stock: 1 });
    expect(
      (await call('PATCH', `/product/${other.id}`, { body: { name: 'DURIAN' }, token: admin }))
        .status,
    ).toBe(409);

    await call('DELETE', `/product/${first.id}`, { token: admin });
    const again = await create({ name: 'Durian', price: 6, stock: 2 });
    expect(again.id).not.toBe(first.id);
  });
});

describe('listing', () => {
  it('walks the whole catalog exactly once per sort, while rows are being inserted', async () => {
    const tag = `walk${Date.now()}`;
    const initial: string[] = [];
    for (let i = 0; i < 45; i++) {
      // Repeated prices exercise the id tie-break.
      initial.push(
        (
          await create({
            name: `${tag} item ${String(i).padStart(2, '0')}`,
            price: i % 5,
            stock: i % 3,
          })
        ).id,
      );
    }
    for (const sort of ['newest', 'price_asc', 'price_desc', 'name'] as const) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let inserted = 0;
      do {
        const query = new URLSearchParams({
          q: tag,
          sort,
          limit: '7',
          ...(cursor ? { cursor } : {}),
        });
        const res = await call('GET', `/product?${query.toString()}`);
        // Annotated: through `cursor`, the route's type depends on the previous page.
        const page: RestBody<'GET', '/product', 200> = expectStatus(res, 200).json;
        seen.push(...page.items.map((p) => p.id));
        cursor = page.nextCursor;
        // A concurrent writer adds rows between page reads.
        await create({ name: `${tag} ${sort} late ${inserted++}`, price: 2, stock: 1 });
      } while (cursor);
      expect(new Set(seen).size, `duplicates with sort=${sort}`).toBe(seen.length);
      for (const id of initial) expect(seen, `gap with sort=${sort}`).toContain(id);
    }
  });

  it('orders pages by the requested sort', async () => {
    const tag = `order${Date.now()}`;
    for (const [name, price] of [
      ['b', 3],
      ['a', 1],
      ['c', 2],
    ] as const) {
      await create({ name: `${tag} ${name}`, price, stock: 1 });
    }
    const names = async (sort: string) =>
      expectStatus(await call('GET', `/product?q=${tag}&sort=${sort}`), 200).json.items.map((p) =>
        p.name.slice(-1),
      );
    expect(await names('price_asc')).toEqual(['a', 'c', 'b']);
    expect(await names('price_desc')).toEqual(['b', 'c', 'a']);
    expect(await names('name')).toEqual(['a', 'b', 'c']);
    expect(await names('newest')).toEqual(['c', 'a', 'b']);
  });

  it('searches names case-insensitively and literally, and filters by stock', async () => {
    const tag = `srch${Date.now()}`;
    await create({ name: `${tag} Golden Apple`, price: 1, stock: 0 });
    await create({ name: `${tag} 50% off pear`, price: 1, stock: 4 });
    await create({ name: `${tag} green_apple`, price: 1, stock: 2 });
    const search = async (query: string) =>
      expectStatus(await call('GET', `/product?${query}`), 200)
        .json.items.map((p) => p.name.replace(`${tag} `, ''))
        .sort();
    expect(await search(`q=${tag}+APPLE`)).toEqual([]);
    expect(await search(`q=${encodeURIComponent(`${tag} golden`)}`)).toEqual(['Golden Apple']);
    expect(await search(`q=${tag}&inStock=true`)).toEqual(['50% off pear', 'green_apple']);
    expect(await search(`q=${tag}&inStock=false`)).toEqual(['Golden Apple']);
    // LIKE wildcards in q are literal characters.
    expect(await search(`q=${encodeURIComponent(`${tag} 50%`)}`)).toEqual(['50% off pear']);
    await create({ name: `${tag} greenXapple`, price: 1, stock: 2 });
    expect(await search(`q=${encodeURIComponent(`${tag} green_a`)}`)).toEqual(['green_apple']);
  });
});

describe('cache', () => {
  const get = (id: string) => call('GET', `/product/${id}`);
  const cacheOf = (res: { headers: Headers }) => res.headers.get('x-cache');

  it('misses, then hits', async () => {
    const product = await create({ name: 'cached pear', price: 2, stock: 5 });
    expect(cacheOf(await get(product.id))).toBe('MISS');
    const hit = await get(product.id);
    expect(cacheOf(hit)).toBe('HIT');
    expect(hit.json).toMatchObject({ product: { id: product.id, price: '2.00', stock: 5 } });
    const q = `/product?q=${encodeURIComponent('cached pear')}`;
    expect(cacheOf(await call('GET', q))).toBe('MISS');
    expect(cacheOf(await call('GET', q))).toBe('HIT');
  });

  it('never serves a value older than a completed admin write', async () => {
    const product = await create({ name: 'raw fig', price: 2, stock: 5 });
    const listed = async () =>
      expectStatus(await call('GET', `/product?q=${encodeURIComponent('raw fig')}`), 200).json
        .items;
    // Warm both caches.
    await get(product.id);
    await get(product.id);
    expect(await listed()).toHaveLength(1);
    expect(await listed()).toHaveLength(1);

    for (const change of [
      { price: 3 },
      { stock: 9 },
      { name: 'raw fig deluxe' },
      { description: 'new' },
    ] as const) {
      const res = await call('PATCH', `/product/${product.id}`, { body: change, token: admin });
      const expected = expectStatus(res, 200).json.product;
      expect((await get(product.id)).json).toEqual({ product: { ...expected } });
      const [row] = await listed();
      expect(row).toEqual(expected);
    }

    const sibling = await create({ name: 'raw fig two', price: 1, stock: 1 });
    expect((await listed()).map((p) => p.id)).toContain(sibling.id);

    await call('DELETE', `/product/${product.id}`, { token: admin });
    expect((await get(product.id)).status).toBe(404);
    expect((await listed()).map((p) => p.id)).not.toContain(product.id);
  });

  it('collapses concurrent misses on one key into one database read', async () => {
    const product = await create({ name: 'stampede plum', price: 2, stock: 5 });
    await app.deps.catalog.invalidateProducts([product.id]);
    const before = app.deps.catalog.stats.dbReads;
    const responses = await Promise.all(Array.from({ length: 50 }, () => get(product.id)));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(app.deps.catalog.stats.dbReads - before).toBe(1);
    expect(responses.filter((r) => cacheOf(r) === 'MISS').length).toBeGreaterThan(0);
  });

  it('a stock change from an order invalidates the product at once', async () => {
    const product = await create({ name: 'ordered kiwi', price: 2, stock: 5 });
    await get(product.id);
    expect(cacheOf(await get(product.id))).toBe('HIT');
    // What the worker does after reserving stock: the change, then invalidation.
    await app.deps.db.$transaction([
      app.deps.db.product.update({ where: { id: product.id }, data: { stock: { decrement: 2 } } }),
      app.deps.db.stockMovement.create({
        data: { productId: product.id, delta: -2, reason: 'ORDER_RESERVE' },
      }),
    ]);
    await app.deps.catalog.invalidateProducts([product.id]);
    expect((await get(product.id)).json).toMatchObject({ product: { stock: 3 } });
  });
});

describe('when Redis is unavailable', () => {
  /** An app of its own on this Redis (short command timeout), an admin, and one product. */
  async function appOnRedis(url: string, product: Parameters<typeof createProduct>[2]) {
    const own = await startTestApp({ REDIS_URL: url, REDIS_COMMAND_TIMEOUT_MS: '200' });
    const adminToken = (await signIn(own, 'ADMIN')).token;
    return { own, adminToken, id: await createProduct(own, adminToken, product) };
  }

  it('reads still answer from the database, and caching resumes when Redis returns', async () => {
    const redis = await startPrivateRedis();
    const { own, adminToken, id } = await appOnRedis(redis.url, {
      name: 'resilient lime',
      price: 4,
      stock: 2,
    });
    try {
      await vi.waitFor(
        async () => {
          expect((await http(own, 'GET', `/product/${id}`)).headers.get('x-cache')).toBe('HIT');
        },
        { timeout: 10_000, message: 'a cache hit with Redis up' },
      );

      await redis.kill();
      for (let i = 0; i < 5; i++) {
        const res = await http(own, 'GET', `/product/${id}`);
        expect(res.status).toBe(200);
        expect(res.headers.get('x-cache')).toBe('BYPASS');
        expect(res.json).toMatchObject({ product: { id, price: '4.00', stock: 2 } });
        const list = await http(own, 'GET', '/product?q=resilient');
        expect(expectStatus(list, 200).json.items.map((p) => p.id)).toEqual([id]);
      }
      // Writes work too (their invalidation fails quietly; the data is in Postgres).
      const patched = await http(own, 'PATCH', `/product/${id}`, {
        body: { stock: 8 },
        token: adminToken,
      });
      expect(patched.status).toBe(200);
      expect((await http(own, 'GET', `/product/${id}`)).json).toMatchObject({
        product: { stock: 8 },
      });

      redis.start();
      await vi.waitFor(
        async () => {
          expect((await http(own, 'GET', `/product/${id}`)).headers.get('x-cache')).toBe('HIT');
        },
        { timeout: 15_000, message: 'the cache to recover by itself' },
      );
      expect((await http(own, 'GET', `/product/${id}`)).json).toMatchObject({
        product: { stock: 8 },
      });
    } finally {
      await own.close();
      await redis.kill();
    }
  });

  it('with Redis unreachable from the start, reads are 200 and correct', async () => {
    const { own, id } = await appOnRedis('redis://127.0.0.1:1', {
      name: 'offline melon',
      price: 1.5,
      stock: 3,
    });
    try {
      const res = await http(own, 'GET', `/product/${id}`);
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ product: { price: '1.50', stock: 3 } });
      expect((await http(own, 'GET', '/product')).status).toBe(200);
    } finally {
      await own.close();
    }
  });
});

describe('stock ledger', () => {
  it('matches every product after a mixed workload; it is append-only and stock cannot go negative', async () => {
    const product = await create({ name: 'ledger grape', price: 1, stock: 10 });
    for (const stock of [4, 12, 0, 7]) {
      expect(
        (await call('PATCH', `/product/${product.id}`, { body: { stock }, token: admin })).status,
      ).toBe(200);
    }
    // Concurrent adjustments serialise on the row lock; none is lost from the ledger.
    await Promise.all(
      [3, 9, 5, 11].map((stock) =>
        call('PATCH', `/product/${product.id}`, { body: { stock }, token: admin }),
      ),
    );
    await ledgerMatchesStock();
    const movements = await app.deps.db.stockMovement.findMany({
      where: { productId: product.id },
      orderBy: { id: 'asc' },
    });
    expect(movements[0]).toMatchObject({ reason: 'INITIAL', delta: 10 });
    expect(movements.slice(1).every((m) => m.reason === 'ADMIN_ADJUST')).toBe(true);

    await expect(app.deps.db.$executeRaw`UPDATE stock_movements SET delta = 0`).rejects.toThrow(
      /append-only/,
    );
    await expect(app.deps.db.$executeRaw`DELETE FROM stock_movements`).rejects.toThrow(
      /append-only/,
    );
    await expect(
      app.deps.db.$executeRaw`UPDATE products SET stock = -1 WHERE id = ${product.id}::uuid`,
    ).rejects.toThrow(/products_stock_non_negative/);
  });
});
