// Orders: placing (202, fulfilled asynchronously by the workers), reading and cancelling.
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import {
  createOrderInput,
  idempotencyKey,
  listOrdersInput,
  order,
  orderIdInput,
  orderPage,
} from '@chronicle/core';
import { orderScope } from '../auth/permissions.ts';
import { exampleOrder, exampleProduct } from '../rest/examples.ts';
import { operation } from '../rest/operation.ts';
import { watchOrder } from '../streams/order-watch.ts';
import { permissionProcedure, rateLimited, router } from '../trpc/trpc.ts';

const orderResponse = z.object({ order });

/** Owners see their own orders; another user's order does not exist for them. */
const NOT_FOUND = 'No such order (or it belongs to someone else)';

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
    .meta(
      operation({
        method: 'POST',
        path: '/order',
        tag: 'orders',
        summary: 'Place an order (fulfilled asynchronously)',
        description:
          'Answers 202 with the PENDING order; a worker then confirms or rejects it. 1–50 lines, quantity 1–1,000 per product (repeated products are merged). Send an `Idempotency-Key` header (1–255 printable ASCII characters, no spaces) to make retries safe: the same key with the same body returns the original order (with `Idempotent-Replayed: true`); with a different body, 422.',
        requestHeaders: z.object({
          'Idempotency-Key': idempotencyKey
            .optional()
            .describe('Makes retries safe; kept at least 24 hours, per user')
            .meta({ examples: ['5d1c6a8e-order-2026-12-01'] }),
        }),
        responseHeaders: z.object({
          'Idempotent-Replayed': z
            .literal('true')
            .optional()
            .describe(
              'Present when an earlier request with this Idempotency-Key created the order',
            ),
        }),
        successStatus: 202,
        errors: {
          422: 'This Idempotency-Key was already used with a different body',
          429: 'too many orders from this user',
        },
        example: {
          input: { items: [{ id: exampleProduct.id, quantity: 2 }] },
          output: { order: exampleOrder },
        },
      }),
    )
    .input(createOrderInput)
    .use(rateLimited('order'))
    .output(orderResponse)
    .mutation(async ({ ctx, input }) => {
      const key = resolveIdempotencyKey(input.idempotencyKey, ctx.idempotencyKey);
      const placed = await ctx.deps.services.orders.place(ctx.user.id, {
        ...input,
        idempotencyKey: key,
      });
      if (placed.replayed) ctx.responseHeaders['Idempotent-Replayed'] = 'true';
      return { order: placed.order };
    }),

  list: permissionProcedure('order:read:own')
    .meta(
      operation({
        method: 'GET',
        path: '/order',
        tag: 'orders',
        summary: 'Your orders, newest first (ADMIN: everyone’s, filterable by status and userId)',
        description:
          'A USER sees their own orders; an ADMIN sees everyone’s and may filter by `userId`. Pass `nextCursor` back as `cursor` for the next page (null on the last).',
        example: {
          input: { limit: 20, status: 'PENDING' },
          output: { items: [exampleOrder], nextCursor: null },
        },
      }),
    )
    .input(listOrdersInput)
    .output(orderPage)
    .query(({ ctx, input }) => ctx.deps.services.orders.list(orderScope(ctx.user, 'read'), input)),

  get: permissionProcedure('order:read:own')
    .meta(
      operation({
        method: 'GET',
        path: '/order/{id}',
        tag: 'orders',
        summary: 'One order',
        description:
          'Its status, lines with unit prices, total, and the reason if it was rejected or failed. Owner or ADMIN.',
        errors: { 404: NOT_FOUND },
        example: { input: { id: exampleOrder.id }, output: { order: exampleOrder } },
      }),
    )
    .input(orderIdInput)
    .output(orderResponse)
    .query(async ({ ctx, input }) => ({
      order: await ctx.deps.services.orders.get(orderScope(ctx.user, 'read'), input.id),
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
    .meta(
      operation({
        method: 'POST',
        path: '/order/{id}/cancel',
        tag: 'orders',
        summary: 'Cancel a PENDING or CONFIRMED order (stock is returned)',
        description:
          'Owner or ADMIN. A CONFIRMED order gives its stock back exactly once; a PENDING one is skipped by the workers. No body is needed.',
        errors: {
          404: NOT_FOUND,
          409: 'The order is REJECTED, FAILED or already CANCELLED',
        },
        example: {
          input: { id: exampleOrder.id },
          output: {
            order: {
              ...exampleOrder,
              status: 'CANCELLED',
              cancelledAt: new Date('2026-12-01T09:50:00.000Z'),
            },
          },
        },
      }),
    )
    .input(orderIdInput)
    .output(orderResponse)
    .mutation(async ({ ctx, input }) => ({
      order: await ctx.deps.services.orders.cancel(orderScope(ctx.user, 'cancel'), input.id),
    })),
});
