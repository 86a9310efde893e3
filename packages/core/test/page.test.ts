import { describe, expect, it } from 'vitest';
import { page, pageTake } from '../src/page.ts';

const id = (row: { id: string }) => row.id;
const rowsOf = (...ids: string[]) => ids.map((value) => ({ id: value }));

describe('keyset page', () => {
  it('fetches one row more than the page holds', () => {
    expect(pageTake(20)).toBe(21);
  });

  it('has a cursor, the last row kept, when more rows than the limit came back', () => {
    expect(page(rowsOf('a', 'b', 'c'), 2, id)).toEqual({
      items: rowsOf('a', 'b'),
      nextCursor: 'b',
    });
  });

  it('is the last page when exactly the limit came back', () => {
    expect(page(rowsOf('a', 'b'), 2, id)).toEqual({ items: rowsOf('a', 'b'), nextCursor: null });
  });

  it('is the last page when fewer came back, or none', () => {
    expect(page(rowsOf('a'), 2, id)).toEqual({ items: rowsOf('a'), nextCursor: null });
    expect(page([], 2, id)).toEqual({ items: [], nextCursor: null });
  });

  it('asks for the cursor of the last kept row only', () => {
    const asked: string[] = [];
    page(rowsOf('a', 'b', 'c'), 2, (row) => {
      asked.push(row.id);
      return `cursor:${row.id}`;
    });
    expect(asked).toEqual(['b']);
  });
});
