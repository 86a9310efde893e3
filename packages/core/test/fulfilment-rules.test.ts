// The fulfilment rules on their own: who is confirmed, who is rejected and why, what moves.
import { describe, expect, it } from 'vitest';
import { decideOrders, type PendingOrderLine } from '../src/order/fulfilment.rules.ts';
import type { LockedProduct } from '../src/product/product.lock.ts';

const cup: LockedProduct = { id: 'p-cup', name: 'Cup', stock: 5, deleted: false };
const mug: LockedProduct = { id: 'p-mug', name: 'Mug', stock: 1, deleted: false };
const gone: LockedProduct = { id: 'p-gone', name: 'Old vase', stock: 9, deleted: true };

function decide(orders: Record<string, PendingOrderLine[]>, products: LockedProduct[]) {
  return decideOrders(Object.keys(orders), new Map(Object.entries(orders)), products);
}

describe('decideOrders', () => {
  it('serves orders first come, first served as the stock runs down', () => {
    const { decisions, movements } = decide(
      {
        first: [{ productId: cup.id, quantity: 3 }],
        second: [{ productId: cup.id, quantity: 3 }],
        third: [{ productId: cup.id, quantity: 2 }],
      },
      [cup],
    );
    expect(decisions.get('first')).toEqual({ kind: 'CONFIRMED', productIds: [cup.id] });
    expect(decisions.get('second')).toEqual({
      kind: 'REJECTED',
      reasonCode: 'OUT_OF_STOCK',
      reason: 'Product "Cup" is out of stock: 3 requested, 2 available',
    });
    // A rejected order took nothing, so a later, smaller one still fits exactly.
    expect(decisions.get('third')?.kind).toBe('CONFIRMED');
    expect(movements).toEqual([
      { productId: cup.id, delta: -3, reason: 'ORDER_RESERVE', reference: 'first' },
      { productId: cup.id, delta: -2, reason: 'ORDER_RESERVE', reference: 'third' },
    ]);
  });

  it('rejects the whole order when one line does not fit, moving none of its lines', () => {
    const { decisions, movements } = decide(
      {
        both: [
          { productId: cup.id, quantity: 1 },
          { productId: mug.id, quantity: 2 },
        ],
      },
      [cup, mug],
    );
    expect(decisions.get('both')).toMatchObject({
      kind: 'REJECTED',
      reasonCode: 'OUT_OF_STOCK',
      reason: expect.stringContaining('"Mug"'),
    });
    expect(movements).toEqual([]);
  });

  it('names the first failing product: deleted or unknown products are unavailable', () => {
    const { decisions } = decide(
      {
        deleted: [{ productId: gone.id, quantity: 1 }],
        unknown: [{ productId: 'p-never', quantity: 1 }],
        empty: [],
      },
      [gone],
    );
    expect(decisions.get('deleted')).toEqual({
      kind: 'REJECTED',
      reasonCode: 'PRODUCT_UNAVAILABLE',
      reason: 'Product "Old vase" is no longer available',
    });
    expect(decisions.get('unknown')).toEqual({
      kind: 'REJECTED',
      reasonCode: 'PRODUCT_UNAVAILABLE',
      reason: 'Product "p-never" is no longer available',
    });
    expect(decisions.get('empty')).toEqual({
      kind: 'REJECTED',
      reasonCode: 'PRODUCT_UNAVAILABLE',
      reason: 'The order has no lines',
    });
  });

  it('an order can take a product down to exactly zero, never below', () => {
    const { decisions, movements } = decide(
      { all: [{ productId: mug.id, quantity: 1 }], more: [{ productId: mug.id, quantity: 1 }] },
      [mug],
    );
    expect(decisions.get('all')?.kind).toBe('CONFIRMED');
    expect(decisions.get('more')?.kind).toBe('REJECTED');
    expect(movements.reduce((sum, m) => sum + m.delta, mug.stock)).toBe(0);
  });
});
