// Procedures called in-process through createCaller with an inner context (no HTTP), against
// this file's own PostgreSQL database and Redis prefix, as tRPC's next-prisma-starter tests them.
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  createTestRedis,
  type TestDatabase,
  type TestRedis,
} from '@chronicle/testing';
import { createCaller, createInnerContext } from '@chronicle/api';
import { openTestApiDeps, testEnvFor } from '@chronicle/testing';

type Caller = ReturnType<typeof createCaller>;

const PASSWORD = 'correct horse battery';
const MISSING_ID = '00000000-0000-4000-8000-000000000000';

let database: TestDatabase;
let redis: TestRedis;
let deps: Awaited<ReturnType<typeof openTestApiDeps>>;

/** The tRPC error code a call fails with; anything else (success, another error) fails the test. */
async function codeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TRPCError) return error.code;
    throw error;
  }
  throw new Error('expected the call to fail');
}

function callerFor(token?: string): Caller {
  return createCaller(
    createInnerContext(deps, token === undefined ? {} : { authorization: `Bearer ${token}` }),
  );
}

interface SignedUp {
  id: string;
  token: string;
  caller: Caller;
}

/** Registers and logs in through the procedures themselves, returning a caller for the user. */
async function signUp(email: string, role?: 'ADMIN'): Promise<SignedUp> {
  const anonymous = callerFor();
  const { user } = await anonymous.auth.register(
    role === undefined ? { email, password: PASSWORD } : { email, password: PASSWORD, role },
  );
  const { token } = await anonymous.auth.login({ email, password: PASSWORD });
  return { id: user.id, token, caller: callerFor(token) };
}

let admin: SignedUp;
let alice: SignedUp;
let bob: SignedUp;

beforeAll(async () => {
  database = await createTestDatabase();
  redis = createTestRedis();
  // Admin sign-up is on so this file can make its first admin through auth.register.
  deps = await openTestApiDeps(testEnvFor(database, redis, { ALLOW_ADMIN_SIGNUP: 'true' }));
  admin = await signUp('admin@example.com', 'ADMIN');
  alice = await signUp('alice@example.com');
  bob = await signUp('bob@example.com');
});

afterAll(async () => {
  await deps.close();
  await Promise.all([database.drop(), redis.cleanup()]);
});

describe('auth', () => {
  it('register → login → me returns the same user, with a normalised email', async () => {
    const anonymous = callerFor();
    const { user } = await anonymous.auth.register({
      email: '  Carol@Example.COM ',
      password: PASSWORD,
    });
    expect(user).toMatchObject({ email: 'carol@example.com', role: 'USER' });
    const session = await anonymous.auth.login({ email: 'carol@example.com', password: PASSWORD });
    expect(session.token.split('.')).toHaveLength(3);
    expect((await callerFor(session.token).auth.me()).user).toEqual(user);
  });

  it('answers UNAUTHORIZED without a token, with a bad token and for a wrong password', async () => {
    expect(await codeOf(callerFor().auth.me())).toBe('UNAUTHORIZED');
    expect(await codeOf(callerFor('a.b.c').auth.me())).toBe('UNAUTHORIZED');
    expect(
      await codeOf(callerFor().auth.login({ email: 'alice@example.com', password: 'wrong pass' })),
    ).toBe('UNAUTHORIZED');
  });

  it('answers CONFLICT for a taken email and BAD_REQUEST for invalid input', async () => {
    expect(
      await codeOf(callerFor().auth.register({ email: 'ALICE@example.com', password: PASSWORD })),
    ).toBe('CONFLICT');
    expect(await codeOf(callerFor().auth.register({ email: 'x', password: 'short' }))).toBe(
      'BAD_REQUEST',
    );
  });
});

