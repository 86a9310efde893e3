import { describe, expect, it } from 'vitest';
import { exceedsJsonDepth, JSON_MAX_DEPTH } from '../src/http/json-depth.ts';

const nested = (depth: number, open = '[', close = ']') =>
  JSON.parse(`${open.repeat(depth)}${close.repeat(depth)}`) as unknown;

describe('exceedsJsonDepth', () => {
  it('counts arrays and objects, not scalars', () => {
    expect(exceedsJsonDepth('text', 0)).toBe(false);
    expect(exceedsJsonDepth(null, 0)).toBe(false);
    expect(exceedsJsonDepth([], 0)).toBe(true);
    expect(exceedsJsonDepth({ a: 1, b: 'x' }, 1)).toBe(false);
    expect(exceedsJsonDepth({ a: [1, { b: [] }] }, 3)).toBe(true);
    expect(exceedsJsonDepth({ a: [1, { b: [] }] }, 4)).toBe(false);
  });

  it('allows exactly the limit and refuses one more, in arrays and objects', () => {
    expect(exceedsJsonDepth(nested(JSON_MAX_DEPTH))).toBe(false);
    expect(exceedsJsonDepth(nested(JSON_MAX_DEPTH + 1))).toBe(true);
    const objects = (depth: number) =>
      JSON.parse(`${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`) as unknown;
    expect(exceedsJsonDepth(objects(JSON_MAX_DEPTH))).toBe(false);
    expect(exceedsJsonDepth(objects(JSON_MAX_DEPTH + 1))).toBe(true);
  });

  it('finds the deep branch among wide shallow ones', () => {
    const wide = Array.from({ length: 1_000 }, (_, i) => ({ i, tags: ['x'] }));
    expect(exceedsJsonDepth([...wide, nested(JSON_MAX_DEPTH)])).toBe(true);
    expect(exceedsJsonDepth(wide)).toBe(false);
  });

  it('does not recurse: 1,000,000 levels are answered without exhausting the stack', () => {
    expect(exceedsJsonDepth(nested(1_000_000))).toBe(true);
    expect(exceedsJsonDepth(nested(1_000_000), 2_000_000)).toBe(false);
  });

  it('sees a parsed "__proto__" key like any other', () => {
    const polluted = JSON.parse(
      `{"__proto__": ${JSON.stringify(nested(JSON_MAX_DEPTH))}}`,
    ) as unknown;
    expect(exceedsJsonDepth(polluted)).toBe(true);
  });
});
