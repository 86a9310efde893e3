import { spawn } from 'node:child_process';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTrpcClientForTest } from './trpc-client.ts';
import { createCaller, createInnerContext } from '@chronicle/api';
import {
  expectStatus,
  http,
  startTestApp,
  TEST_JWT_SECRET,
  type Method,
  type RequestOptions,
  type RestBody,
  type TestApp,
} from '@chronicle/testing';

const root = path.resolve(import.meta.dirname, '../../..');

let app: TestApp;
const seen: string[] = [];

/** `http` against this file's app, remembering every body for the no-hash check at the end. */
async function call<const M extends Method, const R extends string>(
  method: M,
  route: R,
  options?: RequestOptions,
) {
  const res = await http(app, method, route, options);
  seen.push(res.text);
  return res;
}

async function register(email: string, password = 'correct horse battery') {
  return call('POST', '/auth/register', { body: { email, password } });
}

async function login(email: string, password = 'correct horse battery'): Promise<string> {
  const res = await call('POST', '/auth/login', { body: { email, password } });
  return expectStatus(res, 200).json.token;
}

async function userCount(): Promise<number> {
  return app.deps.db.user.count();
}

async function makeAdmin(email: string): Promise<string> {
  await register(email);
  await app.deps.db.user.update({ where: { email }, data: { role: 'ADMIN' } });
  return login(email);
}

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  // No response from any auth or user route, in any test above, carried a password hash.
  expect(seen.length).toBeGreaterThan(20);
  for (const body of seen) expect(body).not.toMatch(/\$argon2|password_hash/);
  await app.close();
});

describe('register, login, me over REST', () => {
  it('registers (201), logs in (200) and reads the current user', async () => {
    const created = await register('  Alice@Example.COM ');
    const { user } = expectStatus(created, 201).json;
    expect(Object.keys(user).sort()).toEqual(['createdAt', 'email', 'id', 'role']);
    expect(user).toMatchObject({ email: 'alice@example.com', role: 'USER' });

    const res = await call('POST', '/auth/login', {
      body: {
        email: 'ALICE@example.com',
        password: 'correct horse battery',
      },
    });
    const body = expectStatus(res, 200).json;
    expect(body.tokenType).toBe('Bearer');
    expect(body.expiresIn).toBe(3600);
    expect(body.user).toEqual(user);

    const decoded = jwt.decode(body.token, { complete: true });
    expect(decoded?.header.alg).toBe('HS256');
    expect(decoded?.payload).toMatchObject({
      sub: user.id,
      role: 'USER',
      iss: 'chronicle',
      aud: 'chronicle-api',
    });

    const me = await call('GET', '/auth/me', { token: body.token });
    expect(me.status).toBe(200);
    expect(me.json).toEqual({ user });
  });

  it('refuses a second account for the same email, whatever its case (409)', async () => {
    await register('bob@example.com');
    const before = await userCount();
    const again = await register('BOB@Example.com');
    expect(again.status).toBe(409);
    expect(again.json).toEqual({ code: 'CONFLICT', message: expect.any(String) });
    expect(await userCount()).toBe(before);
  });

  it('gives identical answers for a wrong password and an unknown email', async () => {
    await register('carol@example.com');
    const wrong = await call('POST', '/auth/login', {
      body: {
        email: 'carol@example.com',
        password: 'not the password',
      },
    });
    const unknown = await call('POST', '/auth/login', {
      body: {
        email: 'nobody@example.com',
        password: 'not the password',
      },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.json).toEqual(unknown.json);
    expect(wrong.json).toEqual({ code: 'UNAUTHORIZED', message: 'Invalid email or password' });
  });

  it('spends comparable time on an unknown email as on a wrong password', async () => {
    const time = async (email: string) => {
      const started = performance.now();
      await call('POST', '/auth/login', { body: { email, password: 'not the password' } });
      return performance.now() - started;
    };
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 7; i++) {
      known.push(await time('carol@example.com'));
      unknown.push(await time(`ghost${i}@example.com`));
    }
    // Both paths run one argon2id verification; without the dummy hash the unknown-email
    // path would be a single indexed lookup, an order of magnitude faster.
    const ratio = median(unknown) / median(known);
    expect(ratio).toBeGreaterThan(0.33);
    expect(ratio).toBeLessThan(3);
  });
});

