import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { useTestApp } from '@chronicle/testing';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter as ServerRouter } from '@chronicle/api';
import type { FinalOrderStatus as ServerFinalOrderStatus } from '@chronicle/core';
import {
  chronicleErrorInfo,
  createChronicleClient,
  isChronicleError,
  type AppRouter,
  type Order,
} from '../src/index.ts';
import type { FinalOrderStatus } from '../src/router.generated.ts';

const password = 'correct horse battery';

/** A client registered as `email` (as an admin with role ADMIN) and logged in, with its session. */
async function signedInClient(
  url: string,
  email: string,
  options: { role?: 'ADMIN'; fetch?: typeof globalThis.fetch } = {},
) {
  const client = createChronicleClient({ url, ...(options.fetch ? { fetch: options.fetch } : {}) });
  await client.auth.register.mutate({
    email,
    password,
    ...(options.role ? { role: options.role } : {}),
  });
  const session = await client.login({ email, password });
  return { client, session };
}

describe('typed client against the real API', () => {
  const app = useTestApp({ ALLOW_ADMIN_SIGNUP: 'true' });

  it('calls a procedure end to end with inferred types', async () => {
    const client = createChronicleClient({ url: app.url });
    const result = await client.health.live.query();
    expectTypeOf(result).toEqualTypeOf<{ status: 'ok' }>();
    expect(result).toEqual({ status: 'ok' });
  });

  it('has its generated router types up to date', () => {
    const check = spawnSync(
      process.execPath,
      [fileURLToPath(new URL('../scripts/generate-router-types.ts', import.meta.url)), '--check'],
      { encoding: 'utf8' },
    );
    expect(check.stderr + check.stdout).toContain('router types are up to date');
    expect(check.status).toBe(0);
  });

  it('publishes router types identical to the server router (regenerate if this fails)', () => {
    expectTypeOf<inferRouterInputs<AppRouter>>().toEqualTypeOf<inferRouterInputs<ServerRouter>>();
    expectTypeOf<inferRouterOutputs<AppRouter>>().toEqualTypeOf<inferRouterOutputs<ServerRouter>>();
    type ErrorShapeOf<R extends { _def: { _config: { $types: { errorShape: unknown } } } }> =
      R['_def']['_config']['$types']['errorShape'];
    expectTypeOf<ErrorShapeOf<AppRouter>>().toEqualTypeOf<ErrorShapeOf<ServerRouter>>();
    expectTypeOf<FinalOrderStatus>().toEqualTypeOf<ServerFinalOrderStatus>();
  });

  it('pins the inferred types of the main procedures', () => {
    type Client = ReturnType<typeof createChronicleClient>;
    type CreateProduct = Parameters<Client['product']['create']['mutate']>[0];
    expectTypeOf<CreateProduct['stock']>().toEqualTypeOf<number>();
    expectTypeOf<CreateProduct['price']>().toEqualTypeOf<string | number>();
    expectTypeOf<CreateProduct['name']>().toEqualTypeOf<string>();
    type Product = Awaited<ReturnType<Client['product']['get']['query']>>['product'];
    expectTypeOf<Product['price']>().toEqualTypeOf<string>();
    expectTypeOf<Product['createdAt']>().toEqualTypeOf<Date>();
    type Order = Awaited<ReturnType<Client['order']['create']['mutate']>>['order'];
    expectTypeOf<Order['status']>().toEqualTypeOf<
      'PENDING' | 'CONFIRMED' | 'REJECTED' | 'CANCELLED' | 'FAILED'
    >();
    type CreateOrder = Parameters<Client['order']['create']['mutate']>[0];
    expectTypeOf<CreateOrder['items'][number]>().toEqualTypeOf<{ id: string; quantity: number }>();
    expectTypeOf<CreateOrder['idempotencyKey']>().toEqualTypeOf<string | undefined>();
  });

  it('login() keeps the token; waitForOrder() resolves at a final status; errors are typed', async () => {
    const { client: admin } = await signedInClient(app.url, 'c-admin@example.com', {
      role: 'ADMIN',
    });
    const { product } = await admin.product.create.mutate({
      name: 'client pear',
      price: '1.25',
      stock: 0,
    });

    const { client: shopper, session } = await signedInClient(app.url, 'c-shop@example.com');
    expect((await shopper.auth.me.query()).user.id).toBe(session.user.id);

    const { order } = await shopper.order.create.mutate({
      items: [{ id: product.id, quantity: 1 }],
    });
    // No worker runs in this test: the shopper cancels, which is a final status too.
    const seen: Order['status'][] = [];
    const waiting = shopper.waitForOrder(order.id, {
      timeoutMs: 10_000,
      onUpdate: (update) => seen.push(update.status),
    });
    await vi.waitFor(() => {
      expect(seen).toEqual(['PENDING']);
    });
    await shopper.order.cancel.mutate({ id: order.id });
    expect((await waiting).status).toBe('CANCELLED');
    expect(seen).toEqual(['PENDING', 'CANCELLED']);

    const error = await shopper.product.create
      .mutate({ name: 'nope', price: 1, stock: 1 })
      .catch((e: unknown) => e);
    expect(isChronicleError(error)).toBe(true);
    expect(chronicleErrorInfo(error)).toMatchObject({ code: 'FORBIDDEN', httpStatus: 403 });
    const invalid = await admin.product.create
      .mutate({ name: '', price: -1, stock: 1 })
      .catch((e: unknown) => e);
    expect(chronicleErrorInfo(invalid)?.issues?.length).toBeGreaterThan(0);
    expect(chronicleErrorInfo(new Error('network'))).toBeUndefined();

    shopper.logout();
    await expect(shopper.auth.me.query()).rejects.toSatisfy(
      (e: unknown) => chronicleErrorInfo(e)?.httpStatus === 401,
    );
  });

  describe('live order status (order.watch over SSE)', () => {
    async function shopperWithOrder(email: string, fetch?: typeof globalThis.fetch) {
      const { client } = await signedInClient(app.url, email, fetch ? { fetch } : {});
      const { order } = await client.order.create.mutate({
        items: [{ id: product.id, quantity: 1 }],
      });
      return { client, order };
    }
    let product: { id: string };
    beforeAll(async () => {
      const { client: admin } = await signedInClient(app.url, 'live-admin@example.com', {
        role: 'ADMIN',
      });
      ({ product } = await admin.product.create.mutate({ name: 'live pear', price: 1, stock: 5 }));
    });

    function recordingFetch(fail?: (url: string) => boolean) {
      const urls: string[] = [];
      const fetch: typeof globalThis.fetch = (input, init) => {
        const url = input instanceof Request ? input.url : String(input);
        urls.push(new URL(url).pathname);
        if (fail?.(url)) return Promise.reject(new TypeError('fetch failed (test)'));
        return globalThis.fetch(input, init);
      };
      return { urls, fetch };
    }

    it('waitForOrder follows the stream: no polling while it works', async () => {
      const recorder = recordingFetch();
      const { client, order } = await shopperWithOrder('live-1@example.com', recorder.fetch);
      const waiting = client.waitForOrder(order.id, { timeoutMs: 10_000 });
      await vi.waitFor(() => {
        expect(recorder.urls).toContain('/trpc/order.watch');
      });
      await client.order.cancel.mutate({ id: order.id });
      expect((await waiting).status).toBe('CANCELLED');
      expect(recorder.urls.filter((url) => url.includes('order.get'))).toEqual([]);
    });

    it('falls back to polling when streaming is unavailable', async () => {
      const recorder = recordingFetch((url) => url.includes('order.watch'));
      const { client, order } = await shopperWithOrder('live-2@example.com', recorder.fetch);
      const waiting = client.waitForOrder(order.id, { timeoutMs: 10_000, intervalMs: 50 });
      await vi.waitFor(() => {
        expect(recorder.urls.filter((url) => url.includes('order.get')).length).toBeGreaterThan(0);
      });
      await client.order.cancel.mutate({ id: order.id });
      expect((await waiting).status).toBe('CANCELLED');
      expect(recorder.urls).toContain('/trpc/order.watch');
    });

    it('authorizes like order.get: someone else’s order is NOT_FOUND, no token is 401', async () => {
      const { order } = await shopperWithOrder('live-3@example.com');
      const { client: stranger } = await shopperWithOrder('live-4@example.com');
      const foreign = await stranger
        .waitForOrder(order.id, { timeoutMs: 5_000 })
        .catch((e: unknown) => e);
      expect(chronicleErrorInfo(foreign)).toMatchObject({ code: 'NOT_FOUND', httpStatus: 404 });

      const anonymous = createChronicleClient({ url: app.url });
      const denied = await anonymous
        .waitForOrder(order.id, { timeoutMs: 5_000 })
        .catch((e: unknown) => e);
      expect(chronicleErrorInfo(denied)).toMatchObject({ code: 'UNAUTHORIZED', httpStatus: 401 });
    });

    it('times out with a clear error while the order stays PENDING', async () => {
      const { client, order } = await shopperWithOrder('live-5@example.com');
      const error = await client
        .waitForOrder(order.id, { timeoutMs: 300 })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/did not reach a final status within 300 ms/);
    });
  });
});

// Moved here from the API's rate-limit tests: the API asserts the 429 itself, this asserts that
// the client's error helper hands an app what it needs to back off.
describe('chronicleErrorInfo on a rate-limited call', () => {
  const app = useTestApp({ ALLOW_ADMIN_SIGNUP: 'true', RATE_LIMIT_ORDER_POINTS: '1' });

  it('exposes TOO_MANY_REQUESTS, 429 and retryAfter', async () => {
    const { client: admin } = await signedInClient(app.url, 'rl-admin@example.com', {
      role: 'ADMIN',
    });
    const { product } = await admin.product.create.mutate({ name: 'rl', price: 1, stock: 10 });

    const { client: shopper } = await signedInClient(app.url, 'rl-shop@example.com');
    const items = [{ id: product.id, quantity: 1 }];
    await shopper.order.create.mutate({ items });
    const limited = await shopper.order.create.mutate({ items }).catch((e: unknown) => e);
    const info = chronicleErrorInfo(limited);
    expect(info).toMatchObject({ code: 'TOO_MANY_REQUESTS', httpStatus: 429 });
    expect(info?.retryAfter).toBeGreaterThan(0);
  });
});
