// The OpenAPI document: valid, clean under Redocly CLI and Spectral, and true to what the live
// server answers for the statuses that are easy to get wrong.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openApiDocument } from '@chronicle/api';
import {
  createProduct,
  expectStatus,
  http,
  signIn,
  useTestApp,
  type UntypedResponse,
} from '@chronicle/testing';

const root = path.resolve(import.meta.dirname, '../../..');
const PUBLIC_URL = 'https://api.chronicle.test';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion, whatever its exit code (linters exit 1 on findings). */
function run(command: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        cwd: root,
        maxBuffer: 32 * 1024 * 1024,
        // No telemetry or update checks from Redocly: CI may have no internet, and needs none.
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const redoclyReport = z.looseObject({
  totals: z.object({ errors: z.number(), warnings: z.number(), ignored: z.number() }),
  problems: z.array(z.looseObject({ ruleId: z.string(), message: z.string() })),
});
const spectralReport = z.array(
  z.looseObject({
    code: z.union([z.string(), z.number()]),
    message: z.string(),
    severity: z.number(),
  }),
);

describe('the OpenAPI document, as written by scripts/write-openapi.ts', () => {
  let dir: string;
  let file: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'chronicle-openapi-'));
    file = path.join(dir, 'openapi.json');
    const written = await run(process.execPath, [
      'packages/api/scripts/write-openapi.ts',
      file,
      PUBLIC_URL,
    ]);
    expect(written.code, written.stderr).toBe(0);
  }, 60_000);
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('is the document the server builds', () => {
    const written: unknown = JSON.parse(readFileSync(file, 'utf8'));
    expect(written).toEqual(JSON.parse(JSON.stringify(openApiDocument(PUBLIC_URL))));
  });

  it('refuses unknown body fields wherever the procedures do (all inputs are strict)', () => {
    const bodies = z.record(
      z.string(),
      z.record(
        z.string(),
        z.looseObject({
          requestBody: z
            .looseObject({
              content: z.looseObject({
                'application/json': z.looseObject({ schema: z.looseObject({}) }),
              }),
            })
            .optional(),
        }),
      ),
    );
    const paths = bodies.parse(openApiDocument(PUBLIC_URL).paths);
    const open = Object.entries(paths).flatMap(([route, item]) =>
      Object.entries(item).flatMap(([method, operation]) =>
        operation.requestBody &&
        operation.requestBody.content['application/json'].schema.additionalProperties !== false
          ? [`${method.toUpperCase()} ${route}`]
          : [],
      ),
    );
    expect(open).toEqual([]);
  });

  it('is valid OpenAPI (swagger-parser)', async () => {
    await expect(SwaggerParser.validate(file)).resolves.toBeDefined();
  });

  it('has no Redocly CLI (recommended) errors or warnings', { timeout: 60_000 }, async () => {
    const result = await run('pnpm', [
      'exec',
      'redocly',
      'lint',
      '--config',
      'redocly.yaml',
      '--format=json',
      file,
    ]);
    const report = redoclyReport.parse(JSON.parse(result.stdout));
    const findings = report.problems.map((problem) => `${problem.ruleId}: ${problem.message}`);
    expect(findings).toEqual([]);
    expect(report.totals).toEqual({ errors: 0, warnings: 0, ignored: 0 });
    expect(result.code).toBe(0);
  });

  it('has no Spectral (spectral:oas) errors or warnings', { timeout: 60_000 }, async () => {
    const output = path.join(dir, 'spectral.json');
    const result = await run('pnpm', [
      'exec',
      'spectral',
      'lint',
      '--ruleset',
      '.spectral.yaml',
      '--format',
      'json',
      '--output',
      output,
      '--fail-severity',
      'hint',
      file,
    ]);
    const report = spectralReport.parse(JSON.parse(readFileSync(output, 'utf8')));
    expect(report.map((finding) => `${String(finding.code)}: ${finding.message}`)).toEqual([]);
    expect(result.code, result.stderr).toBe(0);
  });
});

// ---- against the live server ----

