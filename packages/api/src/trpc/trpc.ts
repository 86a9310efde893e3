// The one tRPC instance: its builders are exported by name, the instance itself never is.
import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import type { OpenApiMeta } from 'trpc-to-openapi';
import { findUser, type PublicUser } from '@chronicle/core';
import { bearerToken, verifyAccessToken } from '../auth/jwt.ts';
import { can, type Permission } from '../auth/permissions.ts';
import type { Context } from './context.ts';
import { formatTrpcError, toTrpcError } from './errors.ts';

export interface Meta extends OpenApiMeta {
  /** HTTP status of a successful REST response (default 200). */
  successStatus?: 200 | 201 | 202;
}

const t = initTRPC.context<Context>().meta<Meta>().create({
  transformer: superjson,
  // Stack traces never leave the process, whatever NODE_ENV says.
  isDev: false,
  errorFormatter: formatTrpcError,
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Domain errors thrown by services become tRPC errors here, for every procedure. */
const mapDomainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const mapped = toTrpcError(result.error);
    if (mapped !== result.error) throw mapped;
  }
  return result;
});

export const publicProcedure = t.procedure.use(mapDomainErrors);

/**
 * Requires a valid access token for a user who still exists. The role is read from the
 * database on every call, so a deleted or demoted user loses access with their next request,
 * not when their token expires.
 */
export const authedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const token = bearerToken(ctx.authorization);
  if (!token) {
    throw new TRPCError({
      code: 'UNAUTHORIZED',
      message: ctx.authorization ? 'Malformed Authorization header' : 'Authentication required',
    });
  }
  const claims = verifyAccessToken(ctx.deps.env, token);
  if (!claims) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Invalid or expired token' });
  const user: PublicUser | null = await findUser(ctx.deps.db, claims.userId);
  if (!user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Invalid or expired token' });
  return next({ ctx: { user } });
});

/** An authenticated procedure that also needs `permission` (see auth/permissions.ts). */
export function permissionProcedure(permission: Permission) {
  return authedProcedure.use(({ ctx, next }) => {
    if (!can(ctx.user.role, permission)) {
      throw new TRPCError({ code: 'FORBIDDEN', message: 'You are not allowed to do this' });
    }
    return next();
  });
}
