// Registration, login and the current user.
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import {
  loginInput,
  publicUser,
  registerInput,
  registerUser,
  verifyCredentials,
} from '@chronicle/core';
import { signAccessToken } from '../auth/jwt.ts';
import {
  authedProcedure,
  loginProtection,
  publicProcedure,
  rateLimited,
  router,
} from '../trpc/trpc.ts';

const userResponse = z.object({ user: publicUser });

export const authRouter = router({
  register: publicProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/auth/register',
        tags: ['auth'],
        summary: 'Create an account',
        protect: false,
      },
      successStatus: 201,
    })
    .input(registerInput)
    .use(rateLimited('register'))
    .output(userResponse)
    .mutation(async ({ ctx, input }) => ({
      user: await registerUser(ctx.deps.db, input, {
        allowAdminSignup: ctx.deps.env.ALLOW_ADMIN_SIGNUP,
      }),
    })),

  login: publicProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/auth/login',
        tags: ['auth'],
        summary: 'Get an access token',
        protect: false,
      },
    })
    .input(loginInput)
    .use(loginProtection)
    .output(
      z.object({
        token: z.string(),
        tokenType: z.literal('Bearer'),
        expiresIn: z.number().int().describe('seconds'),
        user: publicUser,
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const user = await verifyCredentials(ctx.deps.db, input.email, input.password);
      ctx.deps.metrics.passwordChecks.inc({ result: user ? 'valid' : 'invalid' });
      // One message for unknown email and wrong password alike.
      if (!user)
        throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Invalid email or password' });
      const { token, expiresIn } = signAccessToken(ctx.deps.env, user);
      return { token, tokenType: 'Bearer' as const, expiresIn, user };
    }),

  me: authedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/auth/me',
        tags: ['auth'],
        summary: 'The current user',
        protect: true,
      },
    })
    .input(z.void())
    .output(userResponse)
    .query(({ ctx }) => ({ user: ctx.user })),
});
