// The one tRPC instance: its builders are exported by name, the instance itself never is.
import { initTRPC, TRPCError } from '@trpc/server';
import type { OpenApiMeta } from 'trpc-to-openapi';
import { findUser, type PublicUser } from '@chronicle/core';
import { bearerToken, verifyAccessToken } from '../auth/jwt.ts';
import { can, type Permission } from '../auth/permissions.ts';
import type { Context } from './context.ts';
import { formatTrpcError, toTrpcError } from './errors.ts';
import { transformer } from './transformer.ts';
import { limitedHeaders, rateLimitHeaders, RateLimitedError } from '../rate-limit/limiters.ts';

export interface Meta extends OpenApiMeta {
  /** HTTP status of a successful REST response (default 200). */
  successStatus?: 200 | 201 | 202;
}

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    transformer,
    // Stack traces never leave the process, whatever NODE_ENV says.
    isDev: false,
    errorFormatter: formatTrpcError,
    // Live order updates (order.watch) stream over SSE. Pings keep proxies from cutting an idle
    // stream, and a stream ends after 5 minutes: the client reconnects and gets the current state.
    sse: {
      ping: { enabled: true, intervalMs: 10_000 },
      maxDurationMs: 5 * 60_000,
      client: { reconnectAfterInactivityMs: 25_000 },
    },
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

/** Counts each call against the per-user order limit or the per-IP registration limit. */
export function rateLimited(kind: 'order' | 'register') {
  return t.middleware(async ({ ctx, next }) => {
    const key = kind === 'order' && 'user' in ctx && isUser(ctx.user) ? ctx.user.id : ctx.ip;
    try {
      const state = await ctx.deps.limits[kind].consume(key);
      Object.assign(ctx.responseHeaders, rateLimitHeaders(state));
    } catch (error) {
      throw tooManyRequests(ctx, error);
    }
    return next();
  });
}

function isUser(value: unknown): value is PublicUser {
  return typeof value === 'object' && value !== null && 'id' in value;
}

function tooManyRequests(ctx: Context, error: unknown): unknown {
  if (!(error instanceof RateLimitedError)) return error;
  Object.assign(ctx.responseHeaders, limitedHeaders(error));
  return new TRPCError({ code: 'TOO_MANY_REQUESTS', message: error.message, cause: error });
}

/**
 * Brute-force protection for login, checked before any password is hashed: an email + IP pair
 * is blocked after RATE_LIMIT_LOGIN_FAILURES consecutive failures (each further block that day
 * lasts twice as long), and an IP after RATE_LIMIT_LOGIN_IP_DAILY_FAILURES failures a day. A
 * successful login clears the pair's count.
 */
export const loginProtection = t.middleware(async ({ ctx, input, next }) => {
  const email =
    typeof input === 'object' && input !== null && 'email' in input ? String(input.email) : '';
  const pair = `${email}|${ctx.ip}`;
  const { limits, env } = ctx.deps;
  try {
    await Promise.all([
      limits.loginFailures.assertOpen(pair),
      limits.loginIpDaily.assertOpen(ctx.ip),
    ]);
  } catch (error) {
    throw tooManyRequests(ctx, error);
  }
  const result = await next();
  if (result.ok) {
    await limits.loginFailures.reset(pair);
  } else if (result.error.code === 'UNAUTHORIZED') {
    const [failures] = await Promise.all([
      limits.loginFailures.consume(pair).catch(() => null),
      limits.loginIpDaily.consume(ctx.ip).catch(() => null),
    ]);
    if (!failures || failures.remaining === 0) {
      const blocks = await limits.loginBlocks.consume(pair).catch(() => null);
      const episode = blocks ? blocks.limit - blocks.remaining : 1;
      const seconds = Math.min(86_400, env.RATE_LIMIT_LOGIN_BLOCK_SECONDS * 2 ** (episode - 1));
      await limits.loginFailures.block(pair, seconds);
    }
  }
  return result;
});
