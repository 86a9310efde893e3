// Exact money: amounts as text, two decimals at most, arithmetic in integer cents.
import { describe, expect, it } from 'vitest';
import { formatCents, MAX_PRICE_CENTS, priceInput, toCents } from '../src/product/money.ts';
import { createProductInput } from '../src/product/product.schema.ts';
import { issuesOf, messageOf } from './issues.ts';

const PRICE_MESSAGE = 'must be a non-negative amount with at most 2 decimals';

describe('toCents', () => {
  it.each([
    ['0', 0n],
    ['7', 700n],
    ['12.5', 1250n],
    ['12.50', 1250n],
    ['0.05', 5n],
    ['1234567890.99', 123_456_789_099n],
  ])('reads %s as %s cents', (text, cents) => {
    expect(toCents(text)).toBe(cents);
  });

  it.each(['', '12.345', '-1', '+1', '1e3', '.5', '1.', ' 1', '1,50', '12345678901', 'abc'])(
    'refuses %j',
    (text) => {
      expect(toCents(text)).toBeNull();
    },
  );
});

describe('formatCents', () => {
  it.each([
    [0n, '0.00'],
    [5n, '0.05'],
    [50n, '0.50'],
    [1250n, '12.50'],
    [MAX_PRICE_CENTS, '1000000000.00'],
  ])('prints %s cents as %s', (cents, text) => {
    expect(formatCents(cents)).toBe(text);
  });

  it('is the inverse of toCents on canonical amounts', () => {
    for (const text of ['0.00', '0.01', '9.99', '19.90', '999999999.99']) {
      const cents = toCents(text);
      expect(cents).not.toBeNull();
      if (cents !== null) expect(formatCents(cents)).toBe(text);
    }
  });

  it('adds and multiplies exactly where floating point does not', () => {
    // 0.1 + 0.2 is 0.30000000000000004 in floating point; in cents it is 30.
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(formatCents((toCents('0.1') ?? 0n) + (toCents('0.2') ?? 0n))).toBe('0.30');
    // An order total: unit price × quantity, summed over lines.
    const total = (toCents('19.99') ?? 0n) * 3n + (toCents('0.01') ?? 0n) * 1000n;
    expect(formatCents(total)).toBe('69.97');
  });
});

describe('priceInput', () => {
  it.each([
    [2, '2.00'],
    [6.5, '6.50'],
    [0.1, '0.10'],
    [0, '0.00'],
    ['19.99', '19.99'],
    [' 19.9 ', '19.90'],
    ['1000000000', '1000000000.00'],
    [1_000_000_000, '1000000000.00'],
  ])('accepts %j as %j', (input, canonical) => {
    expect(priceInput.parse(input)).toBe(canonical);
  });

  // Rows are wrapped: it.each would spread a bare array row into arguments.
  it.each([
    [1.005],
    [-1],
    ['-0.01'],
    ['12.345'],
    ['1e3'],
    [1e21],
    [''],
    ['ten'],
    [true],
    [null],
    [[]],
    [{}],
  ])('refuses %j with one message', (input) => {
    expect(messageOf(priceInput, input)).toBe(PRICE_MESSAGE);
  });

  it('refuses anything above one billion', () => {
    expect(messageOf(priceInput, '1000000000.01')).toBe('must be at most 1000000000');
    expect(messageOf(priceInput, 1_000_000_000.01)).toBe('must be at most 1000000000');
  });

  it('reports a malformed price on its field, with its own message', () => {
    expect(Object.keys(issuesOf(createProductInput, { name: 'Lamp', stock: 1 }))).toEqual([
      'price',
    ]);
    expect(issuesOf(createProductInput, { name: 'Lamp', stock: 1, price: 'free' })).toEqual({
      price: [PRICE_MESSAGE],
    });
  });
});

describe('a missing price', () => {
  it('is required, not invalid (a union fails every branch on a missing value)', async () => {
    const { createProductInput } = await import('../src/product/product.schema.ts');
    const result = createProductInput.safeParse({ name: 'Kopi', stock: 1 });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
      ['price', 'is required'],
    ]);
  });
});
