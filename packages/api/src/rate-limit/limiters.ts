// Rate limits on Redis (shared by every API replica), each backed by an in-process "insurance"
// limiter that takes over while Redis is down or slow, and hands back when it returns.
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Redis } from '@chronicle/core';
import type { ApiEnv } from '../env.ts';

interface LimitConfig {
  points: number;
  durationSeconds: number;
  blockSeconds?: number;
}

export class RateLimitedError extends Error {
  override name = 'RateLimitedError';
  readonly retryAfterSeconds: number;
  readonly limit: number;

  constructor(limit: number, retryAfterSeconds: number, what: string) {
    super(`Too many ${what}; retry in ${retryAfterSeconds} s`);
    this.limit = limit;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export interface LimitState {
  limit: number;
  remaining: number;
  resetSeconds: number;
}

const BLOCKED = 2 ** 30;

class Limiter {
  readonly config: LimitConfig;
  readonly #store: RateLimiterRedis | RateLimiterMemory;
  readonly #what: string;
  readonly #onReject: () => void;

  constructor(
    redis: Redis | undefined,
    name: string,
    config: LimitConfig,
    what: string,
    onReject: (limit: string) => void = () => undefined,
  ) {
    this.config = config;
    this.#what = what;
    this.#onReject = () => {
      onReject(name);
    };
    const options = {
      keyPrefix: `ratelimit:${name}`,
      points: config.points,
      duration: config.durationSeconds,
      blockDuration: config.blockSeconds ?? 0,
    };
    // Without Redis (local mode: one process) the in-process limiter is the store itself.
    this.#store = redis
      ? new RateLimiterRedis({
          ...options,
          storeClient: redis,
          rejectIfRedisNotReady: true,
          insuranceLimiter: new RateLimiterMemory(options),
        })
      : new RateLimiterMemory(options);
  }

  #state(res: RateLimiterRes): LimitState {
    return {
      limit: this.config.points,
      remaining: Math.max(0, res.remainingPoints),
      resetSeconds: Math.ceil(res.msBeforeNext / 1000),
    };
  }

  #limited(res: RateLimiterRes): RateLimitedError {
    this.#onReject();
    return new RateLimitedError(
      this.config.points,
      Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
      this.#what,
    );
  }

  /** Counts `points` against `key`; throws RateLimitedError once the limit is used up. */
  async consume(key: string, points = 1): Promise<LimitState> {
    try {
      return this.#state(await this.#store.consume(key, points));
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) throw this.#limited(rejection);
      throw rejection;
    }
  }

  /** Gives `points` back to `key` (an attempt that turned out not to count). */
  async reward(key: string, points = 1): Promise<void> {
    await this.#store.reward(key, points);
  }

  /**
   * Refuses `key` for `seconds`. The count is set far above the limit rather than just past it,
   * so the points that refused attempts give back (see rate-limit/login.ts) cannot reopen it.
   */
  async block(key: string, seconds: number): Promise<void> {
    await this.#store.set(key, BLOCKED, seconds);
  }

  async reset(key: string): Promise<void> {
    await this.#store.delete(key);
  }
}

export interface RateLimits {
  /** Every request (and every call inside a tRPC batch) per client IP. */
  ip: Limiter;
  /** order.create per user. */
  order: Limiter;
  /** auth.register per IP. */
  register: Limiter;
  /** Consecutive failed logins per email + IP (reset by a success). */
  loginFailures: Limiter;
  /** How often an email + IP pair was blocked today: each block lasts twice as long as the last. */
  loginBlocks: Limiter;
  /** Failed logins per IP per day. */
  loginIpDaily: Limiter;
}

const DAY = 86_400;

export function createRateLimits(
  redis: Redis | undefined,
  env: ApiEnv,
  onReject: (limit: string) => void = () => undefined,
): RateLimits {
  const limiter = (name: string, config: LimitConfig, what: string): Limiter =>
    new Limiter(redis, name, config, what, onReject);
  return {
    ip: limiter(
      'ip',
      { points: env.RATE_LIMIT_IP_POINTS, durationSeconds: env.RATE_LIMIT_IP_WINDOW_SECONDS },
      'requests',
    ),
    order: limiter(
      'order',
      { points: env.RATE_LIMIT_ORDER_POINTS, durationSeconds: env.RATE_LIMIT_ORDER_WINDOW_SECONDS },
      'orders',
    ),
    register: limiter(
      'register',
      {
        points: env.RATE_LIMIT_REGISTER_POINTS,
        durationSeconds: env.RATE_LIMIT_REGISTER_WINDOW_SECONDS,
      },
      'registrations',
    ),
    loginFailures: limiter(
      'login-fail',
      {
        points: env.RATE_LIMIT_LOGIN_FAILURES,
        durationSeconds: env.RATE_LIMIT_LOGIN_FAILURE_WINDOW_SECONDS,
      },
      'failed logins for this account from this address',
    ),
    loginBlocks: limiter('login-blocks', { points: 1_000, durationSeconds: DAY }, 'login blocks'),
    loginIpDaily: limiter(
      'login-ip-day',
      { points: env.RATE_LIMIT_LOGIN_IP_DAILY_FAILURES, durationSeconds: DAY },
      'failed logins from this address today',
    ),
  };
}

/** Headers of the IETF RateLimit fields (draft 6 names, widely supported) plus Retry-After. */
export function rateLimitHeaders(state: LimitState): Record<string, string> {
  return {
    'RateLimit-Limit': String(state.limit),
    'RateLimit-Remaining': String(state.remaining),
    'RateLimit-Reset': String(state.resetSeconds),
  };
}

export function limitedHeaders(error: RateLimitedError): Record<string, string> {
  return {
    'Retry-After': String(error.retryAfterSeconds),
    'RateLimit-Limit': String(error.limit),
    'RateLimit-Remaining': '0',
    'RateLimit-Reset': String(error.retryAfterSeconds),
  };
}
