// Access tokens: HS256 only, always with an expiry, issuer and audience, all checked on verify,
// and never accepted older than JWT_MAX_AGE_SECONDS since their `iat`.
import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { roleSchema, type PublicUser, type RoleName } from '@chronicle/core';
import type { ApiEnv } from '../env.ts';

type SigningEnv = Pick<ApiEnv, 'JWT_SECRET' | 'JWT_ISSUER' | 'JWT_AUDIENCE' | 'JWT_TTL_SECONDS'>;
type VerifyingEnv = Pick<
  ApiEnv,
  'JWT_SECRET' | 'JWT_ISSUER' | 'JWT_AUDIENCE' | 'JWT_MAX_AGE_SECONDS'
>;

/**
 * How far in the future an `iat` may lie: replicas' clocks drift a little, but a token issued
 * later than that was not issued by us. Not applied to `exp`, which stays exact.
 */
const ISSUED_AT_SKEW_SECONDS = 60;

/**
 * The protected header we accept. `crit` lists extensions the recipient must understand or else
 * reject the token (RFC 7515 §4.1.11); we implement none, so any `crit` at all is refused. `typ`
 * is optional (RFC 7519 §5.1), but when present must say JWT, as ours always do.
 */
const headerSchema = z.object({
  alg: z.literal('HS256'),
  typ: z.string().regex(/^JWT$/i).optional(),
  crit: z.never().optional(),
});

const claimsSchema = z.object({
  sub: z.uuid(),
  role: roleSchema,
  iat: z.number(),
  exp: z.number(),
});

/**
 * The secret as a key object, made once per secret: given a string, jsonwebtoken builds a new
 * key object on every sign and verify (measurable on the hot path).
 */
const keys = new Map<string, KeyObject>();
function keyFor(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) {
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    keys.set(secret, key);
  }
  return key;
}

export interface AccessToken {
  token: string;
  expiresIn: number;
}

export function signAccessToken(
  env: SigningEnv,
  user: Pick<PublicUser, 'id' | 'role'>,
): AccessToken {
  const token = jwt.sign({ role: user.role }, keyFor(env.JWT_SECRET), {
    algorithm: 'HS256',
    subject: user.id,
    issuer: env.JWT_ISSUER,
    audience: env.JWT_AUDIENCE,
    expiresIn: env.JWT_TTL_SECONDS,
  });
  return { token, expiresIn: env.JWT_TTL_SECONDS };
}

interface Claims {
  userId: string;
  role: RoleName;
}

/**
 * Tokens already verified: a client sends the same token with every request, and checking its
 * signature and claims again each time was about a fifteenth of an accepted order's CPU. Only
 * tokens that verified are kept, each with the settings it was verified under and the instant it
 * stops being acceptable (its `exp`, or `iat` + JWT_MAX_AGE_SECONDS if sooner), so a hit answers
 * exactly what verifying again would. Bounded: the oldest entry goes first.
 */
const VERIFIED_MAX = 10_000;
interface Verified {
  claims: Claims;
  untilMs: number;
  env: VerifyingEnv;
}
const verified = new Map<string, Verified>();

const sameSettings = (a: VerifyingEnv, b: VerifyingEnv): boolean =>
  a === b ||
  (a.JWT_SECRET === b.JWT_SECRET &&
    a.JWT_ISSUER === b.JWT_ISSUER &&
    a.JWT_AUDIENCE === b.JWT_AUDIENCE &&
    a.JWT_MAX_AGE_SECONDS === b.JWT_MAX_AGE_SECONDS);

/** The token's subject and role, or null for anything not signed, current and addressed to us. */
export function verifyAccessToken(env: VerifyingEnv, token: string): Claims | null {
  const hit = verified.get(token);
  if (hit && sameSettings(hit.env, env)) {
    if (Date.now() < hit.untilMs) return hit.claims;
    verified.delete(token);
  }
  const checked = verifyNow(env, token);
  if (!checked) return null;
  if (verified.size >= VERIFIED_MAX) {
    const oldest = verified.keys().next();
    if (!oldest.done) verified.delete(oldest.value);
  }
  verified.set(token, checked);
  return checked.claims;
}

function verifyNow(env: VerifyingEnv, token: string): Verified | null {
  try {
    const { header, payload } = jwt.verify(token, keyFor(env.JWT_SECRET), {
      algorithms: ['HS256'],
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      maxAge: env.JWT_MAX_AGE_SECONDS,
      complete: true,
    });
    if (!headerSchema.safeParse(header).success) return null;
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) return null;
    const { sub, role, iat, exp } = claims.data;
    if (iat > Date.now() / 1000 + ISSUED_AT_SKEW_SECONDS) return null;
    const untilMs = Math.min(exp, iat + env.JWT_MAX_AGE_SECONDS) * 1000;
    return { claims: { userId: sub, role }, untilMs, env };
  } catch {
    return null;
  }
}

/**
 * The token from an `Authorization: Bearer <token>` header, if that is what it holds. The scheme
 * is matched case-insensitively (RFC 9110 §11.1) and may be followed by more than one space
 * (`1*SP`); the token itself must still be exactly one compact JWS.
 */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/i.exec(header.trim());
  return match?.[1] ?? null;
}
