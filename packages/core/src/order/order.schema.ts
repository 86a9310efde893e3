// What callers may send about orders, and what they get back.
import { z } from 'zod';
import { exact, safeString, timestamp, unlessMissing } from '../schema-helpers.ts';
import { productId } from '../product/product.schema.ts';

export const MAX_ORDER_LINES = 50;
export const MAX_LINE_QUANTITY = 1_000;

const orderStatuses = ['PENDING', 'CONFIRMED', 'REJECTED', 'CANCELLED', 'FAILED'] as const;
export const orderStatus = z.enum(orderStatuses);

export const idempotencyKey = safeString()
  .min(1, { error: 'must be 1–255 characters' })
  .max(255, { error: 'must be 1–255 characters' })
  .regex(/^[\x21-\x7E]+$/, { error: 'must be printable ASCII without spaces' });

const orderLineInput = z.strictObject({
  id: productId,
  quantity: exact(z.int().min(1).max(MAX_LINE_QUANTITY)),
});

export const createOrderInput = z.strictObject({
  items: z
    .array(orderLineInput)
    .min(1, { error: 'an order needs at least one line' })
    .max(MAX_ORDER_LINES, { error: `an order has at most ${MAX_ORDER_LINES} lines` }),
  /** tRPC callers pass it here; REST callers use the Idempotency-Key header. */
  idempotencyKey: idempotencyKey.optional(),
});

export const orderIdInput = z.strictObject({
  id: z.uuid({ error: unlessMissing('must be an order id (UUID)') }),
});

export const listOrdersInput = z.strictObject({
  cursor: z.uuid({ error: 'must be a cursor from a previous page' }).optional(),
  limit: z.coerce.number<number>().int().min(1).max(100).default(20),
  status: orderStatus.optional(),
  /** ADMIN only: one user's orders. */
  userId: z.uuid({ error: 'must be a user id (UUID)' }).optional(),
});

const orderItem = z.object({
  productId: z.uuid(),
  name: z.string(),
  quantity: z.int(),
  unitPrice: z.string(),
});

export const order = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  status: orderStatus,
  total: z.string().describe('decimal amount with two decimals'),
  reasonCode: z.string().nullable(),
  reason: z.string().nullable(),
  items: z.array(orderItem),
  createdAt: timestamp,
  updatedAt: timestamp,
  processedAt: timestamp.nullable(),
  cancelledAt: timestamp.nullable(),
});

export const orderPage = z.object({ items: z.array(order), nextCursor: z.uuid().nullable() });

export type Order = z.infer<typeof order>;
export type CreateOrderInput = z.infer<typeof createOrderInput>;
export type ListOrdersInput = z.infer<typeof listOrdersInput>;

/** Whose orders a caller may see: their own, or everyone's (decided by the caller's permissions). */
export type OrderScope = { kind: 'own'; userId: string } | { kind: 'all' };
