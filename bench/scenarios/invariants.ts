// After all scenarios: no product below zero, every product's stock equal to its ledger, and no
// order left PENDING.
import { invariants as readInvariants } from '../orders.ts';
import type { Scenario } from './context.ts';

export const invariants: Scenario = {
  name: 'invariants',
  async run({ db }) {
    const final = await readInvariants(db);
    const check = {
      what: 'zero oversell, ledger = stock, no order left PENDING (all scenarios)',
      ok: final.negativeStock === 0 && final.ledgerMismatches === 0 && final.pending === 0,
      detail: JSON.stringify(final),
    };
    return { rows: [], checks: [check] };
  },
};
