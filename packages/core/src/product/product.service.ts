// Catalog operations on the database. Every stock change writes its ledger row in the same
// transaction. Reads here are uncached; product.cache.ts puts Redis in front of them.
import type { Db, Prisma } from '@chronicle/db';
import { ConflictError, NotFoundError } from '../errors.ts';
import { page, pageTake } from '../page.ts';
import { isUniqueViolation } from '../sql.ts';
import { lockProducts } from './product.lock.ts';
import { applyStockMovements } from './product.stock.ts';
import {
  encodeProductCursor,
  type CreateProductInput,
  type ListProductsInput,
  type Product,
  type ProductCursor,
  type ProductPage,
  type ProductSort,
  type UpdateProductInput,
} from './product.schema.ts';

const productSelect = {
  id: true,
  name: true,
  description: true,
  price: true,
  stock: true,
  createdAt: true,
  updatedAt: true,
} as const;

type ProductRow = Prisma.ProductGetPayload<{ select: typeof productSelect }>;

function toProduct(row: ProductRow): Product {
  return { ...row, price: row.price.toFixed(2) };
}

const NAME_TAKEN = 'A product with this name already exists';

/** A write in one transaction, where another live product holding the name is a 409. */
async function nameChecked<T>(
  db: Db,
  write: (tx: Prisma.TransactionClient) => Promise<T>,
): Promise<T> {
  try {
    return await db.$transaction(write);
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(NAME_TAKEN);
    throw error;
  }
}

export async function createProduct(
  db: Db,
  input: CreateProductInput,
  actorId: string,
): Promise<Product> {
  return nameChecked(db, async (tx) => {
    const row = await tx.product.create({
      data: {
        name: input.name,
        price: input.price,
        stock: input.stock,
        description: input.description ?? null,
      },
      select: productSelect,
    });
    await tx.stockMovement.create({
      data: { productId: row.id, delta: input.stock, reason: 'INITIAL', reference: actorId },
    });
    return toProduct(row);
  });
}

export async function findLiveProduct(db: Db, id: string): Promise<Product | null> {
  const row = await db.product.findFirst({ where: { id, deletedAt: null }, select: productSelect });
  return row ? toProduct(row) : null;
}

/**
 * Applies a partial update. A new stock level is set under a row lock and recorded as an
 * ADMIN_ADJUST movement of the difference, so concurrent order reservations are not lost.
 */
export async function updateProduct(
  db: Db,
  input: UpdateProductInput,
  actorId: string,
): Promise<Product> {
  return nameChecked(db, async (tx) => {
    // The lock every stock change takes (lockProducts), so a reservation that committed
    // meanwhile is in the difference recorded, not lost.
    const [current] = await lockProducts(tx, [input.id]);
    if (!current || current.deleted) throw new NotFoundError('Product not found');
    const delta = input.stock === undefined ? 0 : input.stock - current.stock;
    if (delta !== 0) {
      await applyStockMovements(tx, [
        { productId: input.id, delta, reason: 'ADMIN_ADJUST', reference: actorId },
      ]);
    }
    const row = await tx.product.update({
      where: { id: input.id },
      data: {
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.price !== undefined ? { price: input.price } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
      },
      select: productSelect,
    });
    return toProduct(row);
  });
}

/** Soft delete: the product leaves the catalog and cannot be ordered, but history keeps it. */
export async function deleteProduct(db: Db, id: string): Promise<void> {
  const { count } = await db.product.updateMany({
    where: { id, deletedAt: null },
    data: { deletedAt: new Date() },
  });
  if (count === 0) throw new NotFoundError('Product not found');
}

// Keyset pagination: the cursor (decoded and validated by listProductsInput) holds the sort key
// and id of the last row of the page, so a page never repeats or skips rows, however many are
// inserted meanwhile.
function nextCursor(product: Product, sort: ProductSort): ProductCursor {
  switch (sort) {
    case 'newest':
      return [sort, '', product.id];
    case 'price_asc':
    case 'price_desc':
      return [sort, product.price, product.id];
    case 'name':
      return [sort, product.name, product.id];
  }
}

function order(sort: ProductSort): Prisma.ProductOrderByWithRelationInput[] {
  switch (sort) {
    case 'newest':
      return [{ id: 'desc' }];
    case 'price_asc':
      return [{ price: 'asc' }, { id: 'asc' }];
    case 'price_desc':
      return [{ price: 'desc' }, { id: 'desc' }];
    case 'name':
      return [{ name: 'asc' }, { id: 'asc' }];
  }
}

function after(cursor: ProductCursor): Prisma.ProductWhereInput {
  switch (cursor[0]) {
    case 'newest':
      return { id: { lt: cursor[2] } };
    case 'price_asc':
      return {
        OR: [{ price: { gt: cursor[1] } }, { price: cursor[1], id: { gt: cursor[2] } }],
      };
    case 'price_desc':
      return {
        OR: [{ price: { lt: cursor[1] } }, { price: cursor[1], id: { lt: cursor[2] } }],
      };
    case 'name':
      return {
        OR: [{ name: { gt: cursor[1] } }, { name: cursor[1], id: { gt: cursor[2] } }],
      };
  }
}

/** `q` is matched literally: LIKE's wildcards in it are escaped. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

export async function listProducts(db: Db, input: ListProductsInput): Promise<ProductPage> {
  const where: Prisma.ProductWhereInput = {
    deletedAt: null,
    ...(input.q ? { name: { contains: escapeLike(input.q), mode: 'insensitive' } } : {}),
    ...(input.inStock === undefined ? {} : { stock: input.inStock ? { gt: 0 } : 0 }),
    ...(input.cursor ? { AND: [after(input.cursor)] } : {}),
  };
  const products = await db.product.findMany({
    where,
    orderBy: order(input.sort),
    take: pageTake(input.limit),
    select: productSelect,
  });
  return page(products.map(toProduct), input.limit, (last) =>
    encodeProductCursor(nextCursor(last, input.sort)),
  );
}
