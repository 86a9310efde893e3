// Property-based fuzzing of every REST route (from the served OpenAPI document) and every tRPC
// procedure (from the router itself), so a new route or procedure is covered without touching
// this file. Whatever a client sends, the answer is never a 5xx, errors have the documented
// shape, and nothing is logged at error level.
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { appRouter } from '@chronicle/api';
import { contractOf, signIn, startTestApp, type Contract, type TestApp } from '@chronicle/testing';

/** Runs per route/procedure and caller; with three callers this keeps the file well under a minute. */
const RUNS = 50;

let app: TestApp;
const callers: { name: string; token: string | undefined }[] = [
  { name: 'anonymous', token: undefined },
];

// Every line the app logs, by request id: each case sends its own X-Request-Id, waits for its
// request's completion line (pino-http writes it when the response has been sent) and then
// checks that nothing of that request was logged at error level (pino level 50) or above.
const logLine = z.looseObject({
  level: z.number(),
  reqId: z.string().optional(),
  req: z.looseObject({ id: z.string().optional() }).optional(),
  res: z.looseObject({ statusCode: z.number() }).optional(),
});
type LogLine = z.infer<typeof logLine>;
const logsByRequest = new Map<string, LogLine[]>();
const unattributedErrors: string[] = [];

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const text = chunk.toString('utf8');
      const line = logLine.safeParse(parseJson(text));
      const id = line.success ? (line.data.reqId ?? line.data.req?.id) : undefined;
      if (line.success && id !== undefined) {
        logsByRequest.set(id, [...(logsByRequest.get(id) ?? []), line.data]);
      } else if (!line.success || line.data.level >= 50) {
        unattributedErrors.push(text);
      }
      done();
    },
  });
  app = await startTestApp({}, { logger: pino({ level: 'info' }, sink) });
  callers.push(
    { name: 'USER', token: (await signIn(app, 'USER')).token },
    { name: 'ADMIN', token: (await signIn(app, 'ADMIN')).token },
  );
});
afterAll(async () => {
  await app.close();
  // Nothing outside a request (a pool, the queue, Redis) logged an error either.
  expect(unattributedErrors).toEqual([]);
});

// ---- Hostile values ----

const uuid = '01900000-0000-7000-8000-000000000000';
const cursorOf = (parts: unknown) => Buffer.from(JSON.stringify(parts)).toString('base64url');

const nastyStrings = fc.constantFrom(
  'a\u0000b',
  '\u0000',
  'lone \uD800 high',
  'lone \uDFFF low',
  'Ca\u200Bfé',
  'Cafe\u0301',
  '\uFEFF',
  'evil\u202Etxt',
  "'; DROP TABLE products; --",
  '<script>alert(1)</script>',
  '__proto__',
  'constructor',
  '',
  ' ',
  '1e999999',
  '-0',
  'NaN',
  'Infinity',
  '9'.repeat(400),
  'x'.repeat(10_000),
  '../../etc/passwd',
  '%00',
  'true',
  'null',
  uuid,
  '00000000-0000-0000-0000-000000000000',
  cursorOf(['price_asc', 'abc', uuid]),
  cursorOf(['price_desc', '1e999999', uuid]),
  cursorOf(['name', 'a\u0000b', uuid]),
  cursorOf(['name', ['nested'], uuid]),
  cursorOf(['newest', '', 'not-a-uuid']),
  'correct horse battery',
  'user@example.com',
);

const hostileString = fc.oneof(
  nastyStrings,
  // Any code points, lone surrogates included.
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ maxLength: 40 }),
  fc.uuid(),
  fc.emailAddress(),
  fc.json({ maxDepth: 2 }).map((json) => Buffer.from(json).toString('base64url')),
);

const hostileScalar = fc.oneof(
  hostileString,
  fc.integer(),
  fc.constantFrom(-0, 0, -1, 1, 2 ** 53 + 1, Number.MAX_VALUE, 1e21, 0.1, 1.005, 1_000_000_001),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);

const propertyKeys = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'role',
    'passwordHash',
    'id',
  ),
  fc.string({ maxLength: 12 }),
);

const { value: hostileValue } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileScalar,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(propertyKeys, tie('value'), { maxKeys: 4 }),
  ),
}));

