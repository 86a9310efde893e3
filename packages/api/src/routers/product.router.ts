// The product catalog: public reads (cached), admin writes (which invalidate the cache).
import { z } from 'zod';
import {
  createProduct,
  createProductInput,
  deleteProduct,
  listProductsInput,
  NotFoundError,
  product,
  productIdInput,
  productPage,
  updateProduct,
  updateProductInput,
} from '@chronicle/core';
import { permissionProcedure, publicProcedure, router } from '../trpc/trpc.ts';

const productResponse = z.object({ product });
const admin = permissionProcedure('catalog:write');

export const productRouter = router({
  create: admin
    .meta({
      openapi: {
        method: 'POST',
        path: '/product',
        tags: ['products'],
        summary: 'Create a product',
        protect: true,
      },
      successStatus: 201,
    })
    .input(createProductInput)
    .output(productResponse)
    .mutation(async ({ ctx, input }) => {
      const created = await createProduct(ctx.deps.db, input, ctx.user.id);
      await ctx.deps.catalog.invalidateForAdminWrite(created.id);
      return { product: created };
    }),

  list: publicProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/product',
        tags: ['products'],
        summary: 'List and search products',
        protect: false,
      },
    })
    .input(listProductsInput)
    .output(productPage)
    .query(async ({ ctx, input }) => {
      const { value, cache } = await ctx.deps.catalog.listProducts(input);
      ctx.responseHeaders['X-Cache'] = cache;
      return value;
    }),

  get: publicProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/product/{id}',
        tags: ['products'],
        summary: 'Get a product',
        protect: false,
      },
    })
    .input(productIdInput)
    .output(productResponse)
    .query(async ({ ctx, input }) => {
      const { value, cache } = await ctx.deps.catalog.getProduct(input.id);
      ctx.responseHeaders['X-Cache'] = cache;
      if (!value) throw new NotFoundError('Product not found');
      return { product: value };
    }),

  update: admin
    .meta({
      openapi: {
        method: 'PATCH',
        path: '/product/{id}',
        tags: ['products'],
        summary: 'Change a product',
        protect: true,
      },
    })
    .input(updateProductInput)
    .output(productResponse)
    .mutation(async ({ ctx, input }) => {
      const updated = await updateProduct(ctx.deps.db, input, ctx.user.id);
      await ctx.deps.catalog.invalidateForAdminWrite(updated.id);
      return { product: updated };
    }),

  delete: admin
    .meta({
      openapi: {
        method: 'DELETE',
        path: '/product/{id}',
        tags: ['products'],
        summary: 'Remove a product from the catalog (soft delete)',
        protect: true,
      },
    })
    .input(productIdInput)
    .output(z.object({ id: z.uuid(), deleted: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await deleteProduct(ctx.deps.db, input.id);
      await ctx.deps.catalog.invalidateForAdminWrite(input.id);
      return { id: input.id, deleted: true as const };
    }),
});
