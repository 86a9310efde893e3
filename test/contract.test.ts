// The schema-driven contract pass: Portman generates, from the live /openapi.json and
// test/contract/portman-config.json, a positive request for every operation and negative variations
// (no token, USER token on ADMIN operations, unknown ids, bad bodies); newman runs them against the
// live API and a worker, and every response must have its declared status and schema, never a 5xx.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import newman, { type NewmanRunExecution, type NewmanRunSummary } from 'newman';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProduct, expectStatus, http, signIn } from '@chronicle/testing';
import { createOrPromoteAdmin } from '@chronicle/core';
import {
  orderOf,
  placeOrder,
  root,
  useTestAppWithWorker,
  waitForTerminal,
} from './support/orders.ts';

const run = promisify(execFile);
const portmanBin = path.join(root, 'node_modules/@apideck/portman/bin/portman');
const portmanConfig = path.join(root, 'test/contract/portman-config.json');
const METHODS = ['get', 'put', 'post', 'patch', 'delete'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface Operation {
  id: string;
  protected: boolean;
  responses: string[];
  pathId: boolean;
  body: boolean;
}

/** What the document declares, so the expected request count follows the document. */
function operationsOf(document: unknown): Operation[] {
  const paths = isRecord(document) && isRecord(document.paths) ? document.paths : {};
  return Object.entries(paths).flatMap(([route, item]) =>
    METHODS.flatMap((method) => {
      const op = isRecord(item) ? item[method] : undefined;
      if (!isRecord(op)) return [];
      return [
        {
          id: `${method.toUpperCase()} ${route}`,
          protected: Array.isArray(op.security) && op.security.length > 0,
          responses: isRecord(op.responses) ? Object.keys(op.responses) : [],
          pathId: route.includes('{id}'),
          body: op.requestBody !== undefined,
        },
      ];
    }),
  );
}

/** The variations the config asks for, one per operation and kind, as the document allows them. */
function expectedVariations(operations: Operation[]): Record<string, number> {
  const count = (keep: (op: Operation) => boolean) => operations.filter(keep).length;
  return {
    'no Authorization header': count((op) => op.protected && op.responses.includes('401')),
    'USER token on an ADMIN operation': count((op) => op.protected && op.responses.includes('403')),
    'unknown id': count((op) => op.pathId && op.responses.includes('404')),
    // Three per operation with a body: a field of the wrong type or value, an unknown field, {}.
    'bad body': 3 * count((op) => op.body && op.responses.includes('400')),
  };
}

const BAD_BODY = /\[(invalid .+|unknown field|empty body)\]$/;

/**
 * Request bodies against the document's own request schemas: a positive body must be valid by
 * them, a bad-body variation invalid (else its 400 would contradict the document, not confirm it).
 */
function requestBodyProblems(document: unknown, executions: NewmanRunExecution[]): string[] {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema({ ...(isRecord(document) ? document : {}), $id: 'openapi.json' });
  const paths = isRecord(document) && isRecord(document.paths) ? document.paths : {};
  const templates = Object.keys(paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/\{[^}/]+\}/g, '[^/]+')}$`),
  }));
  return executions.flatMap((execution) => {
    const raw = execution.request.body?.raw;
    if (!raw) return [];
    const method = execution.request.method.toLowerCase();
    const route = execution.request.url.getPath();
    const template = templates.find((t) => t.pattern.test(route))?.template ?? route;
    const pointer = ['paths', template, method, 'requestBody', 'content', 'application/json']
      .map((part) => encodeURIComponent(part.replaceAll('~', '~0').replaceAll('/', '~1')))
      .join('/');
    const valid = ajv.validate({ $ref: `openapi.json#/${pointer}/schema` }, JSON.parse(raw));
    const bad = BAD_BODY.test(execution.item.name);
    if (valid === !bad) return [];
    return [
      `${execution.item.name}: the document calls this body ${valid ? 'valid' : 'invalid'}: ${raw}`,
    ];
  });
}

