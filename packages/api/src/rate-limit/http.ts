// The per-IP limit (IPv6 clients per /64, see key.ts), for every route after the health checks.
// A tRPC batch counts each of its calls, so batching cannot multiply what one client may do.
import type { RequestHandler } from 'express';
import type { ApiDeps } from '../deps.ts';
import { clientIp } from '../trpc/context.ts';
import { rateLimitKey } from './key.ts';
import { limitedHeaders, rateLimitHeaders, RateLimitedError } from './limiters.ts';

export function ipRateLimit(deps: ApiDeps): RequestHandler {
  return (req, res, next) => {
    const calls = req.path.startsWith('/trpc/')
      ? req.path.slice('/trpc/'.length).split(',').length
      : 1;
    const points = Math.min(calls, deps.env.TRPC_MAX_BATCH_SIZE + 1);
    deps.limits.ip.consume(rateLimitKey(clientIp(req)), points).then(
      (state) => {
        res.set(rateLimitHeaders(state));
        next();
      },
      (error: unknown) => {
        if (!(error instanceof RateLimitedError)) {
          next(error);
          return;
        }
        res.set(limitedHeaders(error));
        res.status(429).json({ code: 'TOO_MANY_REQUESTS', message: error.message });
      },
    );
  };
}
