// Time-ordered ids (UUID version 7, RFC 9562) made in this process, for rows written with raw SQL
// that Prisma would otherwise have given a `@default(uuid(7))`: PostgreSQL 15 has no uuidv7().
import { getRandomValues } from 'node:crypto';

const MAX_SEQUENCE = 0xfff;
let lastMs = -1;
let sequence = 0;

/**
 * A new UUIDv7: 48 bits of Unix milliseconds, then a 12-bit counter (RFC 9562 method 1), then 62
 * random bits. Ids made in one process are strictly increasing, also within one millisecond and
 * when the clock steps back, so id order is creation order, as listings assume.
 */
export function uuidv7(now = Date.now()): string {
  const random = getRandomValues(new Uint8Array(10));
  if (now > lastMs) {
    lastMs = now;
    // A random start in the lower half leaves room to count up within the millisecond.
    sequence = (((random[8] ?? 0) & 0x7f) << 4) | ((random[9] ?? 0) & 0x0f);
  } else if (sequence < MAX_SEQUENCE) {
    sequence += 1;
  } else {
    // The counter ran out (or the clock went back far): borrow the next millisecond.
    lastMs += 1;
    sequence = 0;
  }
  const bytes = new Uint8Array(16);
  let ms = lastMs;
  for (let i = 5; i >= 0; i -= 1) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = 0x80 | ((random[0] ?? 0) & 0x3f);
  bytes.set(random.subarray(1, 8), 9);
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
