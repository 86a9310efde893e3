// How an order's lines are checked and merged before any row is locked.
import { describe, expect, it } from 'vitest';
import { DomainError } from '../src/errors.ts';
import { createOrderInput, MAX_LINE_QUANTITY, MAX_ORDER_LINES } from '../src/order/order.schema.ts';
import { mergeLines } from '../src/order/order.service.ts';
import { issuesOf } from './issues.ts';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const C = '00000000-0000-4000-8000-00000000000c';

describe('mergeLines', () => {
  it('merges repeated products into one line with the summed quantity', () => {
    expect(
      mergeLines([
        { id: A, quantity: 2 },
        { id: B, quantity: 1 },
        { id: A, quantity: 3 },
      ]),
    ).toEqual([
      { productId: A, quantity: 5 },
      { productId: B, quantity: 1 },
    ]);
  });

  it('sorts lines by product id, the order rows are locked in', () => {
    const lines = mergeLines([
      { id: C, quantity: 1 },
      { id: A, quantity: 1 },
      { id: B, quantity: 1 },
    ]);
    expect(lines.map((line) => line.productId)).toEqual([A, B, C]);
  });

  it('gives the same lines for the same request however it is written', () => {
    // The idempotency hash is taken over these lines, so a reordered retry must match.
    const one = mergeLines([
      { id: B, quantity: 2 },
      { id: A, quantity: 1 },
      { id: B, quantity: 1 },
    ]);
    const other = mergeLines([
      { id: A, quantity: 1 },
      { id: B, quantity: 3 },
    ]);
    expect(one).toEqual(other);
  });

  it('allows the per-product maximum in total and refuses one more', () => {
    const half = MAX_LINE_QUANTITY / 2;
    expect(
      mergeLines([
        { id: A, quantity: half },
        { id: A, quantity: half },
      ]),
    ).toEqual([{ productId: A, quantity: MAX_LINE_QUANTITY }]);

    const over = () =>
      mergeLines([
        { id: A, quantity: half },
        { id: A, quantity: half + 1 },
      ]);
    expect(over).toThrow(DomainError);
    expect(over).toThrow(
      `Product ${A} is ordered ${MAX_LINE_QUANTITY + 1} times in all; at most ${MAX_LINE_QUANTITY} per product`,
    );
    try {
      over();
    } catch (error) {
      expect(error).toMatchObject({ kind: 'BAD_REQUEST' });
    }
  });

  it('leaves the input alone', () => {
    const items = [
      { id: B, quantity: 1 },
      { id: A, quantity: 1 },
    ];
    const copy = structuredClone(items);
    mergeLines(items);
    expect(items).toEqual(copy);
  });
});

describe('createOrderInput', () => {
  const line = { id: A, quantity: 1 };

  it('accepts 1 to 50 lines', () => {
    expect(createOrderInput.safeParse({ items: [line] }).success).toBe(true);
    const most = Array.from({ length: MAX_ORDER_LINES }, () => line);
    expect(createOrderInput.safeParse({ items: most }).success).toBe(true);
  });

  it('refuses an empty order and one line too many', () => {
    expect(issuesOf(createOrderInput, { items: [] })).toEqual({
      items: ['an order needs at least one line'],
    });
    const tooMany = Array.from({ length: MAX_ORDER_LINES + 1 }, () => line);
    expect(issuesOf(createOrderInput, { items: tooMany })).toEqual({
      items: ['an order has at most 50 lines'],
    });
  });

  it('checks each line: a product id, and a whole quantity from 1 to 1000', () => {
    expect(
      issuesOf(createOrderInput, {
        items: [
          { id: 'lamp', quantity: 1 },
          { id: A, quantity: 0 },
          { id: A, quantity: MAX_LINE_QUANTITY + 1 },
          { id: A, quantity: 1.5 },
          { id: A, quantity: '2' },
          { id: A },
        ],
      }),
    ).toEqual({
      'items.0.id': ['must be a product id (UUID)'],
      'items.1.quantity': ['must be at least 1'],
      'items.2.quantity': ['must be at most 1000'],
      'items.3.quantity': ['must be an integer'],
      // exact(): no coercion of "2" to 2, whatever the REST bridge does to bare number schemas.
      'items.4.quantity': ['must be a number'],
      'items.5.quantity': ['is required'],
    });
  });

  it('refuses unknown fields on a line, so no price can be sent along', () => {
    expect(issuesOf(createOrderInput, { items: [{ ...line, price: '0.01' }] })).toEqual({
      'items.0': ['unknown field "price"'],
    });
  });

  it('takes an idempotency key of printable ASCII without spaces', () => {
    expect(createOrderInput.parse({ items: [line], idempotencyKey: 'retry-42' })).toMatchObject({
      idempotencyKey: 'retry-42',
    });
    expect(issuesOf(createOrderInput, { items: [line], idempotencyKey: 'two words' })).toEqual({
      idempotencyKey: ['must be printable ASCII without spaces'],
    });
    expect(issuesOf(createOrderInput, { items: [line], idempotencyKey: '' })).toMatchObject({
      idempotencyKey: expect.arrayContaining(['must be 1–255 characters']),
    });
    expect(issuesOf(createOrderInput, { items: [line], idempotencyKey: 'k'.repeat(256) })).toEqual({
      idempotencyKey: ['must be 1–255 characters'],
    });
  });
});
