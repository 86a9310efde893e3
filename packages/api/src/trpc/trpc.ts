// The one tRPC instance: its builders are exported by name, the instance itself never is.
import { getTRPCErrorFromUnknown, initTRPC, TRPCError } from '@trpc/server';
import type { OpenApiMeta } from 'trpc-to-openapi';
import type { PublicUser } from '@chronicle/core';
import { bearerToken, verifyAccessToken } from '../auth/jwt.ts';
import { can, type Permission } from '../auth/permissions.ts';
import type { Context } from './context.ts';
import { formatTrpcError, toTrpcError } from './errors.ts';
import { transformer } from './transformer.ts';
import { limitedHeaders, rateLimitHeaders, RateLimitedError } from '../rate-limit/limiters.ts';
import { beginLoginAttempt, type LoginAttempt } from '../rate-limit/login.ts';

/**
 * Error statuses a procedure itself can answer over REST. The transport's own (400 bad input,
 * 401 without a token on protected routes, 413/415 on bodies, 429 per IP, 500) are added for
 * every route by rest/openapi.ts; 401 and 429 are listed here when the procedure has a reason of
 * its own (failed login, its own rate limit).
 */
export type ProcedureErrorStatus = 401 | 403 | 404 | 409 | 422 | 429;

export type SuccessStatus = 200 | 201 | 202;

/**
 * A procedure's meta: its REST route and what the OpenAPI document says about it. Built by
 * `operation()` (rest/operation.ts), which fills in the defaults, so every field it always sets
 * is required here.
 */
export interface Meta extends OpenApiMeta {
  /** HTTP status of a successful REST response. */
  successStatus: SuccessStatus;
  /** What each error status means for this procedure, for the OpenAPI document. */
  errors: Partial<Record<ProcedureErrorStatus, string>>;
  /**
   * A realistic call for the OpenAPI document: the input (body, path and query together, as the
   * procedure receives it) and the output. Both are checked against the procedure's schemas
   * when the document is built, so an example cannot drift from the API.
   */
  example: { input?: unknown; output: unknown };
  /**
   * The fewest body fields the procedure accepts, when a refinement demands some ("send at least
   * one of …"): the body schema's `minProperties`, since no generator can read a zod refine.
   */
  minBodyFields?: number;
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

/**
 * Domain errors thrown by services become tRPC errors here, for every procedure. A
 * subscription's resolver only returns its stream: what the stream throws comes later, while
 * tRPC reads it, so the stream is wrapped and its errors pass through the same mapping.
 */
const mapDomainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const mapped = toTrpcError(result.error);
    if (mapped !== result.error) throw mapped;
    return result;
  }
  return isAsyncIterable(result.data) ? { ...result, data: mappedStream(result.data) } : result;
});

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

async function* mappedStream(source: AsyncIterable<unknown>): AsyncGenerator<unknown, void> {
  try {
    // yield* forwards return() too, so a client that goes away still ends the source stream.
    yield* source;
  } catch (error) {
    throw toTrpcError(getTRPCErrorFromUnknown(error));
  }
}

export const publicProcedure = t.procedure.use(mapDomainErrors);

/**
 * Requires a valid access token for a user who still exists. The role is read from the
 * database on every call, so a deleted or demoted user loses access with their next request,
 * not when their token expires.
 */
export const authedProcedure = publicProcedure.use(async ({ ctx, next }) =>
  next({ ctx: { user: await currentUser(ctx) } }),
);

/**
 * The caller as the database knows them now (UNAUTHORIZED without a valid token or a user).
 * Long-lived streams call it again on every event, so revocation reaches them too.
 */
export async function currentUser(ctx: Context): Promise<PublicUser> {
  const token = bearerToken(ctx.authorization);
  if (!token) {
    // Name the header and where a token comes from: a 401 is often a client's first answer.
    throw new TRPCError({
      code: 'UNAUTHORIZED',
      message: ctx.authorization
        ? 'Malformed Authorization header: expected Bearer <token>'
        : 'Authentication required: send Authorization: Bearer <token> (from POST /auth/login)',
    });
  }
  const claims = verifyAccessToken(ctx.deps.env, token);
  if (!claims) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Invalid or expired token' });
  const user: PublicUser | null = await ctx.deps.services.users.find(claims.userId);
  if (!user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Invalid or expired token' });
  return user;
}

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
 * Brute-force protection for login (rate-limit/login.ts): the attempt reserves its failure
 * points before any password is hashed, and settles them once the verdict is known. An email +
 * IP pair is blocked after RATE_LIMIT_LOGIN_FAILURES consecutive failures (each further block
 * that day lasts twice as long), and an IP after RATE_LIMIT_LOGIN_IP_DAILY_FAILURES failures a
 * day. A successful login clears the pair's count.
 */
export const loginProtection = t.middleware(async ({ ctx, input, next }) => {
  const email =
    typeof input === 'object' && input !== null && 'email' in input ? String(input.email) : '';
  let attempt: LoginAttempt;
  try {
    attempt = await beginLoginAttempt(ctx.deps.limits, ctx.deps.env, email, ctx.ip);
  } catch (error) {
    throw tooManyRequests(ctx, error);
  }
  const result = await next();
  await attempt.settle(
    result.ok ? 'success' : result.error.code === 'UNAUTHORIZED' ? 'failure' : 'aborted',
  );
  return result;
});
