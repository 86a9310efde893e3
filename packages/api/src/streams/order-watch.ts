// The live status of one order (order.watch): the order now, then each status change, until a
// final status. Who may see the order is decided again on every event, and each stream holds
// one of its user's and its IP's stream slots while it is open.
import { TRPCError } from '@trpc/server';
import { finalOrderStatuses, orderChanges, type Order, type PublicUser } from '@chronicle/core';
import { can, orderScope } from '../auth/permissions.ts';
import type { Context } from '../trpc/context.ts';
import type { StreamLease } from './stream-slots.ts';
import { currentUser } from '../trpc/trpc.ts';

const FINAL_STATUSES: ReadonlySet<Order['status']> = new Set(finalOrderStatuses);

export async function* watchOrder(
  ctx: Context & { user: PublicUser },
  orderId: string,
  signal: AbortSignal | undefined,
): AsyncGenerator<Order, void> {
  let lease: StreamLease | undefined;
  try {
    let last: Order['status'] | undefined;
    for await (const _ of orderChanges(ctx.deps.orderEvents, orderId, signal)) {
      // Revocation bound zero, for streams too: a deleted user or an expired token ends the
      // stream with UNAUTHORIZED; a user who can no longer see this order (a demoted admin)
      // gets NOT_FOUND, exactly what order.get would now answer them.
      const user = await currentUser(ctx);
      if (!can(user.role, 'order:read:own')) {
        throw new TRPCError({ code: 'FORBIDDEN', message: 'You are not allowed to do this' });
      }
      const current = await ctx.deps.services.orders.get(orderScope(user, 'read'), orderId);
      // The slot is taken once the caller may see the order (a refused stream holds none),
      // inside this try, whose finally runs however the stream ends: final status, client
      // gone, maxDurationMs, shutdown or an error.
      lease ??= await takeSlot(ctx);
      if (current.status === last) continue;
      last = current.status;
      yield current;
      if (FINAL_STATUSES.has(current.status)) return;
    }
  } finally {
    await lease?.release();
  }
}

async function takeSlot(ctx: Context & { user: PublicUser }): Promise<StreamLease> {
  const slot = await ctx.deps.streams.acquire({ userId: ctx.user.id, ip: ctx.ip });
  if (slot.ok) return slot.lease;
  const holder = slot.limit === 'user' ? 'user' : 'address';
  throw new TRPCError({
    code: 'TOO_MANY_REQUESTS',
    message: `Too many open order streams for this ${holder} (at most ${String(slot.max)})`,
  });
}
