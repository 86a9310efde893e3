// The one tRPC instance: its builders are exported by name, the instance itself never is.
import { initTRPC } from '@trpc/server';
import superjson from 'superjson';
import type { OpenApiMeta } from 'trpc-to-openapi';
import type { Context } from './context.ts';
import { formatTrpcError } from './errors.ts';

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
export const middleware = t.middleware;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure;
