// describeDatabaseError: which errors mean "this database cannot be used", and what the line says.
import { describe, expect, it } from 'vitest';
import { describeDatabaseError } from '../src/database-error.ts';

const url = 'postgresql://shop:hunter2-secret@db.internal:6543/orders';

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('describeDatabaseError', () => {
  it.each([
    [
      'a refused connection',
      withCode('connect ECONNREFUSED', 'ECONNREFUSED'),
      'connection refused',
    ],
    [
      'an unknown host',
      withCode('getaddrinfo ENOTFOUND db.internal', 'ENOTFOUND'),
      'host not found',
    ],
    ['a wrong password', withCode('password authentication failed', '28P01'), 'password'],
    ['an unknown role', withCode('role "shop" does not exist', '28000'), 'refused this user'],
    ['a missing database', withCode('database "orders" does not exist', '3D000'), 'does not exist'],
    [
      'localhost refusing on both addresses',
      new AggregateError([withCode('::1', 'ECONNREFUSED'), withCode('127.0.0.1', 'ECONNREFUSED')]),
      'connection refused',
    ],
    [
      'a wrapped cause (Prisma driver adapter)',
      new Error('wrapped', { cause: { originalCode: '28P01' } }),
      'password',
    ],
    ['a pool connection timeout', new Error('timeout expired'), 'timed out'],
  ])('%s names DATABASE_URL, the server and the fallback', (_name, error, reason) => {
    const line = describeDatabaseError(error, url);
    expect(line).toContain('cannot reach PostgreSQL at db.internal:6543/orders (DATABASE_URL)');
    expect(line).toContain(reason);
    expect(line).toContain('Unset DATABASE_URL to use the embedded PostgreSQL with pnpm start.');
    expect(line).not.toContain('hunter2');
  });

  it('leaves other errors alone', () => {
    expect(describeDatabaseError(withCode('duplicate key', '23505'), url)).toBeUndefined();
    expect(describeDatabaseError(new Error('boom'), url)).toBeUndefined();
    expect(describeDatabaseError('not an error', url)).toBeUndefined();
  });
});