/** An object with (some of) the fields the schema names, each hostile, plus maybe extra keys. */
function hostileObject(fields: string[]) {
  const known =
    fields.length === 0
      ? fc.constant({})
      : fc.record(Object.fromEntries(fields.map((field) => [field, hostileValue])), {
          requiredKeys: [],
        });
  return fc
    .tuple(known, fc.option(fc.dictionary(propertyKeys, hostileValue, { maxKeys: 2 })))
    .map(([object, extra]) => ({ ...(extra ?? {}), ...object }));
}

/** JSON text no JSON.stringify would write: huge exponents, -0, deep nesting, pollution keys. */
function rawJsonBodies(fields: string[]) {
  const field = fields.length > 0 ? fc.constantFrom(...fields) : fc.constant('x');
  return fc.oneof(
    field.map((name) => `{"${name}": 1e999999}`),
    field.map((name) => `{"${name}": -0}`),
    field.map((name) => `{"${name}": 123456789012345678901234567890}`),
    field.map((name) => `{"${name}": "a\\u0000b"}`),
    field.map((name) => `{"${name}": "\\ud800"}`),
    field.map((name) => `{"${name}": ${'['.repeat(40_000)}${']'.repeat(40_000)}}`),
    fc.constant(`${'{"a":'.repeat(33)}1${'}'.repeat(33)}`),
    fc.constant('{"__proto__": {"role": "ADMIN", "isAdmin": true}}'),
    fc.constant('{"constructor": {"prototype": {"role": "ADMIN"}}}'),
    fc.constant('{"a":'),
    fc.constant('\uFEFF{}'),
    fc.constant(''),
    fc.constant('null'),
    fc.constant('"just a string"'),
    fc.constant(`{"x": "${'y'.repeat(200_000)}"}`),
  );
}

/**
 * Percent-encodes any string as UTF-8. encodeURIComponent throws on a lone surrogate; here it
 * becomes U+FFFD, as in any URL (lone surrogates reach the server as JSON escapes instead).
 */
