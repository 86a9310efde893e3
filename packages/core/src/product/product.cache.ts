// A cache in front of catalog reads: Redis (shared by every process), or an in-process store
// for single-process local mode (no REDIS_URL).
//
// Every cached value carries the generation it was read under, and a read only trusts a value
// whose generation is still current (the value and its generation come back in one MGET).
// Writers bump the generation after their commit, so a reader that loaded old data just before
// a write can never make it look current again. A product has its own generation; every catalog
// page shares one list generation:
// - admin writes bump the product's generation and the list generation: read-after-write holds;
// - order stock changes bump only the product's: pages may lag by at most CATALOG_LIST_TTL_MS.
// Concurrent misses on one key in this process share one database read. If Redis is down or
// slower than REDIS_COMMAND_TIMEOUT_MS, reads go straight to the database.
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import superjson from 'superjson';
import type { Db } from '@chronicle/db';
import type { CoreEnv } from '../env.ts';
import type { Logger } from '../logger.ts';
import type { Redis } from '../redis.ts';
import type { ListProductsInput, Product, ProductPage } from './product.schema.ts';
import { findLiveProduct, listProducts } from './product.service.ts';

/** The X-Cache header of catalog reads: served from Redis, loaded, or loaded with Redis down. */
export const cacheStatuses = ['HIT', 'MISS', 'BYPASS'] as const;
type CacheStatus = (typeof cacheStatuses)[number];

export interface Cached<T> {
  value: T;
  cache: CacheStatus;
}

interface CatalogCacheStats {
  hits: number;
  misses: number;
  /** Reads that skipped Redis because it failed or timed out. */
  bypasses: number;
  /** Database reads made on behalf of cache misses and bypasses. */
  dbReads: number;
}

export interface CatalogCache {
  getProduct(id: string): Promise<Cached<Product | null>>;
  listProducts(input: ListProductsInput): Promise<Cached<ProductPage>>;
  /** After an admin write: the products and every cached page. Resolves once Redis has it. */
  invalidateForAdminWrite(productId: string): Promise<void>;
  /** After order stock changes: the products only (pages expire on their own). */
  invalidateProducts(productIds: readonly string[]): Promise<void>;
  readonly stats: CatalogCacheStats;
}

/** Where cached values and their generations live. */
export interface CacheStore {
  /** The value under `key` (or null) and the current generation under `generationKey`. */
  read(key: string, generationKey: string): Promise<[string | null, string]>;
  write(key: string, value: string, ttlMs: number): Promise<void>;
  /** Increments each generation and deletes each value, atomically where the store can. */
  bump(generationKeys: readonly string[], keys: readonly string[]): Promise<void>;
}

export function redisCacheStore(redis: Redis): CacheStore {
  return {
    async read(key, generationKey) {
      const [value, generation] = await redis.mget(key, generationKey);
      return [value ?? null, generation ?? '0'];
    },
    async write(key, value, ttlMs) {
      await redis.set(key, value, 'PX', ttlMs);
    },
    async bump(generationKeys, keys) {
      await redis
        .multi([
          ...generationKeys.map((key): [string, string] => ['incr', key]),
          ...keys.map((key): [string, string] => ['del', key]),
        ])
        .exec();
    },
  };
}

/**
 * One process's memory: for local mode only, where the API and the worker share the process
 * (a separate process would never see this store's invalidations).
 */
export function memoryCacheStore(maxEntries = 10_000): CacheStore {
  const values = new LRUCache<string, string>({ max: maxEntries, ttlAutopurge: false });
  const generations = new Map<string, number>();
  return {
    read(key, generationKey) {
      return Promise.resolve([
        values.get(key) ?? null,
        String(generations.get(generationKey) ?? 0),
      ]);
    },
    write(key, value, ttlMs) {
      values.set(key, value, { ttl: ttlMs });
      return Promise.resolve();
    },
    bump(generationKeys, keys) {
      for (const key of generationKeys) generations.set(key, (generations.get(key) ?? 0) + 1);
      for (const key of keys) values.delete(key);
      return Promise.resolve();
    },
  };
}

