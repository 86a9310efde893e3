// Access tokens with a fixed secret: what signs, what verifies, and what a header must look like.
import jwt from 'jsonwebtoken';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bearerToken, signAccessToken, verifyAccessToken } from '../src/auth/jwt.ts';

const env = {
  JWT_SECRET: 'unit-test-secret-0123456789abcdefghijklmnopqrstuvwxyz',
  JWT_ISSUER: 'chronicle',
  JWT_AUDIENCE: 'chronicle-api',
  JWT_TTL_SECONDS: 3_600,
  JWT_MAX_AGE_SECONDS: 86_400,
};
const user = { id: '3f2b8c1e-4d5a-4b6c-8d7e-9f0a1b2c3d4e', role: 'USER' } as const;

/** A token signed with our secret but claims or options of the test's choosing. */
function forge(
  payload: Record<string, unknown>,
  options: jwt.SignOptions = {},
  secret = env.JWT_SECRET,
): string {
  return jwt.sign(payload, secret, {
    algorithm: 'HS256',
    issuer: env.JWT_ISSUER,
    audience: env.JWT_AUDIENCE,
    expiresIn: 600,
    ...options,
  });
}

afterEach(() => {
  vi.useRealTimers();
});

describe('signAccessToken → verifyAccessToken', () => {
  it('round-trips the user id and role, and says how long the token lives', () => {
    const { token, expiresIn } = signAccessToken(env, user);
    expect(expiresIn).toBe(3_600);
    expect(verifyAccessToken(env, token)).toEqual({ userId: user.id, role: 'USER' });
  });

  it('expires after JWT_TTL_SECONDS', () => {
    vi.useFakeTimers({ now: new Date('2026-12-01T12:00:00Z') });
    const { token } = signAccessToken(env, user);
    vi.setSystemTime(new Date('2026-12-01T12:59:59Z'));
    expect(verifyAccessToken(env, token)).not.toBeNull();
    vi.setSystemTime(new Date('2026-12-01T13:00:01Z'));
    expect(verifyAccessToken(env, token)).toBeNull();
  });

  it('answers a token verified before exactly as verifying again would, under the same settings only', () => {
    const { token } = signAccessToken(env, user);
    expect(verifyAccessToken(env, token)).toEqual({ userId: user.id, role: 'USER' });
    expect(verifyAccessToken(env, token)).toEqual({ userId: user.id, role: 'USER' });
    for (const other of [
      { ...env, JWT_SECRET: `${env.JWT_SECRET}!` },
      { ...env, JWT_ISSUER: 'someone-else' },
      { ...env, JWT_AUDIENCE: 'another-api' },
      { ...env, JWT_MAX_AGE_SECONDS: 1 },
    ]) {
      vi.useFakeTimers({ now: Date.now() + 2_000 });
      expect(verifyAccessToken(other, token)).toBeNull();
      vi.useRealTimers();
    }
    expect(verifyAccessToken(env, token)).toEqual({ userId: user.id, role: 'USER' });
  });

  it('refuses a token older than JWT_MAX_AGE_SECONDS, whatever its exp says', () => {
    vi.useFakeTimers({ now: new Date('2026-12-01T12:00:00Z') });
    const token = forge({ role: 'USER' }, { expiresIn: '30d', subject: user.id });
    vi.setSystemTime(new Date('2026-12-02T11:59:59Z'));
    expect(verifyAccessToken(env, token)).not.toBeNull();
    vi.setSystemTime(new Date('2026-12-02T12:00:01Z'));
    expect(verifyAccessToken(env, token)).toBeNull();
  });

  it.each([
    ['another secret', () => signAccessToken({ ...env, JWT_SECRET: `${env.JWT_SECRET}!` }, user)],
    ['another issuer', () => signAccessToken({ ...env, JWT_ISSUER: 'someone-else' }, user)],
    ['another audience', () => signAccessToken({ ...env, JWT_AUDIENCE: 'another-api' }, user)],
  ])('refuses a token with %s', (_, sign) => {
    expect(verifyAccessToken(env, sign().token)).toBeNull();
  });

  it.each([
    ['HS512', forge({ role: 'USER' }, { algorithm: 'HS512', subject: user.id })],
    ['alg none', jwt.sign({ role: 'USER', sub: user.id }, null, { algorithm: 'none' })],
    ['a role it does not know', forge({ role: 'ROOT' }, { subject: user.id })],
    ['no role', forge({}, { subject: user.id })],
    ['a subject that is no user id', forge({ role: 'USER' }, { subject: 'admin' })],
    [
      'a crit header',
      forge({ role: 'USER' }, { subject: user.id, header: { alg: 'HS256', crit: ['exp'] } }),
    ],
    [
      'a typ other than JWT',
      forge({ role: 'USER' }, { subject: user.id, header: { alg: 'HS256', typ: 'at+jwt' } }),
    ],
    [
      'an iat over a minute ahead',
      forge({ role: 'USER', iat: Math.floor(Date.now() / 1000) + 120 }, { subject: user.id }),
    ],
    ['no token at all', 'not-a-token'],
  ])('refuses %s', (_, token) => {
    expect(verifyAccessToken(env, token)).toBeNull();
  });

  it('accepts a forged token only when nothing is wrong with it', () => {
    // The control for the refusals below: each differs from this token in one thing.
    expect(verifyAccessToken(env, forge({ role: 'USER' }, { subject: user.id }))).toEqual({
      userId: user.id,
      role: 'USER',
    });
  });

  it('tolerates a little clock skew on iat', () => {
    const token = forge(
      { role: 'ADMIN', iat: Math.floor(Date.now() / 1000) + 30 },
      { subject: user.id },
    );
    expect(verifyAccessToken(env, token)).toEqual({ userId: user.id, role: 'ADMIN' });
  });
});

describe('bearerToken', () => {
  const token = 'eyJh.eyJz.c2ln';

  it.each([
    [`Bearer ${token}`, token],
    [`bearer ${token}`, token],
    [`BEARER   ${token}`, token],
    [`  Bearer ${token}  `, token],
    ['Bearer a.b.', 'a.b.'],
  ])('reads %j', (header, expected) => {
    expect(bearerToken(header)).toBe(expected);
  });

  it.each([
    undefined,
    '',
    'Bearer',
    'Bearer ',
    `Basic ${token}`,
    `Bearer${token}`,
    'Bearer a.b',
    'Bearer a.b.c.d',
    `Bearer ${token} extra`,
    `Bearer\t${token}`,
    'Bearer a+b.c/d.e=',
  ])('refuses %j', (header) => {
    expect(bearerToken(header)).toBeNull();
  });
});
