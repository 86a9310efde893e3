// Keyset cursors for the catalog: what encodeProductCursor writes, listProductsInput reads back.
import { describe, expect, it } from 'vitest';
import {
  encodeProductCursor,
  listProductsInput,
  MAX_NAME_LENGTH,
  type ProductCursor,
} from '../src/product/product.schema.ts';
import { issuesOf } from './issues.ts';

const ID = '3f2b8c1e-4d5a-4b6c-8d7e-9f0a1b2c3d4e';
const INVALID_CURSOR = 'must be a cursor from a previous page with the same sort';

/** A cursor as a client could forge it: any JSON, base64url-encoded like a real one. */
const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('encodeProductCursor → listProductsInput', () => {
  it.each<ProductCursor>([
    ['newest', '', ID],
    ['price_asc', '0.00', ID],
    ['price_desc', '1000000000.00', ID],
    ['name', 'Café — “quoted” / +?', ID],
  ])('reads back %j with its sort', (...cursor) => {
    const input = listProductsInput.parse({ sort: cursor[0], cursor: encodeProductCursor(cursor) });
    expect(input.cursor).toEqual(cursor);
  });

  it('writes URL-safe text, so a cursor can go in a query string as is', () => {
    // "?>" and "~~" encode to "/" and "+" in plain base64.
    const text = encodeProductCursor(['name', '?>~~ÿ', ID]);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('refuses a cursor from another sort', () => {
    const cursor = encodeProductCursor(['price_asc', '12.50', ID]);
    expect(issuesOf(listProductsInput, { sort: 'price_desc', cursor })).toEqual({
      cursor: [INVALID_CURSOR],
    });
    // The default sort is newest, so a sorted cursor without its sort is refused too.
    expect(issuesOf(listProductsInput, { cursor })).toEqual({ cursor: [INVALID_CURSOR] });
  });

  it.each([
    ['not base64 JSON', 'not-a-cursor'],
    ['JSON of the wrong shape', forged({ sort: 'newest', id: ID })],
    ['an id that is no UUID', forged(['newest', '', 'x'])],
    ['a value for newest', forged(['newest', '5', ID])],
    ['a price with one decimal', forged(['price_asc', '12.5', ID])],
    ['a negative price', forged(['price_asc', '-1.00', ID])],
    ['a price with 11 digits', forged(['price_asc', '12345678901.00', ID])],
    ['a number for a price', forged(['price_asc', 12.5, ID])],
    ['an unknown sort', forged(['rating', '5', ID])],
    ['a name too long for the column', forged(['name', 'n'.repeat(MAX_NAME_LENGTH + 1), ID])],
    ['a name with NUL', forged(['name', 'a\0b', ID])],
    ['an extra element', forged(['newest', '', ID, 'more'])],
  ])('refuses %s with one message', (_, cursor) => {
    expect(issuesOf(listProductsInput, { cursor })).toEqual({ cursor: [INVALID_CURSOR] });
  });

  it('refuses an over-long cursor, saying so', () => {
    const { cursor } = issuesOf(listProductsInput, { cursor: 'a'.repeat(513) });
    expect(cursor).toContain('must be at most 512 characters');
  });
});

describe('listProductsInput', () => {
  it('defaults to the newest 20', () => {
    expect(listProductsInput.parse({})).toEqual({ limit: 20, sort: 'newest' });
  });

  it('reads query-string values: limit as a number, inStock as a boolean, q trimmed', () => {
    expect(listProductsInput.parse({ limit: '5', inStock: 'true', q: '  lamp ' })).toEqual({
      limit: 5,
      inStock: true,
      q: 'lamp',
      sort: 'newest',
    });
  });

  it('bounds the limit and knows its sorts and fields', () => {
    expect(issuesOf(listProductsInput, { limit: 0 })).toEqual({ limit: ['must be at least 1'] });
    expect(issuesOf(listProductsInput, { limit: 101 })).toEqual({
      limit: ['must be at most 100'],
    });
    expect(issuesOf(listProductsInput, { sort: 'rating' })).toEqual({
      sort: ['must be one of: newest, price_asc, price_desc, name'],
    });
    expect(issuesOf(listProductsInput, { page: 2 })).toEqual({ '': ['unknown field "page"'] });
  });
});
