// Exact money: prices are decimal amounts with at most two decimals, carried as strings
// ("12.50") and stored as NUMERIC(12,2); totals are computed in integer cents.
import { z } from 'zod';
import { unlessMissing } from '../schema-helpers.ts';

export const MAX_PRICE_CENTS = 100_000_000_000n; // 1,000,000,000.00

const AMOUNT = /^(\d{1,10})(?:\.(\d{1,2}))?$/;

/** Cents of a canonical or user-typed amount, or null when it is not one. */
export function toCents(amount: string): bigint | null {
  const match = AMOUNT.exec(amount);
  if (!match) return null;
  const [, whole = '0', fraction = ''] = match;
  return BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0'));
}

export function formatCents(cents: bigint): string {
  const whole = cents / 100n;
  const fraction = (cents % 100n).toString().padStart(2, '0');
  return `${whole}.${fraction}`;
}

/**
 * A price as JSON sends it: a number (2, 6.5) or a string ("19.99"). At most two decimals,
 * 0 ≤ price ≤ 1,000,000,000. Becomes the canonical string "19.99".
 */
const PRICE_MESSAGE = 'must be a non-negative amount with at most 2 decimals';

export const priceInput = z
  .union([z.number(), z.string()], { error: unlessMissing(PRICE_MESSAGE) })
  .transform((value, ctx) => {
    // String(number) is the shortest exact decimal form JS has for it (e.g. 0.1 → "0.1").
    const text = typeof value === 'number' ? String(value) : value.trim();
    const cents = toCents(text);
    if (cents === null) {
      ctx.addIssue({ code: 'custom', message: PRICE_MESSAGE });
      return z.NEVER;
    }
    if (cents > MAX_PRICE_CENTS) {
      ctx.addIssue({ code: 'custom', message: 'must be at most 1000000000' });
      return z.NEVER;
    }
    return formatCents(cents);
  });
