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

const adapterCause = z.object({
  driverAdapterError: z.object({ cause: z.object({ originalCode: z.string() }) }),
});

/** SQLSTATE's shape (its standard classes), so that Node's error codes (EPIPE) never pass for one. */
const SQLSTATE = /^([0-5][0-9A-Z]|F0|HV|P0|XX)[0-9A-Z]{3}$/;

/**
 * PostgreSQL's SQLSTATE for a failed statement: from a raw query (Prisma's P2010 keeps it in its
 * meta), a driver adapter error or node-postgres itself, also when wrapped as another error's
 * cause; undefined when the failure did not come from the server running a statement (a lost
 * connection, a client-side error).
 */
export function sqlState(error: unknown): string | undefined {
  for (let depth = 0; depth < 5 && typeof error === 'object' && error !== null; depth += 1) {
    if (error instanceof Prisma.PrismaClientKnownRequestError) {
      const parsed = adapterCause.safeParse(error.meta);
      if (parsed.success) return parsed.data.driverAdapterError.cause.originalCode;
    } else {
      for (const key of ['originalCode', 'code'] as const) {
        const value: unknown = Reflect.get(error, key);
        if (typeof value === 'string' && SQLSTATE.test(value)) return value;
      }
    }
    error = Reflect.get(error, 'cause');
  }
  return undefined;
}
