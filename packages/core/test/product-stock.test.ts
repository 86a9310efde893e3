import { describe, expect, it } from 'vitest';
import { stockChanges, type StockMovement } from '../src/product/product.stock.ts';

const A = '00000000-0000-7000-8000-00000000000a';
const B = '00000000-0000-7000-8000-00000000000b';

describe('stock changes from movements', () => {
  it('sums the movements of a product into one write, products in id order', () => {
    const movements: StockMovement[] = [
      { productId: B, delta: -2, reason: 'ORDER_RESERVE', reference: 'order-1' },
      { productId: A, delta: -1, reason: 'ORDER_RESERVE', reference: 'order-1' },
      { productId: B, delta: -3, reason: 'ORDER_RESERVE', reference: 'order-2' },
    ];
    expect(stockChanges(movements).products).toEqual({ ids: [A, B], deltas: [-1, -5] });
  });

  it('keeps one ledger row per movement, as given', () => {
    const movements: StockMovement[] = [
      { productId: B, delta: 4, reason: 'ORDER_CANCEL', reference: 'order-1' },
      { productId: B, delta: -1, reason: 'ADMIN_ADJUST', reference: 'admin-1' },
    ];
    expect(stockChanges(movements).ledger).toEqual({
      ids: [B, B],
      deltas: [4, -1],
      reasons: ['ORDER_CANCEL', 'ADMIN_ADJUST'],
      references: ['order-1', 'admin-1'],
    });
  });

  it('is empty for no movements', () => {
    expect(stockChanges([])).toEqual({
      products: { ids: [], deltas: [] },
      ledger: { ids: [], deltas: [], reasons: [], references: [] },
    });
  });
});
