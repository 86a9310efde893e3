// Admin user management.
import { z } from 'zod';
import { listUsersInput, publicUser, setRoleInput } from '@chronicle/core';
import { exampleUser } from '../rest/examples.ts';
import { operation } from '../rest/operation.ts';
import { permissionProcedure, router } from '../trpc/trpc.ts';

export const userRouter = router({
  list: permissionProcedure('user:read')
    .meta(
      operation({
        method: 'GET',
        path: '/users',
        tag: 'users',
        summary: 'List users',
        description:
          'ADMIN only. Pages of users; pass `nextCursor` back as `cursor` for the next page (null on the last).',
        errors: { 403: 'Only admins may list users' },
        example: { input: { limit: 20 }, output: { items: [exampleUser], nextCursor: null } },
      }),
    )
    .input(listUsersInput)
    .output(z.object({ items: z.array(publicUser), nextCursor: z.uuid().nullable() }))
    .query(({ ctx, input }) => ctx.deps.services.users.list(input)),

  setRole: permissionProcedure('user:manage')
    .meta(
      operation({
        method: 'PATCH',
        path: '/users/{id}/role',
        tag: 'users',
        summary: "Change a user's role",
        description:
          'ADMIN only. Makes a user USER or ADMIN; the change applies to their next request. The last admin cannot be demoted.',
        errors: {
          403: 'Only admins may change roles',
          404: 'User not found',
          409: 'The last admin cannot be demoted',
        },
        example: {
          input: { id: exampleUser.id, role: 'ADMIN' },
          output: { user: { ...exampleUser, role: 'ADMIN' } },
        },
      }),
    )
    .input(setRoleInput)
    .output(z.object({ user: publicUser }))
    .mutation(async ({ ctx, input }) => ({
      user: await ctx.deps.services.users.setRole(input.id, input.role),
    })),
});
