// Caps on concurrent live streams per user and per client IP. Each open stream holds a lease
// in a Redis sorted set per holder (member: lease id, score: expiry), so the cap holds across
// every API replica. Leases are renewed while the stream is open and expire on their own when
// a process dies without releasing them (kill -9), so a crash never leaks slots for longer than
// the lease TTL. Without Redis (local mode), or while Redis is unreachable, the count is kept
// in this process's memory, like the rate limits' insurance limiters.
import { randomUUID } from 'node:crypto';
import type { Logger, Redis } from '@chronicle/core';

interface StreamHolder {
  userId: string;
  ip: string;
}

export interface StreamLease {
  /** Gives the slot back; safe to call more than once. */
  release(): Promise<void>;
}

type StreamSlotResult =
  { ok: true; lease: StreamLease } | { ok: false; limit: 'user' | 'ip'; max: number };

export interface StreamSlots {
  /** Takes one slot for the user and one for the IP, or neither (atomically). */
  acquire(holder: StreamHolder): Promise<StreamSlotResult>;
}

export interface StreamSlotConfig {
  perUser: number;
  perIp: number;
  /** How long a lease lives without renewal; renewed every third of it. */
  leaseMs?: number;
}

const LEASE_MS = 30_000;

// KEYS: one sorted set per holder. ARGV: lease id, lease ms, then the cap for each key.
// Redis's own clock scores the leases, so replicas with skewed clocks agree on expiry.
const ACQUIRE = `
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', ms)
  if redis.call('ZCARD', key) >= tonumber(ARGV[2 + i]) then return i end
end
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, ms + tonumber(ARGV[2]), ARGV[1])
  redis.call('PEXPIRE', key, ARGV[2])
end
return 0`;

const RENEW = `
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
for _, key in ipairs(KEYS) do
  if redis.call('ZSCORE', key, ARGV[1]) then
    redis.call('ZADD', key, ms + tonumber(ARGV[2]), ARGV[1])
    redis.call('PEXPIRE', key, ARGV[2])
  end
end
return 0`;

function holderKeys(holder: StreamHolder): [string, string] {
  return [`streams:user:${holder.userId}`, `streams:ip:${holder.ip}`];
}

/** Counts in this process only: one process is all there is in local mode. */
function memorySlots(config: StreamSlotConfig): StreamSlots {
  const counts = new Map<string, number>();
  const caps = [config.perUser, config.perIp];
  return {
    acquire(holder) {
      const keys = holderKeys(holder);
      // Check and take in one synchronous step: nothing can interleave within this process.
      for (const [i, key] of keys.entries()) {
        const max = caps[i] ?? 0;
        if ((counts.get(key) ?? 0) >= max) {
          return Promise.resolve({ ok: false, limit: i === 0 ? 'user' : 'ip', max });
        }
      }
      for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
      let released = false;
      return Promise.resolve({
        ok: true,
        lease: {
          release() {
            if (released) return Promise.resolve();
            released = true;
            for (const key of keys) {
              const left = (counts.get(key) ?? 1) - 1;
              if (left > 0) counts.set(key, left);
              else counts.delete(key);
            }
            return Promise.resolve();
          },
        },
      });
    },
  };
}

function redisSlots(
  redis: Redis,
  config: StreamSlotConfig,
  fallback: StreamSlots,
  logger: Logger,
): StreamSlots {
  const leaseMs = config.leaseMs ?? LEASE_MS;
  return {
    async acquire(holder) {
      const keys = holderKeys(holder);
      const id = randomUUID();
      let full: unknown;
      try {
        full = await redis.eval(
          ACQUIRE,
          keys.length,
          ...keys,
          id,
          leaseMs,
          config.perUser,
          config.perIp,
        );
      } catch (error) {
        logger.warn(
          { err: error instanceof Error ? error.message : String(error) },
          'stream caps unavailable in Redis; counting in this process',
        );
        return fallback.acquire(holder);
      }
      if (full === 1) return { ok: false, limit: 'user', max: config.perUser };
      if (full === 2) return { ok: false, limit: 'ip', max: config.perIp };
      const renew = setInterval(() => {
        // A failed renewal only shortens the lease: the slot frees itself a little early.
        redis.eval(RENEW, keys.length, ...keys, id, leaseMs).catch(() => undefined);
      }, leaseMs / 3);
      // An open stream must not keep the process alive at shutdown.
      renew.unref();
      let released: Promise<void> | undefined;
      return {
        ok: true,
        lease: {
          release() {
            released ??= (async () => {
              clearInterval(renew);
              // Unreachable Redis: the lease expires by itself within its TTL.
              await Promise.all(keys.map((key) => redis.zrem(key, id))).catch(() => undefined);
            })();
            return released;
          },
        },
      };
    },
  };
}

export function createStreamSlots(
  redis: Redis | undefined,
  config: StreamSlotConfig,
  logger: Logger,
): StreamSlots {
  const memory = memorySlots(config);
  return redis ? redisSlots(redis, config, memory, logger) : memory;
}