describe('bad input changes nothing', () => {
  const long = 'a'.repeat(10_000);
  it.each([
    ['missing fields', {}],
    ['wrong types', { email: 42, password: ['x'] }],
    ['malformed email', { email: 'not-an-email', password: 'correct horse battery' }],
    ['unicode email', { email: 'ünï@exämple.com', password: 'correct horse battery' }],
    ['10 KB email', { email: `${long}@example.com`, password: 'correct horse battery' }],
    [
      'SQL in email',
      { email: "x'; DROP TABLE users; --@example.com", password: 'correct horse battery' },
    ],
    [
      'script in email',
      { email: '<script>alert(1)</script>@example.com', password: 'correct horse battery' },
    ],
    ['short password', { email: 'short@example.com', password: 'short' }],
    ['overlong password', { email: 'long@example.com', password: 'p'.repeat(129) }],
    [
      'extra field id',
      {
        email: 'extra@example.com',
        password: 'correct horse battery',
        id: '00000000-0000-0000-0000-000000000000',
      },
    ],
    [
      'extra field passwordHash',
      { email: 'extra2@example.com', password: 'correct horse battery', passwordHash: 'x' },
    ],
    [
      'unknown role',
      { email: 'role@example.com', password: 'correct horse battery', role: 'ROOT' },
    ],
  ])('register with %s → 400 with issues', async (_name, body) => {
    const before = await userCount();
    const res = await call('POST', '/auth/register', { body });
    const error = expectStatus(res, 400).json;
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toBe('Input validation failed');
    expect(error.issues?.length).toBeGreaterThan(0);
    expect(await userCount()).toBe(before);
  });

  it.each([
    ['NUL in the email', 'email', { email: 'a\u0000b@x.io', password: 'correct horse battery' }],
    [
      'NUL in the password',
      'password',
      { email: 'nul@example.com', password: 'correct\u0000horse' },
    ],
    [
      'a lone surrogate in the password',
      'password',
      { email: 'lone@example.com', password: 'correct \uD800 horse' },
    ],
  ])(
    'register or log in with %s → 400 with issues, never a database error',
    async (_name, field, body) => {
      const before = await userCount();
      for (const route of ['/auth/register', '/auth/login']) {
        const res = await call('POST', route, { body });
        expect(res.status, `${route}: ${res.text}`).toBe(400);
        expect(res.json).toMatchObject({
          code: 'BAD_REQUEST',
          message: 'Input validation failed',
          issues: [expect.objectContaining({ path: [field] })],
        });
      }
      expect(await userCount()).toBe(before);
    },
  );

  it('accepts SQL and script text inside a password as just a password', async () => {
    const password = "'; DROP TABLE users; -- <script>";
    expect((await register('sqlpw@example.com', password)).status).toBe(201);
    await login('sqlpw@example.com', password);
    expect(await app.deps.db.user.count()).toBeGreaterThan(0);
  });

  it('malformed JSON → 400, wrong content type → 415, oversized body → 413', async () => {
    const before = await userCount();
    const malformed = await call('POST', '/auth/register', {
      headers: { 'content-type': 'application/json' },
      rawBody: '{"email": "x@example.com",',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.json).toEqual({ code: 'PARSE_ERROR', message: expect.any(String) });

    const wrongType = await call('POST', '/auth/register', {
      headers: { 'content-type': 'text/plain' },
      rawBody: 'email=x',
    });
    expect(wrongType.status).toBe(415);
    expect(wrongType.json).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });

    const huge = { email: 'big@example.com', password: 'p'.repeat(200_000) };
    const tooLarge = await call('POST', '/auth/register', { body: huge });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.json).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });

    const trpcTooLarge = await call('POST', '/trpc/auth.register', { body: { json: huge } });
    expect(trpcTooLarge.status).toBe(413);
    expect(await userCount()).toBe(before);
  });
});