// Headers are references to components.headers (rate limits) or inline (X-Cache, …).
const headerRefs = z.record(
  z.string(),
  z.looseObject({ $ref: z.string().optional(), required: z.boolean().optional() }),
);
const servedDocument = z.looseObject({
  servers: z.array(z.looseObject({ url: z.string() })),
  paths: z.record(
    z.string(),
    z.record(
      z.string(),
      z.looseObject({
        security: z.array(z.record(z.string(), z.array(z.string()))),
        responses: z.record(
          z.string(),
          z.looseObject({
            headers: headerRefs.optional(),
            content: z
              .looseObject({
                'application/json': z.looseObject({
                  schema: z.looseObject({ $ref: z.string().optional() }),
                }),
              })
              .optional(),
          }),
        ),
      }),
    ),
  ),
  components: z.looseObject({
    schemas: z.record(
      z.string(),
      z.looseObject({
        properties: z
          .record(z.string(), z.looseObject({ enum: z.array(z.string()).optional() }))
          .optional(),
        required: z.array(z.string()).optional(),
      }),
    ),
    headers: z.record(z.string(), z.looseObject({ required: z.boolean().optional() })),
  }),
});
type ServedDocument = z.infer<typeof servedDocument>;

const errorBody = z.looseObject({ code: z.string(), message: z.string() });

const refName = (ref: string) => ref.slice(ref.lastIndexOf('/') + 1);

/**
 * The answer has the expected status, which the operation declares; for an error, the body's `code` is one of that status's
 * codes and its keys are the schema's; every required header it declares is present.
 */
function expectDeclared(
  doc: ServedDocument,
  method: string,
  route: string,
  res: UntypedResponse,
  status: number,
) {
  const where = `${method} ${route} → ${String(res.status)} ${res.text.slice(0, 300)}`;
  expect(res.status, where).toBe(status);
  const operation = doc.paths[route]?.[method.toLowerCase()];
  expect(operation, where).toBeDefined();
  const response = operation?.responses[String(res.status)];
  expect(response, `undeclared status: ${where}`).toBeDefined();
  if (!response) return;
  for (const [name, header] of Object.entries(response.headers ?? {})) {
    const required =
      header.$ref === undefined
        ? header.required
        : doc.components.headers[refName(header.$ref)]?.required;
    if (required) {
      expect(res.headers.get(name), `${name} on ${where}`).not.toBeNull();
    }
  }
  if (res.status < 400) return;
  const ref = response.content?.['application/json'].schema.$ref;
  const schema = ref === undefined ? undefined : doc.components.schemas[refName(ref)];
  expect(schema, where).toBeDefined();
  const body = errorBody.parse(res.json);
  expect(schema?.properties?.code?.enum, where).toContain(body.code);
  for (const key of Object.keys(body))
    expect(Object.keys(schema?.properties ?? {}), where).toContain(key);
}

