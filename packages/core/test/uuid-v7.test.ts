// Ids for raw-SQL inserts: UUIDv7 as PostgreSQL and Prisma read them, in creation order.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { uuidv7 } from '../src/uuid-v7.ts';

describe('uuidv7', () => {
  it('is a version 7, RFC 9562 variant UUID carrying the time in milliseconds', () => {
    const at = Date.UTC(2026, 11, 1, 9, 30);
    const id = uuidv7(at + 10_000);
    expect(z.uuid({ version: 'v7' }).safeParse(id).success).toBe(true);
    expect(id[14]).toBe('7');
    expect(['8', '9', 'a', 'b']).toContain(id[19]);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at + 10_000);
  });

  it('increases strictly, within one millisecond and when the clock steps back', () => {
    const at = Date.UTC(2026, 11, 1, 10);
    const ids = [
      ...Array.from({ length: 5_000 }, () => uuidv7(at)),
      uuidv7(at - 1_000),
      uuidv7(at + 1),
    ];
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