const { app } = useTestAppWithWorker();
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'chronicle-contract-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('generated contract pass (Portman + newman)', () => {
  it('every operation and variation answers its declared status and schema, never a 5xx', async () => {
    // Fixtures, so that every positive request can succeed.
    const loginEmail = `contract-admin-${process.pid}@example.com`;
    const loginPassword = 'correct horse battery';
    await createOrPromoteAdmin(app.deps.db, loginEmail, loginPassword);
    const login = await http(app, 'POST', '/auth/login', {
      body: { email: loginEmail, password: loginPassword },
    });
    const adminToken = expectStatus(login, 200).json.token;
    const user = await signIn(app);
    // setRole changes this account, so it is not the one the other requests use.
    const target = await signIn(app);
    const product = { price: '10.00', stock: 100 };
    const productId = await createProduct(app, adminToken, { name: 'Contract mug', ...product });
    const deleteProductId = await createProduct(app, adminToken, {
      name: 'Contract gone',
      ...product,
    });
    const order = async () => {
      const res = await placeOrder(app, user.token, [{ id: productId, quantity: 1 }]);
      expect(res.status, res.text).toBe(202);
      return orderOf(res).id;
    };
    const orderId = await order();
    const cancelOrderId = await order();
    // Settled orders, so the cancel request does not race the worker's confirmation.
    await waitForTerminal(app, [orderId, cancelOrderId]);

    const documentText = await (await fetch(`${app.url}/openapi.json`)).text();
    const oasFile = path.join(dir, 'openapi.json');
    const collectionFile = path.join(dir, 'collection.json');
    await writeFile(oasFile, documentText);
    // Portman writes its working files under ./tmp, hence the temporary directory as cwd.
    await run(
      process.execPath,
      [portmanBin, '-l', oasFile, '-c', portmanConfig, '-o', collectionFile, '-b', '{{baseUrl}}'],
      { cwd: dir },
    );

    const summary = await new Promise<NewmanRunSummary>((resolve, reject) => {
      newman.run(
        {
          collection: collectionFile,
          envVar: Object.entries({
            baseUrl: app.url,
            adminToken,
            userToken: user.token,
            loginEmail,
            loginPassword,
            targetUserId: target.id,
            productId,
            deleteProductId,
            orderId,
            cancelOrderId,
            // A well-formed id that names nothing.
            unknownId: '00000000-0000-4000-8000-000000000000',
          }).map(([key, value]) => ({ key, value })),
          reporters: [],
        },
        (error, result) => {
          if (error) reject(error);
          else resolve(result);
        },
      );
    });

    const failures = summary.run.failures.map(
      (f) => `${f.source?.name ?? '?'}: ${f.error.message}`,
    );
    expect(failures).toEqual([]);

    const document: unknown = JSON.parse(documentText);
    expect(requestBodyProblems(document, summary.run.executions)).toEqual([]);
    const operations = operationsOf(document);
    const variations = expectedVariations(operations);
    const names = summary.run.executions.map((e) => e.item.name);
    for (const [kind, expected] of Object.entries(variations)) {
      const match = kind === 'bad body' ? BAD_BODY : `[${kind}]`;
      expect(
        names.filter((n) => (typeof match === 'string' ? n.endsWith(match) : match.test(n))),
        kind,
      ).toHaveLength(expected);
    }
    const minimum = operations.length + Object.values(variations).reduce((a, b) => a + b, 0);
    expect(summary.run.stats.requests.total).toBeGreaterThanOrEqual(minimum);
    // Status, content type, JSON body and schema at least, for every request.
    expect(summary.run.stats.assertions.total).toBeGreaterThanOrEqual(4 * minimum);
    const serverErrors = summary.run.executions
      .filter((e) => e.response.code >= 500)
      .map((e) => `${e.item.name}: ${String(e.response.code)}`);
    expect(serverErrors).toEqual([]);
    // The counts, for the CI log.
    console.log(
      `contract pass: ${String(summary.run.stats.requests.total)} requests, ${String(summary.run.stats.assertions.total)} assertions, variations ${JSON.stringify(variations)}`,
    );
  });
});
