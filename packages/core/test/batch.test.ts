// Concurrent lookups gathered into one query, and never answered from a query that started
// before the lookup arrived.
import { describe, expect, it } from 'vitest';
import { createBatchLoader } from '../src/batch.ts';

/** A load function whose queries the test completes by hand, recording the keys of each. */
function manualLoad() {
  const queries: { keys: readonly string[]; finish(): void; fail(error: Error): void }[] = [];
  let version = 0;
  const load = (keys: readonly string[]) =>
    new Promise<Map<string, string>>((resolve, reject) => {
      const startedAt = version;
      queries.push({
        keys,
        finish: () => {
          resolve(
            new Map(keys.filter((k) => k !== 'missing').map((k) => [k, `${k}@${startedAt}`])),
          );
        },
        fail: reject,
      });
    });
  return { queries, load, bump: () => (version += 1) };
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('createBatchLoader', () => {
  it('starts the first lookup at once and gathers those that arrive meanwhile into one query', async () => {
    const { queries, load } = manualLoad();
    const find = createBatchLoader(load);
    const first = find('a');
    expect(queries.map((q) => q.keys)).toEqual([['a']]);
    const later = [find('b'), find('c'), find('b'), find('missing')];
    await settle();
    expect(queries).toHaveLength(1);
    queries[0]?.finish();
    expect(await first).toBe('a@0');
    await settle();
    expect(queries.map((q) => q.keys)).toEqual([['a'], ['b', 'c', 'missing']]);
    queries[1]?.finish();
    expect(await Promise.all(later)).toEqual(['b@0', 'c@0', 'b@0', undefined]);
  });

  it('never answers a lookup from a query that started before it arrived', async () => {
    const { queries, load, bump } = manualLoad();
    const find = createBatchLoader(load);
    const before = find('user');
    bump(); // the row changes after the first query started
    const after = find('user');
    queries[0]?.finish();
    expect(await before).toBe('user@0');
    await settle();
    queries[1]?.finish();
    expect(await after).toBe('user@1');
  });

  it('fails only the lookups of a failed query, and keeps going', async () => {
    const { queries, load } = manualLoad();
    const find = createBatchLoader(load);
    const failed = find('x');
    const next = find('y');
    queries[0]?.fail(new Error('connection lost'));
    await expect(failed).rejects.toThrow('connection lost');
    await settle();
    queries[1]?.finish();
    expect(await next).toBe('y@0');
  });

  it('caps the keys of one query', async () => {
    const { queries, load } = manualLoad();
    const find = createBatchLoader(load, 2);
    const all = ['a', 'b', 'c', 'd', 'e'].map((key) => find(key));
    for (let i = 0; i < 3; i += 1) {
      await settle();
      queries[i]?.finish();
    }
    expect(await Promise.all(all)).toEqual(['a@0', 'b@0', 'c@0', 'd@0', 'e@0']);
    expect(queries.map((q) => q.keys)).toEqual([['a'], ['b', 'c'], ['d', 'e']]);
  });
});
