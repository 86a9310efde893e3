// Roles as data: what each role may do, and whose orders it sees.
import { describe, expect, it } from 'vitest';
import { can, orderScope, PERMISSIONS, type Permission } from '../src/auth/permissions.ts';

const USER_MAY: readonly Permission[] = ['order:create', 'order:read:own', 'order:cancel:own'];

describe('can', () => {
  it.each(PERMISSIONS)('gives an ADMIN %s', (permission) => {
    expect(can('ADMIN', permission)).toBe(true);
  });

  it.each(PERMISSIONS)('gives a USER %s only if it is about their own orders', (permission) => {
    expect(can('USER', permission)).toBe(USER_MAY.includes(permission));
  });

  it('keeps the catalog and other users out of a USER’s reach', () => {
    expect(can('USER', 'catalog:write')).toBe(false);
    expect(can('USER', 'order:read:any')).toBe(false);
    expect(can('USER', 'user:manage')).toBe(false);
  });
});

describe('orderScope', () => {
  const id = '3f2b8c1e-4d5a-4b6c-8d7e-9f0a1b2c3d4e';

  it.each(['read', 'cancel'] as const)('limits a USER to their own orders to %s', (action) => {
    expect(orderScope({ id, role: 'USER' }, action)).toEqual({ kind: 'own', userId: id });
  });

  it.each(['read', 'cancel'] as const)('lets an ADMIN %s every order', (action) => {
    expect(orderScope({ id, role: 'ADMIN' }, action)).toEqual({ kind: 'all' });
  });
});
