// Roles are data: one map from role to what it may do, checked by one procedure middleware.
import type { OrderScope, RoleName } from '@chronicle/core';

export const PERMISSIONS = [
  'catalog:write',
  'order:create',
  'order:read:own',
  'order:read:any',
  'order:cancel:own',
  'order:cancel:any',
  'user:read',
  'user:manage',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

const userPermissions: readonly Permission[] = [
  'order:create',
  'order:read:own',
  'order:cancel:own',
];

const ROLE_PERMISSIONS: Readonly<Record<RoleName, ReadonlySet<Permission>>> = {
  USER: new Set(userPermissions),
  ADMIN: new Set(PERMISSIONS),
};

export function can(role: RoleName, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].has(permission);
}

/** Whose orders a user may read (or cancel): everyone's with the `:any` permission, else their own. */
export function orderScope(
  user: { id: string; role: RoleName },
  action: 'read' | 'cancel',
): OrderScope {
  return can(user.role, `order:${action}:any`) ? { kind: 'all' } : { kind: 'own', userId: user.id };
}
