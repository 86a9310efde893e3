// Access tokens: HS256 only, always with an expiry, issuer and audience, all checked on verify.
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { roleSchema, type PublicUser, type RoleName } from '@chronicle/core';
import type { ApiEnv } from '../env.ts';

type JwtEnv = Pick<ApiEnv, 'JWT_SECRET' | 'JWT_ISSUER' | 'JWT_AUDIENCE' | 'JWT_TTL_SECONDS'>;

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

export interface AccessToken {
  token: string;
  expiresIn: number;
}

export function signAccessToken(env: JwtEnv, user: Pick<PublicUser, 'id' | 'role'>): AccessToken {
  const token = jwt.sign({ role: user.role }, env.JWT_SECRET, {
    algorithm: 'HS256',
    subject: user.id,
    issuer: env.JWT_ISSUER,
    audience: env.JWT_AUDIENCE,
    expiresIn: env.JWT_TTL_SECONDS,
  });
  return { token, expiresIn: env.JWT_TTL_SECONDS };
}

/** The token's subject and role, or null for anything not signed, current and addressed to us. */
export function verifyAccessToken(
  env: JwtEnv,
  token: string,
): { userId: string; role: RoleName } | null {
  try {
    const { header, payload } = jwt.verify(token, env.JWT_SECRET, {
      algorithms: ['HS256'],
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      complete: true,
    });
    if (!headerSchema.safeParse(header).success) return null;
    const claims = claimsSchema.safeParse(payload);
    return claims.success ? { userId: claims.data.sub, role: claims.data.role } : null;
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
