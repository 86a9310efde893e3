// What callers may send about products, and what they get back.
import { z } from 'zod';
import {
  booleanParam,
  displayText,
  exact,
  nameText,
  safeString,
  timestamp,
  unlessMissing,
} from '../schema-helpers.ts';
import { priceInput } from './money.ts';

const MAX_STOCK = 1_000_000_000;
export const MAX_NAME_LENGTH = 200;

const stockInput = exact(z.int().min(0).max(MAX_STOCK));

export const productId = z.uuid({ error: unlessMissing('must be a product id (UUID)') });

export const createProductInput = z.strictObject({
  name: nameText(MAX_NAME_LENGTH),
  price: priceInput,
  stock: stockInput,
  description: displayText(2000).optional(),
});

export const updateProductInput = z
  .strictObject({
    id: productId,
    name: nameText(MAX_NAME_LENGTH).optional(),
    price: priceInput.optional(),
    stock: stockInput.optional(),
    /** null clears it. */
    description: displayText(2000).nullable().optional(),
  })
  .refine(
    (input) =>
      input.name !== undefined ||
      input.price !== undefined ||
      input.stock !== undefined ||
      input.description !== undefined,
    { error: 'nothing to update: send at least one of name, price, stock, description' },
  );

export const productIdInput = z.strictObject({ id: productId });

const productSorts = ['newest', 'price_asc', 'price_desc', 'name'] as const;
const productSort = z.enum(productSorts);

// Keyset pagination: a cursor holds the sort key and id of the last row of a page, as base64url
// JSON `[sort, value, id]`. It comes back from clients, so it is validated like any other input:
// the value must be what that sort's column can hold, or the query itself would fail.
const cursorParts = z.union([
  z.tuple([z.literal('newest'), z.literal(''), z.uuid()]),
  z.tuple([
    z.enum(['price_asc', 'price_desc']),
    // A NUMERIC(12,2) price as the API prints it (toFixed(2)): 10 digits, 2 decimals, ≥ 0.
    z.string().regex(/^\d{1,10}\.\d{2}$/),
    z.uuid(),
  ]),
  z.tuple([z.literal('name'), safeString().max(MAX_NAME_LENGTH), z.uuid()]),
]);

export type ProductCursor = z.infer<typeof cursorParts>;

const INVALID_CURSOR = 'must be a cursor from a previous page with the same sort';

export function encodeProductCursor(cursor: ProductCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

/** The cursor text a client sends, decoded and checked; anything else is one validation issue. */
const productCursor = z
  .string()
  .max(512)
  .transform((text, ctx): ProductCursor => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    } catch {
      parsed = undefined;
    }
    const cursor = cursorParts.safeParse(parsed);
    if (!cursor.success) {
      ctx.addIssue({ code: 'custom', message: INVALID_CURSOR });
      return z.NEVER;
    }
    return cursor.data;
  });

export const listProductsInput = z
  .strictObject({
    cursor: productCursor.optional(),
    limit: z.coerce.number<number>().int().min(1).max(100).default(20),
    q: safeString().trim().max(100).optional(),
    inStock: booleanParam.optional(),
    sort: productSort.default('newest'),
  })
  .refine((input) => input.cursor === undefined || input.cursor[0] === input.sort, {
    error: INVALID_CURSOR,
    path: ['cursor'],
  });

export const product = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string().nullable(),
  price: z.string().describe('decimal amount with two decimals, e.g. "19.99"'),
  stock: z.int(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const productPage = z.object({
  items: z.array(product),
  nextCursor: z.string().nullable(),
});

export type Product = z.infer<typeof product>;
export type ProductPage = z.infer<typeof productPage>;
export type CreateProductInput = z.infer<typeof createProductInput>;
export type UpdateProductInput = z.infer<typeof updateProductInput>;
export type ListProductsInput = z.infer<typeof listProductsInput>;
export type ProductSort = (typeof productSorts)[number];
