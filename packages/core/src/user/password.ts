// Password hashing with argon2id at OWASP's recommended parameters (m=19 MiB, t=2, p=1).
// The native library hashes on libuv's thread pool, off the event loop.
import { hash, verify, type Algorithm } from '@node-rs/argon2';

// `Algorithm` is an ambient const enum, usable only as a type under verbatimModuleSyntax,
// so its Argon2id member (2) is written out here.
// eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment
const argon2id: Algorithm.Argon2id = 2;

const options = {
  algorithm: argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, options);
}

let dummyHash: Promise<string> | undefined;

/**
 * Verifies `password` against `passwordHash`; with no hash (unknown account) it verifies
 * against a dummy hash of the same cost, so both cases take the same time.
 */
export async function verifyPassword(
  passwordHash: string | null,
  password: string,
): Promise<boolean> {
  if (passwordHash === null) {
    dummyHash ??= hashPassword('chronicle-timing-equaliser');
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  return verify(passwordHash, password).catch(() => false);
}
