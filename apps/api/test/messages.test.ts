// What callers read when a request is refused: one voice, well-formed, and nothing internal
// (no validator patterns, no library wording).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { http, signIn, startTestApp, type TestApp } from '@chronicle/testing';

const issueSchema = z.looseObject({
  code: z.string(),
  path: z.array(z.union([z.string(), z.number()])),
  message: z.string(),
});
const validationError = z.strictObject({
  code: z.literal('BAD_REQUEST'),
  message: z.literal('Input validation failed'),
  issues: z.array(issueSchema).min(1),
});

/** The issues of a REST validation error (fails the test if the body is anything else). */
function issuesOf(json: unknown) {
  return validationError.parse(json).issues;
}

const trpcValidationError = z.looseObject({
  error: z.looseObject({
    json: z.looseObject({
      message: z.literal('Input validation failed'),
      data: z.looseObject({ code: z.literal('BAD_REQUEST'), issues: z.array(issueSchema) }),
    }),
  }),
});

/** Zod's own English wording, which must never reach a caller. */
const LIBRARY_WORDING =
  /Invalid input|Invalid option|Too (big|small)|Unrecognized key|Invalid UUID|Invalid email|expected .*, received/;

describe('error messages', () => {
  let app: TestApp;
  let adminToken: string;
  beforeAll(async () => {
    app = await startTestApp();
    ({ token: adminToken } = await signIn(app, 'ADMIN'));
  });
  afterAll(async () => {
    await app.close();
  });

  /** POST of `body` exactly as given, as `contentType`. */
  const post = (route: string, body: string, contentType: string) =>
    http(app, 'POST', route, { rawBody: body, headers: { 'content-type': contentType } });

  it('an unknown key and a wrong type get the project voice', async () => {
    const res = await http(app, 'POST', '/auth/register', {
      body: {
        email: 5,
        password: 'long enough',
        admin: true,
      },
    });
    expect(issuesOf(res.json)).toEqual([
      { code: 'invalid_type', expected: 'string', path: ['email'], message: 'must be a string' },
      { code: 'unrecognized_keys', keys: ['admin'], path: [], message: 'unknown field "admin"' },
    ]);
  });

  it('every field message starts lower-case and speaks without library wording', async () => {
    const [missing, tooLong, badQuery, tooBigQuery, wrongTypes, badValues, missingId, ...others] =
      await Promise.all([
        http(app, 'POST', '/auth/register', { body: {} }),
        http(app, 'POST', '/auth/register', {
          body: {
            email: `${'a'.repeat(250)}@example.com`,
            password: 'x',
            role: 'ROOT',
            a: 1,
            b: 2,
          },
        }),
        http(app, 'GET', '/product?limit=0&sort=cheapest&inStock=maybe&cursor=abc'),
        http(app, 'GET', '/product?limit=101&q=' + 'x'.repeat(101)),
        http(app, 'POST', '/product', {
          body: { name: 5, price: true, stock: 1.5 },
          token: adminToken,
        }),
        http(app, 'POST', '/product', {
          body: { name: '', price: '1.234', stock: -1 },
          token: adminToken,
        }),
        http(app, 'POST', '/order', { body: { items: [{ quantity: 1001 }] }, token: adminToken }),
        http(app, 'POST', '/order', { body: { items: [] }, token: adminToken }),
        http(app, 'POST', '/order', { body: { items: 'all' }, token: adminToken }),
        http(app, 'POST', '/order', {
          body: { items: [{ id: 5, quantity: 0 }] },
          token: adminToken,
        }),
        http(app, 'GET', '/order?status=LOST&limit=x', { token: adminToken }),
      ]);
    const answers = [
      missing,
      tooLong,
      badQuery,
      tooBigQuery,
      wrongTypes,
      badValues,
      missingId,
      ...others,
    ];
    const messages = answers.flatMap((answer) => issuesOf(answer.json)).map((i) => i.message);
    expect(messages.length).toBeGreaterThan(20);
    for (const message of messages) {
      expect(message).toMatch(/^[a-z]/);
      expect(message).not.toMatch(/\.$/);
      expect(message).not.toMatch(LIBRARY_WORDING);
    }
    expect(issuesOf(missing.json)).toEqual([
      expect.objectContaining({ path: ['email'], message: 'is required' }),
      expect.objectContaining({ path: ['password'], message: 'is required' }),
    ]);
    expect(issuesOf(tooLong.json)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: ['email'], message: 'must be at most 254 characters' }),
        expect.objectContaining({ path: ['role'], message: 'must be one of: USER, ADMIN' }),
        expect.objectContaining({ path: [], message: 'unknown fields "a", "b"' }),
      ]),
    );
    expect(issuesOf(badQuery.json)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: ['limit'], message: 'must be at least 1' }),
        expect.objectContaining({ path: ['inStock'], message: 'must be true or false' }),
      ]),
    );
    expect(issuesOf(wrongTypes.json)).toEqual([
      expect.objectContaining({ path: ['name'], message: 'must be a string' }),
      expect.objectContaining({
        path: ['price'],
        message: 'must be a non-negative amount with at most 2 decimals',
      }),
      expect.objectContaining({ path: ['stock'], message: 'must be an integer' }),
    ]);
    expect(issuesOf(missingId.json)).toEqual([
      expect.objectContaining({ path: ['items', 0, 'id'], message: 'is required' }),
      expect.objectContaining({ path: ['items', 0, 'quantity'], message: 'must be at most 1000' }),
    ]);
  });

  it('an invalid email or uuid shows no pattern, in REST issues and tRPC issues', async () => {
    const email = issuesOf(
      (
        await http(app, 'POST', '/auth/register', {
          body: { email: 'nope', password: 'long enough' },
        })
      ).json,
    );
    expect(email).toEqual([
      {
        code: 'invalid_format',
        format: 'email',
        origin: 'string',
        path: ['email'],
        message: 'must be a valid email address',
      },
    ]);
    const productId = issuesOf((await http(app, 'GET', '/product/not-a-uuid')).json);
    expect(productId).toEqual([
      {
        code: 'invalid_format',
        format: 'uuid',
        origin: 'string',
        path: ['id'],
        message: 'must be a product id (UUID)',
      },
    ]);
    const userId = issuesOf(
      (await http(app, 'GET', '/order?userId=nope', { token: adminToken })).json,
    );
    expect(userId).toEqual([
      expect.objectContaining({ path: ['userId'], message: 'must be a user id (UUID)' }),
    ]);
    const lines = issuesOf(
      (
        await http(app, 'POST', '/order', {
          body: { items: [{ id: 'x', quantity: 1 }] },
          token: adminToken,
        })
      ).json,
    );
    const trpc = trpcValidationError.parse(
      (
        await http(app, 'POST', '/trpc/auth.register', {
          body: { json: { email: 'nope', password: 'long enough' } },
        })
      ).json,
    ).error.json.data.issues;
    for (const issue of [...email, ...productId, ...userId, ...lines, ...trpc]) {
      expect(issue).not.toHaveProperty('pattern');
      // A regex in any form: anchors, character classes, quantifiers.
      expect(JSON.stringify(issue)).not.toMatch(/\^|\$|\[0-9|\{\d/);
    }
  });

  it('a non-JSON content type is 415 with a well-formed message, on REST and tRPC', async () => {
    const expected = {
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: 'Content-Type must be application/json',
    };
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'text/xml']) {
      const res = await post('/auth/login', 'email=x', contentType);
      expect(res.status, contentType).toBe(415);
      expect(res.json).toEqual(expected);
    }
    const trpc = await post('/trpc/auth.login', 'email=x', 'text/plain');
    expect(trpc.status).toBe(415);
    expect(trpc.json).toMatchObject({ error: { json: { message: expected.message } } });
  });

  it('an unsupported charset or content encoding is 415 in the same voice', async () => {
    const expected = {
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: 'Request body charset or encoding is not supported',
    };
    const charset = await post('/auth/login', '{}', 'application/json; charset=koi8-r');
    expect(charset.status).toBe(415);
    expect(charset.json).toEqual(expected);
    const encoding = await http(app, 'POST', '/auth/login', {
      headers: { 'content-type': 'application/json', 'content-encoding': 'rot13' },
      rawBody: '{}',
    });
    expect(encoding.status).toBe(415);
    expect(encoding.json).toEqual(expected);
  });

  it.each(['null', '  null', '42', '"text"', 'true', '[]', '[{"email":"a@example.com"}]'])(
    'a JSON body of %s is 400 "must be a JSON object", not "not valid JSON"',
    async (body) => {
      const res = await post('/auth/login', body, 'application/json');
      expect(res.status).toBe(400);
      expect(res.json).toEqual({
        code: 'BAD_REQUEST',
        message: 'Request body must be a JSON object',
      });
    },
  );

  it('text that is not JSON at all is still PARSE_ERROR', async () => {
    for (const body of ['{"email":', 'nul', "{'a':1}"]) {
      const res = await post('/auth/login', body, 'application/json');
      expect(res.status, body).toBe(400);
      expect(res.json).toEqual({
        code: 'PARSE_ERROR',
        message: 'Request body is not valid JSON',
      });
    }
  });
});
