// order.watch at its edges: errors map like any procedure's, a stream loses access the moment
// its caller does, and concurrent streams are capped per user and per IP.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createProduct,
  http,
  openShop,
  signIn,
  useTestApp,
  type TestApp,
} from '@chronicle/testing';
import { chronicleErrorInfo, createChronicleClient, type Order } from '@chronicle/client';
import { orderOf, placeOrder, type OrderBody } from './support/orders.ts';

/** One open order.watch subscription: what it received and how it ended. */
interface Stream {
  updates: Order['status'][];
  /** Settles when the stream ends: the error code, or 'complete'. */
  ended: Promise<string>;
  close(): void;
}

function watch(app: TestApp, token: string, orderId: string): Stream {
  const client = createChronicleClient({ url: app.url, token });
  const updates: Order['status'][] = [];
  let close: () => void = () => undefined;
  const ended = new Promise<string>((resolve) => {
    const subscription = client.order.watch.subscribe(
      { id: orderId },
      {
        onData(order) {
          updates.push(order.status);
        },
        onError(error: unknown) {
          resolve(chronicleErrorInfo(error)?.code ?? `not an API error: ${String(error)}`);
          subscription.unsubscribe();
        },
        onComplete() {
          resolve('complete');
        },
      },
    );
    close = () => {
      subscription.unsubscribe();
    };
  });
  return { updates, ended, close };
}

async function pendingOrder(app: TestApp, token: string, productId: string): Promise<OrderBody> {
  const res = await placeOrder(app, token, [{ id: productId, quantity: 1 }]);
  expect(res.status, res.text).toBe(202);
  return orderOf(res);
}

describe('order.watch errors and revocation', () => {
  const app = useTestApp();
  let owner: { token: string; id: string };
  let product: string;
  beforeAll(async () => {
    ({ shopper: owner, product } = await openShop(app, { name: 'watched', price: 1, stock: 100 }));
  });

  it('answers NOT_FOUND for an unknown order and for another user’s order, without an error log', async () => {
    const errors = vi.spyOn(app.deps.logger, 'error');
    const order = await pendingOrder(app, owner.token, product);
    const stranger = await signIn(app);
    const unknown = watch(app, owner.token, '01900000-0000-7000-8000-000000000000');
    const notYours = watch(app, stranger.token, order.id);
    expect(await unknown.ended).toBe('NOT_FOUND');
    expect(await notYours.ended).toBe('NOT_FOUND');
    expect(unknown.updates).toEqual([]);
    expect(notYours.updates).toEqual([]);
    expect(errors).not.toHaveBeenCalled();
    errors.mockRestore();
  });

  it.each([
    {
      watcher: 'a demoted admin',
      revoke: async (id: string) => {
        await app.deps.db.user.update({ where: { id }, data: { role: 'USER' } });
      },
      ended: 'NOT_FOUND',
    },
    {
      watcher: 'a deleted user',
      revoke: async (id: string) => {
        await app.deps.db.user.delete({ where: { id } });
      },
      ended: 'UNAUTHORIZED',
    },
  ])(
    'ends the stream of $watcher (another user’s order) at the next change with $ended',
    async ({ revoke, ended }) => {
      const watcher = await signIn(app, 'ADMIN');
      const order = await pendingOrder(app, owner.token, product);
      const stream = watch(app, watcher.token, order.id);
      await vi.waitFor(() => {
        expect(stream.updates).toEqual(['PENDING']);
      });
      await revoke(watcher.id);
      const cancelled = await http(app, 'POST', `/order/${order.id}/cancel`, {
        token: owner.token,
      });
      expect(cancelled.status, cancelled.text).toBe(200);
      expect(await stream.ended).toBe(ended);
      expect(stream.updates).toEqual(['PENDING']);
    },
  );
});

