// Orders: placing (202, fulfilled asynchronously by the workers), reading and cancelling.
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import {
  cancelOrder,
  createOrderInput,
  getOrder,
  idempotencyKey,
  listOrders,
  listOrdersInput,
  order,
  orderIdInput,
  orderPage,
  placeOrder,
} from '@chronicle/core';
import { orderScope } from '../auth/permissions.ts';
import { watchOrder } from '../streams/order-watch.ts';
import { permissionProcedure, rateLimited, router } from '../trpc/trpc.ts';

const orderResponse = z.object({ order });

/** The key from the input (tRPC) or the Idempotency-Key header (REST); both must agree. */
function resolveIdempotencyKey(fromInput: string | undefined, fromHeader: string | undefined) {
  if (fromHeader === undefined) return fromInput;
  const parsed = idempotencyKey.safeParse(fromHeader);
  if (!parsed.success) {
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message: 'Invalid Idempotency-Key header',
      cause: parsed.error,
    });
  }
  if (fromInput !== undefined && fromInput !== parsed.data) {
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message: 'Idempotency-Key header and idempotencyKey differ',
    });
  }
  return parsed.data;
}

export const orderRouter = router({
  create: permissionProcedure('order:create')
    .meta({
      openapi: {
        method: 'POST',
        path: '/order',
        tags: ['orders'],
        summary: 'Place an order (fulfilled asynchronously)',
        description:
          'Answers 202 with the PENDING order. Send an `Idempotency-Key` header (1–255 printable characters) to make retries safe: the same key with the same body returns the original order; with a different body, 422.',
        protect: true,
      },
      successStatus: 202,
    })
    .input(createOrderInput)
    .use(rateLimited('order'))
    .output(orderResponse)
    .mutation(async ({ ctx, input }) => {
      const key = resolveIdempotencyKey(input.idempotencyKey, ctx.idempotencyKey);
      const placed = await placeOrder(ctx.deps.db, ctx.deps.queue, ctx.user.id, {
        ...input,
        idempotencyKey: key,
      });
      if (placed.replayed) ctx.responseHeaders['Idempotent-Replayed'] = 'true';
      else ctx.deps.metrics.ordersAccepted.inc();
      return { order: placed.order };
    }),

  list: permissionProcedure('order:read:own')
    .meta({
      openapi: {
        method: 'GET',
        path: '/order',
        tags: ['orders'],
        summary: 'Your orders, newest first (ADMIN: everyone’s, filterable by status and userId)',
        protect: true,
      },
    })
    .input(listOrdersInput)
    .output(orderPage)
    .query(({ ctx, input }) => listOrders(ctx.deps.db, orderScope(ctx.user, 'read'), input)),

  get: permissionProcedure('order:read:own')
    .meta({
      openapi: {
        method: 'GET',
        path: '/order/{id}',
        tags: ['orders'],
        summary: 'One order',
        protect: true,
      },
    })
    .input(orderIdInput)
    .output(orderResponse)
    .query(async ({ ctx, input }) => ({
      order: await getOrder(ctx.deps.db, orderScope(ctx.user, 'read'), input.id),
    })),

  /**
   * Live status of one order over server-sent events (tRPC `httpSubscriptionLink`): yields the
   * order now, then each time its status changes, and ends after a final status. Authorization
   * is the same as `get` (the owner, or an ADMIN), checked again on every event.
   */
  watch: permissionProcedure('order:read:own')
    .input(orderIdInput)
    .subscription(({ ctx, input, signal }) => watchOrder(ctx, input.id, signal)),

  cancel: permissionProcedure('order:cancel:own')
    .meta({
      openapi: {
        method: 'POST',
        path: '/order/{id}/cancel',
        tags: ['orders'],
        summary: 'Cancel a PENDING or CONFIRMED order (stock is returned)',
        protect: true,
      },
    })
    .input(orderIdInput)
    .output(orderResponse)
    .mutation(async ({ ctx, input }) => {
      const { order: cancelled, restocked } = await cancelOrder(
        ctx.deps.db,
        orderScope(ctx.user, 'cancel'),
        input.id,
      );
      await ctx.deps.catalog.invalidateProducts(restocked);
      ctx.deps.metrics.ordersFinished.inc({ status: 'CANCELLED' });
      return { order: cancelled };
    }),
});