describe('tokens', () => {
  let userId: string;
  beforeAll(async () => {
    const res = await register('tokens@example.com');
    userId = expectStatus(res, 201).json.user.id;
  });

  const sign = (payload: object, secret = TEST_JWT_SECRET, options: jwt.SignOptions = {}) =>
    jwt.sign(payload, secret, {
      algorithm: 'HS256',
      issuer: 'chronicle',
      audience: 'chronicle-api',
      expiresIn: 600,
      subject: userId,
      ...options,
    });

  it('accepts a correctly signed token', async () => {
    expect((await call('GET', '/auth/me', { token: sign({ role: 'USER' }) })).status).toBe(200);
  });

  // RFC 9110 §11.1: the authentication scheme is case-insensitive, and 1*SP separates it.
  it.each(['bearer ', 'BEARER ', 'bEaReR ', 'Bearer   '])('accepts "%s<token>"', async (prefix) => {
    const res = await http(app, 'GET', '/auth/me', {
      headers: {
        authorization: `${prefix}${sign({ role: 'USER' })}`,
      },
    });
    expect(res.status).toBe(200);
  });

  it.each([
    ['another scheme', (token: string) => `Basic ${token}`],
    ['no space', (token: string) => `Bearer${token}`],
    ['two tokens', (token: string) => `Bearer ${token} ${token}`],
    ['a prefix before the scheme', (token: string) => `xBearer ${token}`],
  ])('still rejects %s → 401', async (_name, header) => {
    const res = await http(app, 'GET', '/auth/me', {
      headers: {
        authorization: header(sign({ role: 'USER' })),
      },
    });
    expect(res.status).toBe(401);
    expect(res.json).toEqual({
      code: 'UNAUTHORIZED',
      message: 'Malformed Authorization header: expected Bearer <token>',
    });
  });

  it('a request without a token is told which header to send (401)', async () => {
    const res = await http(app, 'GET', '/auth/me');
    expect(res.status).toBe(401);
    expect(res.json).toEqual({
      code: 'UNAUTHORIZED',
      message:
        'Authentication required: send Authorization: Bearer <token> (from POST /auth/login)',
    });
  });

  const critHeader = (crit: string[]): jwt.JwtHeader => ({ alg: 'HS256', typ: 'JWT', crit });

  it.each([
    ['missing', () => undefined],
    ['malformed', () => 'not.a.jwt!'],
    [
      'alg none',
      () => {
        const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString(
          'base64url',
        );
        const body = Buffer.from(
          JSON.stringify({
            sub: userId,
            role: 'ADMIN',
            iss: 'chronicle',
            aud: 'chronicle-api',
            exp: Math.floor(Date.now() / 1000) + 600,
          }),
        ).toString('base64url');
        return `${header}.${body}.`;
      },
    ],
    [
      'another secret',
      () => sign({ role: 'USER' }, 'another-secret-that-is-long-enough-0123456789'),
    ],
    [
      'expired',
      () =>
        jwt.sign(
          { role: 'USER', sub: userId, exp: Math.floor(Date.now() / 1000) - 10 },
          TEST_JWT_SECRET,
          {
            algorithm: 'HS256',
            issuer: 'chronicle',
            audience: 'chronicle-api',
          },
        ),
    ],
    ['wrong issuer', () => sign({ role: 'USER' }, TEST_JWT_SECRET, { issuer: 'evil' })],
    ['wrong audience', () => sign({ role: 'USER' }, TEST_JWT_SECRET, { audience: 'other-api' })],
    ['HS512', () => sign({ role: 'USER' }, TEST_JWT_SECRET, { algorithm: 'HS512' })],
    [
      'tampered payload',
      () => {
        const [h, , s] = sign({ role: 'USER' }).split('.');
        const forged = Buffer.from(
          JSON.stringify({
            sub: userId,
            role: 'ADMIN',
            iss: 'chronicle',
            aud: 'chronicle-api',
            exp: 9_999_999_999,
          }),
        ).toString('base64url');
        return `${h}.${forged}.${s}`;
      },
    ],
    // RFC 7515 §4.1.11: an extension listed as critical that we do not understand (we
    // understand none) makes the token invalid, however well it is signed.
    ['crit header', () => sign({ role: 'USER' }, TEST_JWT_SECRET, { header: critHeader(['exp']) })],
    [
      'empty crit header',
      () => sign({ role: 'USER' }, TEST_JWT_SECRET, { header: critHeader([]) }),
    ],
    [
      'typ other than JWT',
      () => sign({ role: 'USER' }, TEST_JWT_SECRET, { header: { alg: 'HS256', typ: 'at+jwt' } }),
    ],
    [
      'issued longer ago than the maximum age, though not expired',
      () => {
        const now = Math.floor(Date.now() / 1000);
        return jwt.sign(
          { role: 'USER', sub: userId, iat: now - 86_400 - 60, exp: now + 600 },
          TEST_JWT_SECRET,
          { algorithm: 'HS256', issuer: 'chronicle', audience: 'chronicle-api' },
        );
      },
    ],
    [
      'issued in the future',
      () => {
        const now = Math.floor(Date.now() / 1000);
        return jwt.sign(
          { role: 'USER', sub: userId, iat: now + 3_600, exp: now + 7_200 },
          TEST_JWT_SECRET,
          { algorithm: 'HS256', issuer: 'chronicle', audience: 'chronicle-api' },
        );
      },
    ],
    ['without iat', () => sign({ role: 'USER' }, TEST_JWT_SECRET, { noTimestamp: true })],
    [
      'unknown subject',
      () =>
        sign({ role: 'USER' }, TEST_JWT_SECRET, {
          subject: '01900000-0000-7000-8000-000000000000',
        }),
    ],
  ])('%s token → 401 on REST and tRPC', async (_name, make) => {
    const token = make();
    const res = await call('GET', '/auth/me', { token });
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ code: 'UNAUTHORIZED' });
    const client = createTrpcClientForTest(app.url, token);
    await expect(client.auth.me.query()).rejects.toMatchObject({
      data: { code: 'UNAUTHORIZED', httpStatus: 401 },
    });
  });
});

