// Configuration of the API process, validated once at start-up.
import { z } from 'zod';
import { dbEnvSchema, loadEnv } from '@chronicle/db';
import { coreEnvSchema } from '@chronicle/core';

// Both messages about JWT_SECRET say how to make one, so the fix is one copy-paste away.
const MAKE_A_SECRET =
  "make one with `openssl rand -base64 48` or `node -e \"console.log(require('crypto').randomBytes(48).toString('base64'))\"`";

/** A whole number ≥ 1 (counts, limits, windows in seconds), with its default. */
const atLeastOne = (fallback: number) => z.coerce.number().int().min(1).default(fallback);

const booleanString = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');

export const apiEnvSchema = z.object({
  ...dbEnvSchema.shape,
  ...coreEnvSchema.shape,
  PORT: z.coerce.number().int().min(0).max(65_535).default(8000),
  HOST: z.string().min(1).default('0.0.0.0'),
  /**
   * Where clients reach this API (scheme, host, port, any path prefix): the OpenAPI document's
   * server. Unset: http://localhost:PORT. Never taken from a request's Host header, which the
   * client chooses.
   */
  PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .transform((value) => value.replace(/\/+$/, ''))
    .optional(),
  /** Largest accepted request body, in bytes, on both the REST bridge and /trpc. */
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1_024).max(10_485_760).default(102_400),
  /** Most calls one tRPC batch request may carry. */
  TRPC_MAX_BATCH_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  /**
   * Time a client has to send a request's headers, and its whole request (headers and body),
   * before it is answered 408 and disconnected. A streamed response (order.watch) is not part
   * of the request: it may last longer.
   */
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(15_000),
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  /**
   * Serve /metrics on this port only (not on PORT), so scrapers reach it on a private network
   * while PORT faces clients. Unset: /metrics is served on PORT, as before.
   */
  METRICS_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  /** How long shutdown waits for in-flight requests before closing their connections. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
  /**
   * Express "trust proxy": false (default) ignores X-Forwarded-For; a hop count, or a list of
   * proxy addresses/subnets, believes it only from those.
   */
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((value): boolean | number | string => {
      if (value === 'false' || value === '0') return false;
      if (value === 'true') return true;
      return /^\d+$/.test(value) ? Number(value) : value;
    }),
  /** HMAC key for access tokens: at least 32 bytes, never a default. */
  JWT_SECRET: z
    .string({ error: `is required (at least 32 bytes; ${MAKE_A_SECRET})` })
    .refine((value) => Buffer.byteLength(value, 'utf8') >= 32, {
      error: `must be at least 32 bytes long; ${MAKE_A_SECRET}`,
    }),
  JWT_ISSUER: z.string().min(1).default('chronicle'),
  JWT_AUDIENCE: z.string().min(1).default('chronicle-api'),
  /** Lifetime of an access token, in seconds. */
  JWT_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(3_600),
  /**
   * Oldest token accepted, counted from its `iat`, whatever its `exp` says: bounds a token
   * minted with a longer lifetime (by an older configuration, or another service sharing the
   * key). At least JWT_TTL_SECONDS (checked below), or our own tokens would die before expiring.
   */
  JWT_MAX_AGE_SECONDS: z.coerce.number().int().min(60).max(604_800).default(86_400),
  /** Let anyone register as ADMIN. Keep false in production; use `pnpm admin:create`. */
  ALLOW_ADMIN_SIGNUP: booleanString.default(false),
  // Rate limits (Redis, shared by all replicas). Windows in seconds.
  RATE_LIMIT_IP_POINTS: atLeastOne(600),
  RATE_LIMIT_IP_WINDOW_SECONDS: atLeastOne(60),
  RATE_LIMIT_ORDER_POINTS: atLeastOne(30),
  RATE_LIMIT_ORDER_WINDOW_SECONDS: atLeastOne(60),
  RATE_LIMIT_REGISTER_POINTS: atLeastOne(10),
  RATE_LIMIT_REGISTER_WINDOW_SECONDS: atLeastOne(3_600),
  /** Consecutive failed logins for one email from one IP before that pair is blocked. */
  RATE_LIMIT_LOGIN_FAILURES: atLeastOne(5),
  RATE_LIMIT_LOGIN_FAILURE_WINDOW_SECONDS: atLeastOne(900),
  /** First block of an email + IP pair; each further block that day doubles, up to a day. */
  RATE_LIMIT_LOGIN_BLOCK_SECONDS: atLeastOne(900),
  RATE_LIMIT_LOGIN_IP_DAILY_FAILURES: atLeastOne(100),
  /**
   * Concurrent live order streams (order.watch) one user, and one client IP, may hold open,
   * counted across all replicas in Redis (in this process in local mode).
   */
  STREAMS_PER_USER_MAX: atLeastOne(10),
  STREAMS_PER_IP_MAX: atLeastOne(50),
  /** Also serve the OpenAPI browser page at /docs. */
  API_DOCS_ENABLED: booleanString.default(true),
});

export type ApiEnv = z.infer<typeof apiEnvSchema>;

// Rules across variables. Kept off apiEnvSchema itself so its `.shape` stays a plain object
// schema for those who list the variables (the .env.example test).
const checkedApiEnvSchema = apiEnvSchema
  .refine((env) => env.JWT_MAX_AGE_SECONDS >= env.JWT_TTL_SECONDS, {
    path: ['JWT_MAX_AGE_SECONDS'],
    error: 'must be at least JWT_TTL_SECONDS',
  })
  .refine((env) => env.HTTP_HEADERS_TIMEOUT_MS <= env.HTTP_REQUEST_TIMEOUT_MS, {
    // Node refuses a headers timeout longer than the request timeout it is part of.
    path: ['HTTP_HEADERS_TIMEOUT_MS'],
    error: 'must not exceed HTTP_REQUEST_TIMEOUT_MS',
  });

export const loadApiEnv = (source: NodeJS.ProcessEnv = process.env): ApiEnv =>
  loadEnv(checkedApiEnvSchema, source);
