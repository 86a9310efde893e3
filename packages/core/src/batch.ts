// Gathering concurrent lookups into one query, without a timer: the first lookup starts a query
// at once; the ones that arrive while it runs wait and form the next query. So every lookup reads
// the database after it arrived (nothing older than the request is ever returned), and under
// load one query answers many requests.

/** Looks up many keys at once; keys missing from the map resolve to undefined. */
export type BatchLoad<K, V> = (keys: readonly K[]) => Promise<ReadonlyMap<K, V>>;

interface Waiter<V> {
  resolve(value: V | undefined): void;
  reject(error: unknown): void;
}

export function createBatchLoader<K, V>(
  load: BatchLoad<K, V>,
  maxBatch = 500,
): (key: K) => Promise<V | undefined> {
  const pending = new Map<K, Waiter<V>[]>();
  let running = false;

  const run = async (): Promise<void> => {
    running = true;
    while (pending.size > 0) {
      const batch = new Map<K, Waiter<V>[]>();
      for (const [key, waiters] of pending) {
        if (batch.size >= maxBatch) break;
        batch.set(key, waiters);
      }
      for (const key of batch.keys()) pending.delete(key);
      try {
        const found = await load([...batch.keys()]);
        for (const [key, waiters] of batch) {
          for (const waiter of waiters) waiter.resolve(found.get(key));
        }
      } catch (error) {
        for (const waiters of batch.values()) for (const waiter of waiters) waiter.reject(error);
      }
    }
    running = false;
  };

  return (key) =>
    new Promise<V | undefined>((resolve, reject) => {
      const waiters = pending.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else pending.set(key, [{ resolve, reject }]);
      if (!running) void run();
    });
}