describe('roles', () => {
  it('USER on an ADMIN procedure → 403; anonymous → 401', async () => {
    await register('plain@example.com');
    const token = await login('plain@example.com');
    const forbidden = await call('GET', '/users', { token });
    expect(forbidden.status).toBe(403);
    expect(forbidden.json).toEqual({ code: 'FORBIDDEN', message: expect.any(String) });
    expect((await call('GET', '/users')).status).toBe(401);
  });

  it('refuses ADMIN self-signup while it is disabled (403), and nothing is written', async () => {
    const before = await userCount();
    const res = await call('POST', '/auth/register', {
      body: {
        email: 'wannabe@example.com',
        password: 'correct horse battery',
        role: 'ADMIN',
      },
    });
    expect(expectStatus(res, 403).json.message).toMatch(/ADMIN is disabled/);
    expect(await userCount()).toBe(before);
  });

  it('lists users for an admin, with cursor pagination', async () => {
    const admin = await makeAdmin('lister@example.com');
    const first = await call('GET', '/users?limit=2', { token: admin });
    const page = expectStatus(first, 200).json;
    expect(page.items).toHaveLength(2);
    expect(page.nextCursor).toBe(page.items[1]?.id);
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await call('GET', `/users?limit=3${cursor ? `&cursor=${cursor}` : ''}`, {
        token: admin,
      });
      // Annotated: through `cursor`, the route's type depends on the previous page.
      const body: RestBody<'GET', '/users', 200> = expectStatus(res, 200).json;
      all.push(...body.items.map((u) => u.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(all).toHaveLength(await userCount());
    expect(new Set(all).size).toBe(all.length);
    expect((await call('GET', '/users?limit=101', { token: admin })).status).toBe(400);
  });

  it('a demoted admin loses admin access on the next request', async () => {
    const boss = await makeAdmin('boss@example.com');
    const deputy = await makeAdmin('deputy@example.com');
    expect((await call('GET', '/users', { token: deputy })).status).toBe(200);
    const deputyId = (
      await app.deps.db.user.findUniqueOrThrow({ where: { email: 'deputy@example.com' } })
    ).id;

    const demoted = await call('PATCH', `/users/${deputyId}/role`, {
      body: { role: 'USER' },
      token: boss,
    });
    expect(demoted.status).toBe(200);
    expect(demoted.json).toMatchObject({ user: { id: deputyId, role: 'USER' } });
    // Same token, still unexpired: the role is read fresh on every request.
    expect((await call('GET', '/users', { token: deputy })).status).toBe(403);
  });

  it('a deleted user loses access on the next request', async () => {
    await register('leaver@example.com');
    const token = await login('leaver@example.com');
    expect((await call('GET', '/auth/me', { token })).status).toBe(200);
    await app.deps.db.user.delete({ where: { email: 'leaver@example.com' } });
    expect((await call('GET', '/auth/me', { token })).status).toBe(401);
  });

  it('the last admin cannot be demoted (409), even by two concurrent requests', async () => {
    // Leave exactly two admins, then have each demote the other at the same moment.
    await app.deps.db.user.updateMany({ where: { role: 'ADMIN' }, data: { role: 'USER' } });
    const a = await makeAdmin('solo-a@example.com');
    const b = await makeAdmin('solo-b@example.com');
    const ids = await app.deps.db.user.findMany({
      where: { email: { in: ['solo-a@example.com', 'solo-b@example.com'] } },
      orderBy: { email: 'asc' },
    });
    const [idA, idB] = ids.map((u) => u.id);
    const results = await Promise.all([
      call('PATCH', `/users/${idB}/role`, { body: { role: 'USER' }, token: a }),
      call('PATCH', `/users/${idA}/role`, { body: { role: 'USER' }, token: b }),
    ]);
    const statuses = results.map((r) => r.status).sort();
    // One demotion wins; the other is refused (409) or finds its caller already demoted (403).
    expect(statuses[0]).toBe(200);
    expect([403, 409]).toContain(statuses[1]);
    expect(await app.deps.db.user.count({ where: { role: 'ADMIN' } })).toBe(1);

    const [last] = await app.deps.db.user.findMany({ where: { role: 'ADMIN' } });
    const lastToken = await login(last?.email ?? '');
    const self = await call('PATCH', `/users/${last?.id}/role`, {
      body: { role: 'USER' },
      token: lastToken,
    });
    expect(self.status).toBe(409);
    expect(self.json).toEqual({ code: 'CONFLICT', message: 'The last admin cannot be demoted' });
  });
});

describe('tRPC and createCaller serve the same procedures', () => {
  it('register → login → me over the typed client', async () => {
    const client = createTrpcClientForTest(app.url);
    const { user } = await client.auth.register.mutate({
      email: 'typed@example.com',
      password: 'correct horse battery',
    });
    expect(user.createdAt).toBeInstanceOf(Date);
    const session = await client.auth.login.mutate({
      email: 'typed@example.com',
      password: 'correct horse battery',
    });
    const authed = createTrpcClientForTest(app.url, session.token);
    expect((await authed.auth.me.query()).user).toEqual(user);
  });

  it('createCaller with an inner context (no HTTP)', async () => {
    const anonymous = createCaller(createInnerContext(app.deps));
    await expect(anonymous.auth.me()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    const { user } = await anonymous.auth.register({
      email: 'caller@example.com',
      password: 'correct horse battery',
    });
    const { token } = await anonymous.auth.login({
      email: 'caller@example.com',
      password: 'correct horse battery',
    });
    const authed = createCaller(createInnerContext(app.deps, { authorization: `Bearer ${token}` }));
    expect((await authed.auth.me()).user).toEqual(user);
    await expect(authed.user.list({ limit: 5 })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(
      anonymous.auth.register({ email: 'caller@example.com', password: 'correct horse battery' }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
  });
});

describe('admin bootstrap', () => {
  it('registration as ADMIN works when ALLOW_ADMIN_SIGNUP=true', async () => {
    const open = await startTestApp({ ALLOW_ADMIN_SIGNUP: 'true' });
    try {
      const res = await http(open, 'POST', '/auth/register', {
        body: {
          email: 'first-admin@example.com',
          password: 'correct horse battery',
          role: 'ADMIN',
        },
      });
      expect(res.status).toBe(201);
      expect(res.json).toMatchObject({ user: { role: 'ADMIN' } });
    } finally {
      await open.close();
    }
  });

  const runCli = (args: string[], stdin?: string) =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, ['packages/core/src/cli/admin-create.ts', ...args], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: app.env.DATABASE_URL },
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('exit', (code) => {
        resolve({ code, out });
      });
      child.stdin.end(stdin ?? '');
    });

  it('the CLI creates an admin, promotes an existing user, and reads a password from stdin', async () => {
    const created = await runCli([
      '--email',
      'Ops@Example.com',
      '--password',
      'a long admin password',
    ]);
    expect(created.code).toBe(0);
    expect(created.out).toContain('Created admin ops@example.com');
    const opsToken = await login('ops@example.com', 'a long admin password');
    expect((await call('GET', '/users', { token: opsToken })).status).toBe(200);

    await register('promote-me@example.com');
    const promoted = await runCli(
      ['--email', 'promote-me@example.com', '--password-stdin'],
      'from stdin pw\n',
    );
    expect(promoted.code).toBe(0);
    expect(promoted.out).toContain('Promoted admin promote-me@example.com');
    const promotedToken = await login('promote-me@example.com', 'from stdin pw');
    expect((await call('GET', '/users', { token: promotedToken })).status).toBe(200);

    const bad = await runCli(['--email', 'nope', '--password', 'short']);
    expect(bad.code).toBe(2);
    expect(bad.out).toContain('usage');
  });
});

describe('OpenAPI', () => {
  it('serves the document and the browser page', async () => {
    const doc = await call('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.json).toMatchObject({
      paths: {
        '/auth/register': expect.any(Object),
        '/auth/login': expect.any(Object),
        '/auth/me': expect.any(Object),
        '/users': expect.any(Object),
        '/users/{id}/role': expect.any(Object),
      },
    });
    const page = await http(app, 'GET', '/docs/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('swagger');
  });
});
