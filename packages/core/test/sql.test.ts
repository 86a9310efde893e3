import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { Prisma } from '@chronicle/db';
import { isUniqueViolation, rows } from '../src/sql.ts';

describe('raw rows', () => {
  const row = z.object({ id: z.string(), stock: z.number() });

  it('are returned as parsed', () => {
    expect(rows(row, [{ id: 'a', stock: 3 }])).toEqual([{ id: 'a', stock: 3 }]);
  });

  it('fail at the query when a column is missing or of another type', () => {
    expect(() => rows(row, [{ id: 'a' }])).toThrow(z.ZodError);
    expect(() => rows(row, [{ id: 'a', stock: 3n }])).toThrow(z.ZodError);
    expect(() => rows(row, null)).toThrow(z.ZodError);
  });
});

describe('unique violation', () => {
  const known = (code: string) =>
    new Prisma.PrismaClientKnownRequestError('failed', { code, clientVersion: 'test' });

  it('is P2002 from Prisma', () => {
    expect(isUniqueViolation(known('P2002'))).toBe(true);
  });

  it('is not another Prisma error, nor any other error', () => {
    expect(isUniqueViolation(known('P2025'))).toBe(false);
    expect(isUniqueViolation(new Error('P2002'))).toBe(false);
  });
});
