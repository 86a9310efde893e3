// The contract check the test HTTP helpers run on every response (@chronicle/testing), against
// the API's own document: it must pass what the API sends and catch what breaks the document.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileContract, expectStatus, http } from '@chronicle/testing';
import { openApiDocument } from '@chronicle/api';

const contract = compileContract(openApiDocument('http://localhost:8000'));
const id = '0190c8e2-8d44-7b1c-9a6e-3f2d1c0b4a59';
const product = {
  id,
  name: 'Kopi',
  description: null,
  price: '12.50',
  stock: 3,
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-01T10:00:00.000Z',
};
const json = 'application/json; charset=utf-8';

/** What the contract check says of an answer of `method path` with `status` and this body. */
function check(method: string, path: string, status: number, body: unknown, contentType = json) {
  return contract.check({ method, path, status, contentType, json: body });
}

const tooSmall = {
  path: ['items', 0, 'quantity'],
  code: 'too_small',
  minimum: 1,
  message: 'must be at least 1',
};

describe('contract check', () => {
  it('passes a response as the document declares it', () => {
    expect(check('GET', `/product/${id}`, 200, { product })).toEqual([]);
    const invalid = { code: 'BAD_REQUEST', message: 'Input validation failed', issues: [tooSmall] };
    expect(check('POST', '/order', 400, invalid)).toEqual([]);
  });

  it('flags a status the operation does not declare', () => {
    expect(check('POST', '/product', 200, { product })).toEqual([
      expect.stringMatching(/POST \/product .*→ 200: status not declared/),
    ]);
    expect(check('GET', '/auth/me', 404, { code: 'NOT_FOUND', message: 'Not found' })).toEqual([
      expect.stringContaining('status not declared'),
    ]);
  });

  it('flags a body that does not match its schema', () => {
    const { stock: _stock, ...withoutStock } = product;
    expect(check('GET', `/product/${id}`, 200, { product: withoutStock })).toEqual([
      expect.stringContaining("must have required property 'stock'"),
    ]);
    expect(check('POST', '/product', 409, { code: 'NOT_FOUND', message: 'x' })).toEqual([
      expect.stringContaining('body/code must be equal to one of the allowed values'),
    ]);
    expect(check('GET', '/product', 200, undefined, 'text/html')).toEqual([
      expect.stringContaining('expected a JSON body'),
    ]);
  });

  it('leaves paths that are not REST operations alone', () => {
    expect(check('GET', '/healthz', 200, {})).toEqual([]);
    expect(check('GET', '/trpc/product.list', 200, {})).toEqual([]);
  });
});

describe('the shared http helper', () => {
  // A stand-in for the API: the real document, and a product route that answers as told.
  let server: Server;
  let url: string;
  let answer: { status: number; body: unknown };
  beforeAll(async () => {
    const document = JSON.stringify(openApiDocument('http://localhost:8000'));
    server = createServer((req, res) => {
      const body = req.url === '/openapi.json' ? document : JSON.stringify(answer.body);
      res.writeHead(req.url === '/openapi.json' ? 200 : answer.status, { 'content-type': json });
      res.end(body);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('not on a TCP port');
    url = `http://127.0.0.1:${address.port}`;
  });
  afterAll(() => {
    server.close();
  });

  it('checks every answer against the served document', async () => {
    answer = { status: 200, body: { product } };
    const res = await http({ url }, 'GET', `/product/${id}`);
    expect(expectStatus(res, 200).json.product.price).toBe('12.50');

    answer = { status: 200, body: { product: { ...product, price: 12.5 } } };
    await expect(http({ url }, 'GET', `/product/${id}`)).rejects.toThrow(
      /breaks the OpenAPI contract:\n.*body\/product\/price must be string/,
    );
    answer = { status: 418, body: { code: 'TEAPOT', message: 'no' } };
    await expect(http({ url }, 'GET', `/product/${id}`)).rejects.toThrow(/status not declared/);
  });

  it('expectStatus fails with the body of an answer of another status', async () => {
    answer = { status: 404, body: { code: 'NOT_FOUND', message: 'Product not found' } };
    const res = await http({ url }, 'GET', `/product/${id}`);
    expect(() => expectStatus(res, 200)).toThrow(
      'expected status 200, got 404: {"code":"NOT_FOUND","message":"Product not found"}',
    );
    expect(expectStatus(res, 200, 404).json).toEqual(answer.body);
  });
});
