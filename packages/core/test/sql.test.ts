import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { Prisma } from '@chronicle/db';
import { isUniqueViolation, rows, sqlState } from '../src/sql.ts';

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

describe('sqlState', () => {
  const rawQueryFailure = (originalCode: string) =>
    new Prisma.PrismaClientKnownRequestError('Raw query failed', {
      code: 'P2010',
      clientVersion: 'test',
      meta: { driverAdapterError: { name: 'DriverAdapterError', cause: { originalCode } } },
    });

  it("is PostgreSQL's code from a raw query, a pg error, or a wrapped cause", () => {
    expect(sqlState(rawQueryFailure('P0001'))).toBe('P0001');
    expect(sqlState(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe('23505');
    expect(sqlState(new Error('jobs failed', { cause: rawQueryFailure('40P01') }))).toBe('40P01');
  });

  it("is undefined for Node's socket errors, Prisma's own codes and plain errors", () => {
    expect(sqlState(Object.assign(new Error('broken pipe'), { code: 'EPIPE' }))).toBeUndefined();
    expect(
      sqlState(
        new Prisma.PrismaClientKnownRequestError('expired', { code: 'P2028', clientVersion: 't' }),
      ),
    ).toBeUndefined();
    expect(sqlState(new Error('Connection terminated unexpectedly'))).toBeUndefined();
    expect(sqlState('23505')).toBeUndefined();
  });
});
