// Admin user management.
import { z } from 'zod';
import { listUsers, listUsersInput, publicUser, setRoleInput, setUserRole } from '@chronicle/core';
import { permissionProcedure, router } from '../trpc/trpc.ts';

export const userRouter = router({
  list: permissionProcedure('user:read')
    .meta({
      openapi: {
        method: 'GET',
        path: '/users',
        tags: ['users'],
        summary: 'List users',
        protect: true,
      },
    })
    .input(listUsersInput)
    .output(z.object({ items: z.array(publicUser), nextCursor: z.uuid().nullable() }))
    .query(({ ctx, input }) => listUsers(ctx.deps.db, input)),

  setRole: permissionProcedure('user:manage')
    .meta({
      openapi: {
        method: 'PATCH',
        path: '/users/{id}/role',
        tags: ['users'],
        summary: "Change a user's role",
        protect: true,
      },
    })
    .input(setRoleInput)
    .output(z.object({ user: publicUser }))
    .mutation(async ({ ctx, input }) => ({
      user: await setUserRole(ctx.deps.db, input.id, input.role),
    })),
});