const productKey = (id: string) => `product:${id}`;
const productGenerationKey = (id: string) => `product:${id}:gen`;
const LIST_GENERATION_KEY = 'products:list:gen';

function listKey(input: ListProductsInput): string {
  const normalized = JSON.stringify([
    input.sort,
    input.limit,
    input.q ?? null,
    input.inStock ?? null,
    input.cursor ?? null,
  ]);
  return `products:list:${createHash('sha256').update(normalized).digest('base64url')}`;
}

interface Entry<T> {
  generation: string;
  value: T;
}

export function createCatalogCache(deps: {
  db: Db;
  store: CacheStore;
  logger: Logger;
  env: Pick<CoreEnv, 'CATALOG_CACHE_TTL_SECONDS' | 'CATALOG_LIST_TTL_MS'>;
}): CatalogCache {
  const { db, store, logger, env } = deps;
  const stats: CatalogCacheStats = { hits: 0, misses: 0, bypasses: 0, dbReads: 0 };
  const inFlight = new Map<string, Promise<unknown>>();

  function loadOnce<T>(flightKey: string, load: () => Promise<T>): Promise<T> {
    const pending = inFlight.get(flightKey);
    if (pending) return pending as Promise<T>;
    stats.dbReads += 1;
    const promise = load().finally(() => inFlight.delete(flightKey));
    inFlight.set(flightKey, promise);
    return promise;
  }

  async function cached<T>(
    key: string,
    generationKey: string,
    ttlMs: number,
    load: () => Promise<T>,
  ): Promise<Cached<T>> {
    let raw: string | null;
    let generation: string;
    try {
      [raw, generation] = await store.read(key, generationKey);
    } catch {
      stats.bypasses += 1;
      return { value: await loadOnce(`${key}@bypass`, load), cache: 'BYPASS' };
    }
    if (raw !== null) {
      const entry = superjson.parse<Entry<T>>(raw);
      if (entry.generation === generation) {
        stats.hits += 1;
        return { value: entry.value, cache: 'HIT' };
      }
    }
    stats.misses += 1;
    // The fill is part of the flight, so misses arriving until the value is in Redis join it.
    const value = await loadOnce(`${key}@${generation}`, async () => {
      const loaded = await load();
      if (loaded !== null) {
        const entry: Entry<T> = { generation, value: loaded };
        // A failed fill only costs a later miss.
        await store.write(key, superjson.stringify(entry), ttlMs).catch(() => undefined);
      }
      return loaded;
    });
    return { value, cache: 'MISS' };
  }

  async function bump(
    generationKeys: readonly string[],
    keys: readonly string[],
    what: string,
  ): Promise<void> {
    try {
      await store.bump(generationKeys, keys);
    } catch (error) {
      // Values keep their TTL, so a missed invalidation heals by itself within it.
      logger.warn(
        { err: error instanceof Error ? error.message : error, what },
        'cache invalidation failed',
      );
    }
  }

  return {
    stats,
    getProduct: (id) =>
      cached(productKey(id), productGenerationKey(id), env.CATALOG_CACHE_TTL_SECONDS * 1_000, () =>
        findLiveProduct(db, id),
      ),
    listProducts: (input) =>
      cached(listKey(input), LIST_GENERATION_KEY, env.CATALOG_LIST_TTL_MS, () =>
        listProducts(db, input),
      ),
    invalidateForAdminWrite: (productId) =>
      bump(
        [productGenerationKey(productId), LIST_GENERATION_KEY],
        [productKey(productId)],
        `product ${productId} and lists`,
      ),
    invalidateProducts: async (productIds) => {
      if (productIds.length === 0) return;
      await bump(
        productIds.map(productGenerationKey),
        productIds.map(productKey),
        `products ${productIds.join(',')}`,
      );
    },
  };
}