describe('product', () => {
  const lamp = { name: 'Desk lamp', price: '19.90', stock: 5 };

  it('lets an ADMIN create a product anyone can get and list', async () => {
    const { product } = await admin.caller.product.create(lamp);
    expect(product).toMatchObject({ ...lamp, description: null });
    expect((await callerFor().product.get({ id: product.id })).product).toEqual(product);
    const page = await alice.caller.product.list({ q: 'desk lamp' });
    expect(page.items.map((item) => item.id)).toContain(product.id);
  });

  it('answers FORBIDDEN to a USER and UNAUTHORIZED to nobody', async () => {
    expect(await codeOf(alice.caller.product.create(lamp))).toBe('FORBIDDEN');
    expect(await codeOf(callerFor().product.create(lamp))).toBe('UNAUTHORIZED');
  });

  it('answers NOT_FOUND for an unknown product', async () => {
    expect(await codeOf(callerFor().product.get({ id: MISSING_ID }))).toBe('NOT_FOUND');
  });
});

describe('order', () => {
  it('order.create → order.get by its owner and by an ADMIN', async () => {
    const { product } = await admin.caller.product.create({
      name: 'Notebook',
      price: '2.50',
      stock: 10,
    });
    const { order } = await alice.caller.order.create({
      items: [
        { id: product.id, quantity: 1 },
        { id: product.id, quantity: 2 },
      ],
    });
    expect(order).toMatchObject({
      userId: alice.id,
      status: 'PENDING',
      total: '7.50',
      items: [{ productId: product.id, quantity: 3, unitPrice: '2.50' }],
    });
    expect((await alice.caller.order.get({ id: order.id })).order).toEqual(order);
    expect((await admin.caller.order.get({ id: order.id })).order.id).toBe(order.id);
  });

  it("answers NOT_FOUND for another user's order, as for one that does not exist", async () => {
    const { product } = await admin.caller.product.create({ name: 'Pen', price: 1, stock: 3 });
    const { order } = await alice.caller.order.create({ items: [{ id: product.id, quantity: 1 }] });
    expect(await codeOf(bob.caller.order.get({ id: order.id }))).toBe('NOT_FOUND');
    expect(await codeOf(bob.caller.order.get({ id: MISSING_ID }))).toBe('NOT_FOUND');
  });

  it('replays an idempotent retry and says so in the response headers', async () => {
    const { product } = await admin.caller.product.create({ name: 'Ink', price: 3, stock: 3 });
    const input = { items: [{ id: product.id, quantity: 1 }], idempotencyKey: 'ink-once' };
    // Each call gets a context of its own, as each HTTP request would.
    const firstContext = createInnerContext(deps, { authorization: `Bearer ${alice.token}` });
    const first = await createCaller(firstContext).order.create(input);
    const retryContext = createInnerContext(deps, { authorization: `Bearer ${alice.token}` });
    const retry = await createCaller(retryContext).order.create(input);
    expect(retry.order).toEqual(first.order);
    expect(firstContext.responseHeaders['Idempotent-Replayed']).toBeUndefined();
    expect(retryContext.responseHeaders['Idempotent-Replayed']).toBe('true');
    // The same key with another body is not a retry.
    expect(
      await codeOf(
        alice.caller.order.create({ ...input, items: [{ id: product.id, quantity: 2 }] }),
      ),
    ).toBe('UNPROCESSABLE_CONTENT');
  });
});

describe('user.setRole', () => {
  it('is FORBIDDEN to a USER', async () => {
    expect(await codeOf(alice.caller.user.setRole({ id: alice.id, role: 'ADMIN' }))).toBe(
      'FORBIDDEN',
    );
  });

  it('refuses to demote the last admin with CONFLICT, and allows it once there is another', async () => {
    expect(await codeOf(admin.caller.user.setRole({ id: admin.id, role: 'USER' }))).toBe(
      'CONFLICT',
    );
    const promoted = await admin.caller.user.setRole({ id: bob.id, role: 'ADMIN' });
    expect(promoted.user.role).toBe('ADMIN');
    const demoted = await admin.caller.user.setRole({ id: admin.id, role: 'USER' });
    expect(demoted.user.role).toBe('USER');
  });

  it('answers NOT_FOUND for an unknown user', async () => {
    expect(await codeOf(bob.caller.user.setRole({ id: MISSING_ID, role: 'USER' }))).toBe(
      'NOT_FOUND',
    );
  });
});
