import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { startTestApp, type TestApp } from '@chronicle/api/testing';
import { chronicleErrorInfo, createChronicleClient, isChronicleError } from '../src/index.ts';

describe('typed client against the real API', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ ALLOW_ADMIN_SIGNUP: 'true' });
  });
  afterAll(async () => {
    await app.close();
  });

  it('calls a procedure end to end with inferred types', async () => {
    const client = createChronicleClient({ url: app.url });
    const result = await client.health.live.query();
    expectTypeOf(result).toEqualTypeOf<{ status: 'ok' }>();
    expect(result).toEqual({ status: 'ok' });
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
    const admin = createChronicleClient({ url: app.url });
    await admin.auth.register.mutate({
      email: 'c-admin@example.com',
      password: 'correct horse battery',
      role: 'ADMIN',
    });
    await admin.login({ email: 'c-admin@example.com', password: 'correct horse battery' });
    const { product } = await admin.product.create.mutate({
      name: 'client pear',
      price: '1.25',
      stock: 0,
    });

    const shopper = createChronicleClient({ url: app.url });
    await shopper.auth.register.mutate({
      email: 'c-shop@example.com',
      password: 'correct horse battery',
    });
    const session = await shopper.login({
      email: 'c-shop@example.com',
      password: 'correct horse battery',
    });
    expect((await shopper.auth.me.query()).user.id).toBe(session.user.id);

    const { order } = await shopper.order.create.mutate({
      items: [{ id: product.id, quantity: 1 }],
    });
    // No worker runs in this test: the shopper cancels, which is a final status too.
    const waiting = shopper.waitForOrder(order.id, { timeoutMs: 10_000, intervalMs: 50 });
    await shopper.order.cancel.mutate({ id: order.id });
    expect((await waiting).status).toBe('CANCELLED');

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
});
