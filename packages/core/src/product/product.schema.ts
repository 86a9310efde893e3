// What callers may send about products, and what they get back.
import { z } from 'zod';
import { booleanParam, displayText, exact, nameText, safeString } from '../schema-helpers.ts';
import { priceInput } from './money.ts';

export const MAX_STOCK = 1_000_000_000;
export const MAX_NAME_LENGTH = 200;

const stockInput = exact(z.int().min(0).max(MAX_STOCK));

export const productId = z.uuid({ error: 'must be a product id (UUID)' });

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

export const productSorts = ['newest', 'price_asc', 'price_desc', 'name'] as const;

export const listProductsInput = z.strictObject({
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number<number>().int().min(1).max(100).default(20),
  q: safeString().trim().max(100).optional(),
  inStock: booleanParam.optional(),
  sort: z.enum(productSorts).default('newest'),
});

export const product = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string().nullable(),
  price: z.string().describe('decimal amount with two decimals, e.g. "19.99"'),
  stock: z.int(),
  createdAt: z.date(),
  updatedAt: z.date(),
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