describe('order.watch caps', () => {
  const app = useTestApp({ STREAMS_PER_USER_MAX: '2', STREAMS_PER_IP_MAX: '3' });
  let admin: { token: string; id: string };
  let product: string;
  beforeAll(async () => {
    admin = await signIn(app, 'ADMIN');
    product = await createProduct(app, admin.token, { name: 'capped', price: 1, stock: 100 });
  });

  const opened = async (stream: Stream) => {
    await vi.waitFor(() => {
      expect(stream.updates).toEqual(['PENDING']);
    });
    return stream;
  };

  it('refuses a user’s stream beyond the cap with TOO_MANY_REQUESTS, and frees slots as streams end', async () => {
    const user = await signIn(app);
    // Streams that ended with an error hold no slot.
    const failed = await Promise.all(
      [1, 2, 3].map(() => watch(app, user.token, '01900000-0000-7000-8000-000000000000').ended),
    );
    expect(failed).toEqual(['NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND']);

    const orders = await Promise.all([1, 2, 3].map(() => pendingOrder(app, user.token, product)));
    const [a, b, c] = orders.map((o) => o.id);
    if (!a || !b || !c) throw new Error('three orders expected');
    // Opened concurrently: the count is atomic, so exactly one of the three is refused.
    const streams = [
      watch(app, user.token, a),
      watch(app, user.token, b),
      watch(app, user.token, c),
    ];
    await vi.waitFor(() => {
      expect(streams.map((s) => s.updates.length).sort()).toEqual([0, 1, 1]);
    });
    const refused = streams.find((s) => s.updates.length === 0);
    if (!refused) throw new Error('one refused stream expected');
    expect(await refused.ended).toBe('TOO_MANY_REQUESTS');
    const [first, second] = streams.filter((s) => s !== refused);
    if (!first || !second) throw new Error('two open streams expected');

    // A client that goes away gives its slot back.
    first.close();
    const again = await vi.waitFor(async () => {
      const attempt = watch(app, user.token, a);
      const outcome = await Promise.race([
        attempt.ended,
        vi
          .waitFor(() => {
            expect(attempt.updates).toEqual(['PENDING']);
          })
          .then(() => 'open'),
      ]);
      if (outcome !== 'open') throw new Error(`still refused: ${outcome}`);
      return attempt;
    }, 10_000);

    // A stream that reaches a final status gives its slot back too.
    const secondId = [a, b, c][streams.indexOf(second)];
    const cancelled = await http(app, 'POST', `/order/${String(secondId)}/cancel`, {
      token: user.token,
    });
    expect(cancelled.status, cancelled.text).toBe(200);
    expect(await second.ended).toBe('complete');
    const refusedId = [a, b, c][streams.indexOf(refused)];
    const third = await opened(watch(app, user.token, String(refusedId)));
    again.close();
    third.close();
  });

  it('waitForOrder falls back to polling when refused a stream', async () => {
    const user = await signIn(app);
    const [a, b, c] = await Promise.all(
      [1, 2, 3].map(() => pendingOrder(app, user.token, product)),
    );
    if (!a || !b || !c) throw new Error('three orders expected');
    const held = [
      await opened(watch(app, user.token, a.id)),
      await opened(watch(app, user.token, b.id)),
    ];
    const updates: Order['status'][] = [];
    const waiting = createChronicleClient({ url: app.url, token: user.token }).waitForOrder(c.id, {
      intervalMs: 100,
      timeoutMs: 20_000,
      onUpdate: (o) => updates.push(o.status),
    });
    await vi.waitFor(() => {
      expect(updates).toEqual(['PENDING']);
    }, 10_000);
    const cancelled = await http(app, 'POST', `/order/${c.id}/cancel`, { token: user.token });
    expect(cancelled.status, cancelled.text).toBe(200);
    expect((await waiting).status).toBe('CANCELLED');
    for (const s of held) s.close();
  });

  it('caps streams per IP across users', async () => {
    const [one, two] = await Promise.all([signIn(app), signIn(app)]);
    const orders = await Promise.all(
      [one, one, two, two].map((u) => pendingOrder(app, u.token, product)),
    );
    const ids = orders.map((o) => o.id);
    // Whatever the previous test left open is closed; wait until its slots are free.
    const streams = await vi.waitFor(async () => {
      const attempt = [
        watch(app, one.token, String(ids[0])),
        watch(app, one.token, String(ids[1])),
        watch(app, two.token, String(ids[2])),
      ];
      try {
        return await Promise.all(
          attempt.map((s) =>
            Promise.race([
              opened(s),
              s.ended.then((code) => {
                throw new Error(code);
              }),
            ]),
          ),
        );
      } catch (error) {
        for (const s of attempt) s.close();
        throw error;
      }
    }, 10_000);
    // Three streams from this IP: the fourth, from a user under their own cap, is refused.
    const fourth = watch(app, two.token, String(ids[3]));
    expect(await fourth.ended).toBe('TOO_MANY_REQUESTS');
    for (const s of streams) s.close();
  });
});