describe('the served document and the live answers', () => {
  // A trailing slash is dropped: paths start with one.
  const app = useTestApp({ BODY_LIMIT_BYTES: '2048', PUBLIC_URL: `${PUBLIC_URL}/` });
  let doc: ServedDocument;
  let admin: string;
  let user: string;
  beforeAll(async () => {
    const served = await http(app, 'GET', '/openapi.json');
    expect(served.status).toBe(200);
    doc = servedDocument.parse(served.json);
    admin = (await signIn(app, 'ADMIN')).token;
    user = (await signIn(app)).token;
  });

  it('serves the document built at start-up, with PUBLIC_URL as its server (not the Host header)', async () => {
    const served = await http(app, 'GET', '/openapi.json');
    expect(served.json).toEqual(JSON.parse(JSON.stringify(openApiDocument(PUBLIC_URL))));
    expect(doc.servers).toEqual([{ url: PUBLIC_URL, description: expect.any(String) }]);
  });

  it('states security on every operation: [] when public, bearer when protected', () => {
    const publicOps: string[] = [];
    for (const [route, methods] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        if (operation.security.length === 0) publicOps.push(`${method.toUpperCase()} ${route}`);
        else expect(operation.security).toEqual([{ Authorization: [] }]);
      }
    }
    expect(publicOps.sort()).toEqual([
      'GET /product',
      'GET /product/{id}',
      'POST /auth/login',
      'POST /auth/register',
    ]);
  });

  it('register: 201, then 409 for the same email; 400 for bad input or malformed JSON', async () => {
    const account = {
      email: `openapi-${randomUUID()}@example.com`,
      password: 'correct horse battery',
    };
    const created = await http(app, 'POST', '/auth/register', { body: account });
    expectDeclared(doc, 'POST', '/auth/register', created, 201);
    const taken = await http(app, 'POST', '/auth/register', { body: account });
    expectDeclared(doc, 'POST', '/auth/register', taken, 409);
    const invalid = await http(app, 'POST', '/auth/register', {
      body: { email: 'x', password: '1' },
    });
    expectDeclared(doc, 'POST', '/auth/register', invalid, 400);
    const malformed = await http(app, 'POST', '/auth/register', {
      headers: { 'content-type': 'application/json' },
      rawBody: '{',
    });
    expectDeclared(doc, 'POST', '/auth/register', malformed, 400);
  });

  it('product create: 201, then 409 for the same name; 403 for a USER; 413 over the body limit', async () => {
    const product = { name: `Cup ${randomUUID()}`, price: '3.50', stock: 5 };
    const created = await http(app, 'POST', '/product', { body: product, token: admin });
    expectDeclared(doc, 'POST', '/product', created, 201);
    const clash = await http(app, 'POST', '/product', { body: product, token: admin });
    expectDeclared(doc, 'POST', '/product', clash, 409);
    const forbidden = await http(app, 'POST', '/product', { body: product, token: user });
    expectDeclared(doc, 'POST', '/product', forbidden, 403);
    const tooLarge = await http(app, 'POST', '/product', {
      body: { ...product, description: 'x'.repeat(4_096) },
      token: admin,
    });
    expectDeclared(doc, 'POST', '/product', tooLarge, 413);
  });

  it('order create: 202, 422 for a reused Idempotency-Key, 415 for other media types; cancel 200 then 409', async () => {
    const id = await createProduct(app, admin, { name: `Mug ${randomUUID()}`, price: 2, stock: 9 });
    const key = { 'Idempotency-Key': `openapi-${randomUUID()}` };
    const order = (quantity: number) =>
      http(app, 'POST', '/order', {
        body: { items: [{ id, quantity }] },
        token: user,
        headers: key,
      });
    const placed = await order(1);
    expectDeclared(doc, 'POST', '/order', placed, 202);
    const reused = await order(2);
    expectDeclared(doc, 'POST', '/order', reused, 422);
    for (const contentType of ['text/plain', 'application/json; charset=latin-7']) {
      const refused = await http(app, 'POST', '/order', {
        headers: { 'content-type': contentType },
        rawBody: '{}',
        token: user,
      });
      expectDeclared(doc, 'POST', '/order', refused, 415);
    }

    const orderId = expectStatus(placed, 202).json.order.id;
    const cancelled = await http(app, 'POST', `/order/${orderId}/cancel`, { token: user });
    expectDeclared(doc, 'POST', '/order/{id}/cancel', cancelled, 200);
    const again = await http(app, 'POST', `/order/${orderId}/cancel`, { token: user });
    expectDeclared(doc, 'POST', '/order/{id}/cancel', again, 409);
    const unknown = await http(app, 'GET', `/order/${randomUUID()}`, { token: user });
    expectDeclared(doc, 'GET', '/order/{id}', unknown, 404);
    const anonymous = await http(app, 'GET', `/order/${orderId}`);
    expectDeclared(doc, 'GET', '/order/{id}', anonymous, 401);
  });

  it('inStock is the text true|false, as documented', async () => {
    const yes = await http(app, 'GET', '/product?inStock=true');
    expectDeclared(doc, 'GET', '/product', yes, 200);
    const other = await http(app, 'GET', '/product?inStock=1');
    expectDeclared(doc, 'GET', '/product', other, 400);
  });

  it('a body sent with DELETE is ignored (DELETE declares no 400 PARSE_ERROR, 413 or 415)', async () => {
    const id = await createProduct(app, admin, {
      name: `Bowl ${randomUUID()}`,
      price: 1,
      stock: 1,
    });
    const deleted = await http(app, 'DELETE', `/product/${id}`, {
      headers: { 'content-type': 'application/json' },
      rawBody: '{',
      token: admin,
    });
    expectDeclared(doc, 'DELETE', '/product/{id}', deleted, 200);
  });
});

describe('429s are declared, with Retry-After', () => {
  const doc = servedDocument.parse(JSON.parse(JSON.stringify(openApiDocument(PUBLIC_URL))));
  const app = useTestApp({ RATE_LIMIT_IP_POINTS: '3', RATE_LIMIT_REGISTER_POINTS: '1' });

  it('register over its own limit, then any route over the per-IP limit', async () => {
    const account = () => ({
      email: `limit-${randomUUID()}@example.com`,
      password: 'correct horse battery',
    });
    const first = await http(app, 'POST', '/auth/register', { body: account() });
    expect(first.status).toBe(201);
    const second = await http(app, 'POST', '/auth/register', { body: account() });
    expectDeclared(doc, 'POST', '/auth/register', second, 429);
    const third = await http(app, 'GET', '/product');
    expectDeclared(doc, 'GET', '/product', third, 200);
    const fourth = await http(app, 'GET', '/product');
    expectDeclared(doc, 'GET', '/product', fourth, 429);
    expect(fourth.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});