function percentEncode(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((byte) =>
      /[A-Za-z0-9\-._~]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).padStart(2, '0').toUpperCase()}`,
    )
    .join('');
}

/** Path and query text: encoded hostile strings, or raw percent sequences that are not UTF-8. */
const urlText = fc.oneof(
  { weight: 4, arbitrary: hostileString.map(percentEncode) },
  { weight: 1, arbitrary: fc.constantFrom('%', '%zz', '%FF%FE', '%ED%A0%80', '%C0%AF', '%E2%80') },
);

/** Header values fetch can send (bytes 0x21–0xFF but DEL), so junk reaches the server. */
const headerValue = fc.string({
  unit: fc
    .integer({ min: 0x21, max: 0xfe })
    .map((code) => String.fromCharCode(code < 0x7f ? code : code + 1)),
  minLength: 1,
  maxLength: 300,
});

const extraHeaders = fc.record(
  {
    'idempotency-key': headerValue,
    'content-type': fc.constantFrom(
      'application/json',
      'application/json',
      'application/json',
      'application/json; charset=utf-8',
      'APPLICATION/JSON',
      'application/json; charset=utf-16',
      'application/json; charset=latin1',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/octet-stream',
    ),
    'accept-encoding': fc.constantFrom('gzip', 'identity', 'br'),
  },
  { requiredKeys: [] },
);

/** A junk Authorization header instead of the caller's token, now and then. */
const authorizationOverride = fc.option(
  fc.oneof(
    fc.constantFrom('Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'bearer x.y.z', 'Bearer a.b.c'),
    headerValue,
  ),
  { freq: 5 },
);

// ---- Checking answers ----

interface Answer {
  status: number;
  contentType: string;
  text: string;
  /** What the app logged while handling this request. */
  logs: LogLine[];
}

/** How often each status was answered, to show (and check) that the fuzzing got past the door. */
const statuses = new Map<number, number>();
let requests = 0;

async function send(
  url: string,
  init: { method?: string; headers: Record<string, string>; body?: string },
) {
  requests += 1;
  const id = `fuzz-${requests}`;
  const res = await fetch(url, {
    ...init,
    headers: { ...init.headers, 'x-request-id': id },
    redirect: 'manual',
  });
  statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
  const text = await res.text();
  // A 431 comes from Node's HTTP parser (http/client-errors.ts): the request never reached the
  // app, so it has no log line to wait for.
  const logs =
    res.status === 431
      ? []
      : await vi.waitFor(
          () => {
            const lines = logsByRequest.get(id) ?? [];
            expect(lines.some((line) => line.res !== undefined)).toBe(true);
            return lines;
          },
          { timeout: 5_000, interval: 2 },
        );
  logsByRequest.delete(id);
  const answer: Answer = {
    status: res.status,
    contentType: res.headers.get('content-type') ?? '',
    text,
    logs,
  };
  return answer;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** REST errors are exactly `{ code, message, issues? }`. */
const restError = z.strictObject({
  code: z.string().min(1),
  message: z.string().min(1),
  issues: z.array(z.looseObject({ code: z.string(), message: z.string() })).optional(),
});

/** tRPC's error envelope (superjson): `error.json` with a numeric code and our `data`. */
const trpcError = z.strictObject({
  error: z.strictObject({
    json: z.strictObject({
      message: z.string().min(1),
      code: z.number().int(),
      data: z.looseObject({
        code: z.string().min(1),
        httpStatus: z.number().int().min(400).max(499),
      }),
    }),
    meta: z.unknown().optional(),
  }),
});

const trpcSuccess = z.strictObject({ result: z.strictObject({ data: z.unknown() }) });

function expectNoErrorLogs(answer: Answer, context: string): void {
  const errors = answer.logs.filter((line) => line.level >= 50);
  expect(errors, `error-level log after ${context}`).toEqual([]);
}

function checkRest(
  answer: Answer,
  context: string,
  anonymousOnProtected: boolean,
  request: { method: string; path: string; contract: Contract },
): void {
  expect(answer.status, `${context} → ${answer.text.slice(0, 300)}`).toBeLessThan(500);
  // The status is one the document declares for this operation, the body its schema.
  expect(
    request.contract.check({
      method: request.method,
      path: request.path,
      status: answer.status,
      contentType: answer.contentType,
      json: parseJson(answer.text),
    }),
    context,
  ).toEqual([]);
  expect(answer.contentType, context).toContain('application/json');
  const body = parseJson(answer.text);
  if (answer.status >= 400) {
    const parsed = restError.safeParse(body);
    expect(parsed.success, `${context}: error shape of ${answer.text.slice(0, 300)}`).toBe(true);
  } else {
    // A 2xx only where the random input happened to be valid: the body is a JSON object, and
    // never for an anonymous caller on a protected route.
    expect(answer.status, context).toBeGreaterThanOrEqual(200);
    expect(typeof body === 'object' && body !== null, context).toBe(true);
    expect(anonymousOnProtected, `${context}: 2xx without a token`).toBe(false);
  }
  if (anonymousOnProtected && answer.status !== 401) {
    // Only what is refused before any procedure runs may answer otherwise: an unparsable,
    // oversized or wrongly typed body, or a path no route matches (an empty id).
    const code = restError.safeParse(body).data?.code;
    expect(
      [
        [400, 'PARSE_ERROR'],
        [400, 'BAD_REQUEST'],
        [404, 'NOT_FOUND'],
        [413, 'PAYLOAD_TOO_LARGE'],
        [415, 'UNSUPPORTED_MEDIA_TYPE'],
        [431, 'REQUEST_HEADER_FIELDS_TOO_LARGE'],
      ],
      `${context} → ${answer.text.slice(0, 300)}`,
    ).toContainEqual([answer.status, code]);
  }
  expectNoErrorLogs(answer, context);
}

// ---- REST routes, from the served OpenAPI document ----

const jsonSchema = z.looseObject({ properties: z.record(z.string(), z.unknown()).optional() });
const operationSchema = z.looseObject({
  parameters: z
    .array(z.looseObject({ name: z.string(), in: z.enum(['path', 'query', 'header', 'cookie']) }))
    .optional(),
  requestBody: z
    .looseObject({
      content: z.record(z.string(), z.looseObject({ schema: jsonSchema.optional() })),
    })
    .optional(),
  security: z.array(z.unknown()).optional(),
});
const documentSchema = z.looseObject({
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
});

interface RestOperation {
  method: string;
  path: string;
  pathParams: string[];
  queryParams: string[];
  bodyFields: string[] | undefined;
  protected: boolean;
}

async function restOperations(): Promise<RestOperation[]> {
  const document = documentSchema.parse(await (await fetch(`${app.url}/openapi.json`)).json());
  const operations: RestOperation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, raw] of Object.entries(methods)) {
      const operation = operationSchema.safeParse(raw);
      if (!operation.success) continue;
      const parameters = operation.data.parameters ?? [];
      const body = operation.data.requestBody?.content['application/json']?.schema;
      operations.push({
        method: method.toUpperCase(),
        path,
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: parameters.filter((p) => p.in === 'query').map((p) => p.name),
        bodyFields: operation.data.requestBody ? Object.keys(body?.properties ?? {}) : undefined,
        protected: (operation.data.security ?? []).length > 0,
      });
    }
  }
  return operations;
}

function restCase(operation: RestOperation) {
  const fields = [...(operation.bodyFields ?? []), ...operation.queryParams];
  return fc.record({
    pathValues: fc.array(urlText, {
      minLength: operation.pathParams.length,
      maxLength: operation.pathParams.length,
    }),
    query: fc.array(
      fc.tuple(fc.oneof(fc.constantFrom(...fields, 'extra'), fc.string({ maxLength: 8 })), urlText),
      { maxLength: 4 },
    ),
    body: fc.option(
      fc.oneof(
        {
          weight: 3,
          arbitrary: hostileObject(operation.bodyFields ?? []).map((v) => JSON.stringify(v)),
        },
        { weight: 1, arbitrary: hostileValue.map((v) => JSON.stringify(v)) },
        { weight: 2, arbitrary: rawJsonBodies(fields) },
      ),
      { freq: 6 },
    ),
    headers: extraHeaders,
    authorization: authorizationOverride,
  });
}

describe('every REST route', () => {
  it(
    'answers any input with a 4xx in the documented shape (or a 2xx), never an error log',
    { timeout: 180_000 },
    async () => {
      const operations = await restOperations();
      const contract = await contractOf(app.url);
      // The document must list the routes this file fuzzes (a broken parse would fuzz nothing).
      expect(operations.length).toBeGreaterThanOrEqual(10);
      expect(operations.map((op) => `${op.method} ${op.path}`)).toContain('POST /auth/login');
      const started = Date.now();
      for (const operation of operations) {
        for (const caller of callers) {
          await fc.assert(
            fc.asyncProperty(restCase(operation), async (input) => {
              let path = operation.path;
              operation.pathParams.forEach((name, index) => {
                path = path.replace(`{${name}}`, input.pathValues[index] ?? '');
              });
              const query = input.query.map(([key, value]) => `${percentEncode(key)}=${value}`);
              const url = `${app.url}${path}${query.length > 0 ? `?${query.join('&')}` : ''}`;
              const authorization =
                input.authorization ?? (caller.token ? `Bearer ${caller.token}` : undefined);
              const headers: Record<string, string> = {
                ...input.headers,
                ...(authorization === undefined ? {} : { authorization }),
              };
              if (input.body === null) delete headers['content-type'];
              const answer = await send(url, {
                method: operation.method,
                headers,
                ...(input.body === null || operation.method === 'GET' ? {} : { body: input.body }),
              });
              checkRest(
                answer,
                `${caller.name} ${operation.method} ${url.slice(app.url.length, 200)}`,
                caller.token === undefined && input.authorization === null && operation.protected,
                { method: operation.method, path: new URL(url).pathname, contract },
              );
            }),
            { numRuns: RUNS },
          );
        }
      }
      console.info(
        `REST fuzz: ${operations.length} routes in ${Date.now() - started} ms`,
        Object.fromEntries(statuses),
      );
      // Inputs reached validation and the procedures themselves, not only the parsers in front.
      for (const status of [200, 400, 401, 404])
        expect(statuses.get(status), `${status}`).toBeGreaterThan(0);
      statuses.clear();
    },
  );
});

// ---- tRPC procedures, from the router ----

interface TrpcProcedure {
  path: string;
  type: 'query' | 'mutation' | 'subscription';
  /** The procedure's own input parser, to tell an input that opens a stream from one that cannot. */
  accepts(input: unknown): boolean;
}

const procedureDef = z.looseObject({
  type: z.enum(['query', 'mutation', 'subscription']),
  inputs: z.array(z.unknown()),
});

function trpcProcedures(): TrpcProcedure[] {
  return Object.entries(appRouter._def.procedures).map(([path, procedure]) => {
    const def = procedureDef.parse(Reflect.get(procedure, '_def'));
    const parsers = def.inputs.filter((input) => input instanceof z.ZodType);
    return {
      path,
      type: def.type,
      accepts: (input) => parsers.every((parser) => parser.safeParse(input).success),
    };
  });
}

/** Server-sent events as `{ event, data }`, from a stream that has ended. */
function sseEvents(text: string): { event: string; data: string }[] {
  return text
    .split(/\n\n+/)
    .filter((block) => block.trim() !== '' && !block.startsWith(':'))
    .map((block) => {
      const field = (name: string) =>
        block
          .split('\n')
          .filter((line) => line.startsWith(`${name}: `))
          .map((line) => line.slice(name.length + 2))
          .join('\n');
      return { event: field('event') || 'message', data: field('data') };
    });
}

function checkTrpc(answer: Answer, context: string, subscription: boolean): void {
  const shown = `${context} → ${answer.status} ${answer.text.slice(0, 300)}`;
  expect(answer.status, shown).toBeLessThan(500);
  if (subscription && answer.contentType.includes('text/event-stream')) {
    // A subscription answers over SSE even when it fails: the error is its one event after
    // "connected", in the same envelope (without the outer `error`), and the stream ends.
    expect(answer.status, shown).toBe(200);
    const events = sseEvents(answer.text).filter((event) => event.event !== 'connected');
    expect(
      events.map((event) => event.event),
      shown,
    ).toEqual(['serialized-error']);
    const parsed = trpcError.shape.error.safeParse(parseJson(events[0]?.data ?? ''));
    expect(parsed.success, shown).toBe(true);
  } else if (answer.status >= 400) {
    const parsed = trpcError.safeParse(parseJson(answer.text));
    expect(parsed.success, shown).toBe(true);
    expect(parsed.data?.error.json.data.httpStatus, shown).toBe(answer.status);
  } else {
    expect(subscription, `${shown}: a subscription answered without a stream`).toBe(false);
    expect(trpcSuccess.safeParse(parseJson(answer.text)).success, shown).toBe(true);
  }
  expectNoErrorLogs(answer, context);
}

const trpcInput = fc.oneof(
  { weight: 3, arbitrary: hostileValue.map((value) => ({ kind: 'value' as const, value })) },
  {
    weight: 2,
    arbitrary: hostileObject([
      'id',
      'email',
      'password',
      'name',
      'price',
      'stock',
      'items',
      'cursor',
      'q',
      'limit',
      'sort',
      'idempotencyKey',
      'role',
      'status',
      'userId',
      'description',
      'inStock',
    ]).map((value) => ({ kind: 'value' as const, value })),
  },
  {
    weight: 1,
    arbitrary: fc
      .oneof(rawJsonBodies(['json']), fc.constant('{"json": {"__proto__": {"x": 1}}}'))
      .map((text) => ({ kind: 'raw' as const, text })),
  },
);

describe('every tRPC procedure', () => {
  it(
    'answers any input with a 4xx in the tRPC envelope (or a result), never an error log',
    { timeout: 180_000 },
    async () => {
      const procedures = trpcProcedures();
      expect(procedures.map((p) => p.path)).toEqual(
        expect.arrayContaining(['auth.login', 'product.list', 'order.create', 'order.watch']),
      );
      const started = Date.now();
      for (const procedure of procedures) {
        for (const caller of callers) {
          await fc.assert(
            fc.asyncProperty(trpcInput, authorizationOverride, async (input, authOverride) => {
              const text =
                input.kind === 'raw' ? input.text : JSON.stringify({ json: input.value });
              const authorization =
                authOverride ?? (caller.token ? `Bearer ${caller.token}` : undefined);
              const headers: Record<string, string> = {
                ...(authorization === undefined ? {} : { authorization }),
              };
              const base = `${app.url}/trpc/${procedure.path}`;
              const answer =
                procedure.type === 'mutation'
                  ? await send(base, {
                      method: 'POST',
                      headers: { ...headers, 'content-type': 'application/json' },
                      body: text,
                    })
                  : await send(`${base}?input=${percentEncode(text.slice(0, 4_000))}`, {
                      headers,
                    });
              checkTrpc(
                answer,
                `${caller.name} ${procedure.type} ${procedure.path} ${text.slice(0, 200)}`,
                procedure.type === 'subscription',
              );
            }),
            { numRuns: RUNS },
          );
        }
      }
      console.info(
        `tRPC fuzz: ${procedures.length} procedures in ${Date.now() - started} ms`,
        Object.fromEntries(statuses),
      );
      for (const status of [200, 400, 401])
        expect(statuses.get(status), `${status}`).toBeGreaterThan(0);
      statuses.clear();
    },
  );
});
