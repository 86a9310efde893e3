// Readiness: can this process serve traffic right now?
import { pingRedis } from '@chronicle/core';
import type { ApiDeps } from '../deps.ts';

type CheckState = 'ok' | 'down';

export interface Readiness {
  ready: boolean;
  /** redis is 'in-process' in local mode (no REDIS_URL). */
  checks: { postgres: CheckState; queue: CheckState; redis: CheckState | 'in-process' };
}

const CHECK_TIMEOUT_MS = 2_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => {
        reject(new Error('timed out'));
      }, ms).unref(),
    ),
  ]);
}

async function check(probe: () => Promise<unknown>): Promise<CheckState> {
  try {
    const result = await withTimeout(probe(), CHECK_TIMEOUT_MS);
    return result === false ? 'down' : 'ok';
  } catch {
    return 'down';
  }
}

/**
 * Postgres and the queue are required. Redis is reported but does not make the process
 * unready: catalog reads and rate limits have in-process fallbacks while it is away, so taking
 * every replica out of rotation over a Redis outage would turn a degradation into an outage.
 */
export async function checkReadiness(deps: ApiDeps, shuttingDown: boolean): Promise<Readiness> {
  const redis = deps.redis;
  const [postgres, queue, redisState] = await Promise.all([
    check(() => deps.db.$queryRaw`SELECT 1`),
    check(() => deps.queue.isInstalled()),
    redis ? check(() => pingRedis(redis)) : ('in-process' as const),
  ]);
  return {
    ready: !shuttingDown && postgres === 'ok' && queue === 'ok',
    checks: { postgres, queue, redis: redisState },
  };
}
