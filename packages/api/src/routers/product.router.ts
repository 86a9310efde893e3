// The product catalog: public reads (cached), admin writes (which invalidate the cache).
import { z } from 'zod';
import {
  cacheStatuses,
  createProductInput,
  listProductsInput,
  product,
  productIdInput,
  productPage,
  updateProductInput,
} from '@chronicle/core';
import { exampleProduct } from '../rest/examples.ts';
import { operation } from '../rest/operation.ts';
import { permissionProcedure, publicProcedure, router } from '../trpc/trpc.ts';

const productResponse = z.object({ product });
const admin = permissionProcedure('catalog:write');

/** Catalog reads say where the answer came from. */
const cacheHeader = z.object({
  'X-Cache': z
    .enum(cacheStatuses)
    .describe('HIT: from the cache; MISS: loaded and cached; BYPASS: loaded, cache unavailable'),
});

const NOT_FOUND = 'No live product has this id';
const NAME_TAKEN = 'Another live product already has this name (compared case-insensitively)';
const ADMIN_ONLY = 'Only admins may change the catalog';

export const productRouter = router({
  create: admin
    .meta(
      operation({
        method: 'POST',
        path: '/product',
        tag: 'products',
        summary: 'Create a product',
        description:
          'ADMIN only. `price` is a decimal number or string with at most 2 decimals (0 to 1,000,000,000); `stock` an integer ≥ 0.',
        successStatus: 201,
        errors: { 403: ADMIN_ONLY, 409: NAME_TAKEN },
        example: {
          input: {
            name: exampleProduct.name,
            price: '12.50',
            stock: 40,
            description: 'Porcelain, 90 ml',
          },
          output: { product: exampleProduct },
        },
      }),
    )
    .input(createProductInput)
    .output(productResponse)
    .mutation(async ({ ctx, input }) => ({
      product: await ctx.deps.services.products.create(input, ctx.user.id),
    })),

  list: publicProcedure
    .meta(
      operation({
        method: 'GET',
        path: '/product',
        tag: 'products',
        summary: 'List and search products',
        description:
          'Live products, `limit` per page. `q` searches names; `inStock=true` keeps products with stock, `false` those without. Pass `nextCursor` back as `cursor` with the same `sort` for the next page (null on the last).',
        protect: false,
        responseHeaders: cacheHeader,
        example: {
          input: { limit: 20, q: 'cup', inStock: 'true', sort: 'price_asc' },
          output: { items: [exampleProduct], nextCursor: null },
        },
      }),
    )
    .input(listProductsInput)
    .output(productPage)
    .query(async ({ ctx, input }) => {
      const { value, cache } = await ctx.deps.services.products.list(input);
      ctx.responseHeaders['X-Cache'] = cache;
      return value;
    }),

  get: publicProcedure
    .meta(
      operation({
        method: 'GET',
        path: '/product/{id}',
        tag: 'products',
        summary: 'Get a product',
        description: 'One live product (deleted products are not found).',
        protect: false,
        responseHeaders: cacheHeader,
        errors: { 404: NOT_FOUND },
        example: { input: { id: exampleProduct.id }, output: { product: exampleProduct } },
      }),
    )
    .input(productIdInput)
    .output(productResponse)
    .query(async ({ ctx, input }) => {
      const { value, cache } = await ctx.deps.services.products.get(input.id);
      ctx.responseHeaders['X-Cache'] = cache;
      return { product: value };
    }),

  update: admin
    .meta(
      operation({
        method: 'PATCH',
        path: '/product/{id}',
        tag: 'products',
        summary: 'Change a product',
        description:
          'ADMIN only. Send at least one of `name`, `price`, `stock`, `description` (null clears the description). Readers see the change at once.',
        errors: { 403: ADMIN_ONLY, 404: NOT_FOUND, 409: NAME_TAKEN },
        minBodyFields: 1,
        example: {
          input: { id: exampleProduct.id, price: '11.00', stock: 35 },
          output: { product: { ...exampleProduct, price: '11.00', stock: 35 } },
        },
      }),
    )
    .input(updateProductInput)
    .output(productResponse)
    .mutation(async ({ ctx, input }) => ({
      product: await ctx.deps.services.products.update(input, ctx.user.id),
    })),

  delete: admin
    .meta(
      operation({
        method: 'DELETE',
        path: '/product/{id}',
        tag: 'products',
        summary: 'Remove a product from the catalog (soft delete)',
        description:
          'ADMIN only. The product leaves the catalog and can no longer be ordered; orders that hold it keep it.',
        errors: { 403: ADMIN_ONLY, 404: NOT_FOUND },
        example: {
          input: { id: exampleProduct.id },
          output: { id: exampleProduct.id, deleted: true },
        },
      }),
    )
    .input(productIdInput)
    .output(z.object({ id: z.uuid(), deleted: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await ctx.deps.services.products.remove(input.id);
      return { id: input.id, deleted: true as const };
    }),
});
