// Reading what raw SQL and the database hand back: rows are checked against a schema instead of
// trusted through a type parameter, and Prisma's error codes are named once.
import { z } from 'zod';
import { Prisma } from '@chronicle/db';

/**
 * The rows of a `$queryRaw` result, parsed. `$queryRaw<T>` only asserts T; a renamed column or a
 * changed type would then surface far away as `undefined`, whereas this fails at the query.
 */
export function rows<Schema extends z.ZodType>(
  schema: Schema,
  result: unknown,
): z.output<Schema>[] {
  return z.array(schema).parse(result);
}

/** A unique constraint rejected the write (Prisma's P2002). */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}
