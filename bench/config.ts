// The run's settings, read once from the environment: the scale (BENCH_QUICK=1), the number of
// workers, where PostgreSQL and Redis are, and what makes this run its own (its database, Redis
// key prefix and JWT secret).
import { randomBytes } from 'node:crypto';
import path from 'node:path';

/** The repository root: the working directory of every process the bench starts. */
export const root = path.resolve(import.meta.dirname, '..');

/** The size of every connection pool: the API's, the workers' and the raw baselines'. */
export const POOL_MAX = 10;

export interface Scale {
  httpSeconds: number;
  rawSeconds: number;
  users: number;
  products: number;
  acceptOrders: number;
  flashStock: number;
  flashOrders: number;
  mixedSeconds: number;
  leakSeconds: number;
  /** scaling: each fulfilment backlog (1, 2 and 4 workers), and each accept run (1 and 2 APIs). */
  scalingOrders: number;
  scalingAcceptOrders: number;
}

export interface JwtEnv {
  JWT_SECRET: string;
  JWT_ISSUER: string;
  JWT_AUDIENCE: string;
  JWT_TTL_SECONDS: number;
}

export interface BenchConfig {
  quick: boolean;
  /** BENCH_PROFILE=1: the API and workers write V8 CPU profiles to bench/results/profiles/. */
  profile: boolean;
  workerCount: number;
  adminUrl: string;
  redisUrl: string;
  scale: Scale;
  runId: string;
  dbName: string;
  databaseUrl: string;
  keyPrefix: string;
  jwtEnv: JwtEnv;
}

function scaleFor(quick: boolean): Scale {
  return {
    httpSeconds: quick ? 3 : 10,
    rawSeconds: quick ? 2 : 5,
    users: quick ? 200 : 1_000,
    products: 100,
    acceptOrders: quick ? 2_000 : 10_000,
    flashStock: quick ? 1_000 : 5_000,
    flashOrders: quick ? 4_000 : 20_000,
    mixedSeconds: quick ? 5 : 30,
    leakSeconds: quick ? 3 : 10,
    scalingOrders: quick ? 2_000 : 8_000,
    scalingAcceptOrders: quick ? 4_000 : 10_000,
  };
}

function databaseUrlFor(adminUrl: string, dbName: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  return url.toString();
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const quick = env.BENCH_QUICK === '1';
  const adminUrl = env.BENCH_DATABASE_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const runId = randomBytes(4).toString('hex');
  const dbName = `chronicle_bench_${runId}`;
  return {
    quick,
    profile: env.BENCH_PROFILE === '1',
    workerCount: Number(env.BENCH_WORKERS ?? 2),
    adminUrl,
    redisUrl: env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    scale: scaleFor(quick),
    runId,
    dbName,
    databaseUrl: databaseUrlFor(adminUrl, dbName),
    keyPrefix: `chronicle-bench-${runId}:`,
    jwtEnv: {
      JWT_SECRET: randomBytes(48).toString('base64'),
      JWT_ISSUER: 'chronicle',
      JWT_AUDIENCE: 'chronicle-api',
      JWT_TTL_SECONDS: 86_400,
    },
  };
}

/** The environment of the API and the workers (production, logs at warn, no rate limits). */
export function serviceEnv(config: BenchConfig): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: config.databaseUrl,
    DATABASE_POOL_MAX: String(POOL_MAX),
    REDIS_URL: config.redisUrl,
    REDIS_KEY_PREFIX: config.keyPrefix,
    ...Object.fromEntries(Object.entries(config.jwtEnv).map(([k, v]) => [k, String(v)])),
    RATE_LIMIT_IP_POINTS: '100000000',
    RATE_LIMIT_ORDER_POINTS: '100000000',
    WORKER_METRICS_PORT: '0',
  };
}
