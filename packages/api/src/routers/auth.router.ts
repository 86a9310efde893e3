// Registration, login and the current user.
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { loginInput, publicUser, registerInput } from '@chronicle/core';
import { signAccessToken } from '../auth/jwt.ts';
import { examplePassword, exampleUser } from '../rest/examples.ts';
import { operation } from '../rest/operation.ts';
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
    .meta(
      operation({
        method: 'POST',
        path: '/auth/register',
        tag: 'auth',
        summary: 'Create an account',
        description:
          'Creates a USER account (ADMIN only where the deployment allows admin sign-up). The email is trimmed and lower-cased; the password is 8–128 characters. Log in afterwards to get a token.',
        protect: false,
        successStatus: 201,
        errors: {
          403: 'Registering as ADMIN is disabled on this deployment',
          409: 'An account with this email already exists',
          429: 'too many registrations from this address',
        },
        example: {
          input: { email: exampleUser.email, password: examplePassword },
          output: { user: exampleUser },
        },
      }),
    )
    .input(registerInput)
    .use(rateLimited('register'))
    .output(userResponse)
    .mutation(async ({ ctx, input }) => ({
      user: await ctx.deps.services.users.register(input, {
        allowAdminSignup: ctx.deps.env.ALLOW_ADMIN_SIGNUP,
      }),
    })),

  login: publicProcedure
    .meta(
      operation({
        method: 'POST',
        path: '/auth/login',
        tag: 'auth',
        summary: 'Get an access token',
        description:
          'Exchanges email and password for a bearer token (`expiresIn` seconds). Repeated failures for one email from one address block that pair for a while.',
        protect: false,
        errors: {
          401: 'Wrong email or password (the same answer for an unknown email)',
          429: 'too many failed logins for this email from this address, or from this address today',
        },
        example: {
          input: { email: exampleUser.email, password: examplePassword },
          output: {
            token: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIzZjBjOWE1MiJ9.signature',
            tokenType: 'Bearer',
            expiresIn: 3600,
            user: exampleUser,
          },
        },
      }),
    )
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
      const user = await ctx.deps.services.users.verifyCredentials(input.email, input.password);
      ctx.deps.metrics.passwordChecks.inc({ result: user ? 'valid' : 'invalid' });
      // One message for unknown email and wrong password alike.
      if (!user)
        throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Invalid email or password' });
      const { token, expiresIn } = signAccessToken(ctx.deps.env, user);
      return { token, tokenType: 'Bearer' as const, expiresIn, user };
    }),

  me: authedProcedure
    .meta(
      operation({
        method: 'GET',
        path: '/auth/me',
        tag: 'auth',
        summary: 'The current user',
        description: 'The account the bearer token belongs to, as the database knows it now.',
        example: { output: { user: exampleUser } },
      }),
    )
    .input(z.void())
    .output(userResponse)
    .query(({ ctx }) => ({ user: ctx.user })),
});
