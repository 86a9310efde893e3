// Catalog operations on the database. Every stock change writes its ledger row in the same
// transaction. Reads here are uncached; product.cache.ts puts Redis in front of them.
import { Prisma, type Db } from '@chronicle/db';
import { ConflictError, DomainError, NotFoundError } from '../errors.ts';
import type {
  CreateProductInput,
  ListProductsInput,
  Product,
  ProductPage,
  ProductSort,
  UpdateProductInput,
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

function nameClash(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

const NAME_TAKEN = 'A product with this name already exists';

export async function createProduct(
  db: Db,
  input: CreateProductInput,
  actorId: string,
): Promise<Product> {
  try {
    return await db.$transaction(async (tx) => {
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
  } catch (error) {
    if (nameClash(error)) throw new ConflictError(NAME_TAKEN);
    throw error;
  }
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
  try {
    return await db.$transaction(async (tx) => {
      const [current] = await tx.$queryRaw<{ stock: number }[]>`
        SELECT stock FROM products WHERE id = ${input.id}::uuid AND deleted_at IS NULL FOR NO KEY UPDATE`;
      if (!current) throw new NotFoundError('Product not found');
      const row = await tx.product.update({
        where: { id: input.id },
        data: {
          ...(input.name !== undefined ? { name: input.name } : {}),
          ...(input.price !== undefined ? { price: input.price } : {}),
          ...(input.stock !== undefined ? { stock: input.stock } : {}),
          ...(input.description !== undefined ? { description: input.description } : {}),
        },
        select: productSelect,
      });
      const delta = input.stock === undefined ? 0 : input.stock - current.stock;
      if (delta !== 0) {
        await tx.stockMovement.create({
          data: { productId: input.id, delta, reason: 'ADMIN_ADJUST', reference: actorId },
        });
      }
      return toProduct(row);
    });
  } catch (error) {
    if (nameClash(error)) throw new ConflictError(NAME_TAKEN);
    throw error;
  }
}

/** Soft delete: the product leaves the catalog and cannot be ordered, but history keeps it. */
export async function deleteProduct(db: Db, id: string): Promise<void> {
  const { count } = await db.product.updateMany({
    where: { id, deletedAt: null },
    data: { deletedAt: new Date() },
  });
  if (count === 0) throw new NotFoundError('Product not found');
}

// Keyset pagination: the cursor holds the sort key and id of the last row of the page, so a
// page never repeats or skips rows, however many are inserted meanwhile.
interface Cursor {
  sort: ProductSort;
  value: string;
  id: string;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.sort, cursor.value, cursor.id])).toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function decodeCursor(text: string, sort: ProductSort): Cursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 3 ||
    parsed[0] !== sort ||
    typeof parsed[1] !== 'string' ||
    typeof parsed[2] !== 'string' ||
    !UUID.test(parsed[2])
  ) {
    throw new DomainError(
      'BAD_REQUEST',
      'Invalid cursor (it must come from a previous page with the same sort)',
    );
  }
  return { sort, value: parsed[1], id: parsed[2] };
}

function sortValue(product: Product, sort: ProductSort): string {
  switch (sort) {
    case 'newest':
      return '';
    case 'price_asc':
    case 'price_desc':
      return product.price;
    case 'name':
      return product.name;
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

function after(cursor: Cursor): Prisma.ProductWhereInput {
  switch (cursor.sort) {
    case 'newest':
      return { id: { lt: cursor.id } };
    case 'price_asc':
      return {
        OR: [{ price: { gt: cursor.value } }, { price: cursor.value, id: { gt: cursor.id } }],
      };
    case 'price_desc':
      return {
        OR: [{ price: { lt: cursor.value } }, { price: cursor.value, id: { lt: cursor.id } }],
      };
    case 'name':
      return {
        OR: [{ name: { gt: cursor.value } }, { name: cursor.value, id: { gt: cursor.id } }],
      };
  }
}

/** `q` is matched literally: LIKE's wildcards in it are escaped. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

export async function listProducts(db: Db, input: ListProductsInput): Promise<ProductPage> {
  const cursor = input.cursor ? decodeCursor(input.cursor, input.sort) : undefined;
  const where: Prisma.ProductWhereInput = {
    deletedAt: null,
    ...(input.q ? { name: { contains: escapeLike(input.q), mode: 'insensitive' } } : {}),
    ...(input.inStock === undefined ? {} : { stock: input.inStock ? { gt: 0 } : 0 }),
    ...(cursor ? { AND: [after(cursor)] } : {}),
  };
  const rows = await db.product.findMany({
    where,
    orderBy: order(input.sort),
    take: input.limit + 1,
    select: productSelect,
  });
  const items = rows.slice(0, input.limit).map(toProduct);
  const last = items.at(-1);
  return {
    items,
    nextCursor:
      rows.length > input.limit && last
        ? encodeCursor({ sort: input.sort, value: sortValue(last, input.sort), id: last.id })
        : null,
  };
}
