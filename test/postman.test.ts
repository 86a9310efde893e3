// The Postman collection, run by `pnpm postman`'s own function (scripts/postman.ts) against the
// live API and a worker on a fresh database: what Postman users import, and the command that
// runs it, must keep working — with admin sign-up open or closed, twice in a row, on any port.
import { beforeAll, describe, expect, it } from 'vitest';
import { createOrPromoteAdmin, freePort } from '@chronicle/core';
import { runProcess } from '@chronicle/testing';
import {
  environmentFileValues,
  PostmanConfigError,
  postmanVariables,
  runPostman,
  type PostmanRun,
} from '../scripts/postman.ts';
import { root, useTestAppWithWorker } from './support/orders.ts';

/** The status "Register admin" got in a run. */
function registerAdminStatus(run: PostmanRun): number | undefined {
  return run.summary.run.executions.find((e) => e.item.name === 'Register admin')?.response.code;
}

function expectAllPassed(run: PostmanRun): void {
  expect(run.failures).toEqual([]);
  expect(run.summary.run.stats.requests.total).toBe(22);
  expect(run.summary.run.stats.assertions.total).toBeGreaterThanOrEqual(40);
}

describe('Postman collection, admin sign-up open', () => {
  const { app } = useTestAppWithWorker({
    ALLOW_ADMIN_SIGNUP: 'true',
    // One run registers twice (the admin, a shopper); the default limit is 10 an hour from one
    // address. 4 lets exactly two runs through, so a collection that registers more fails here.
    RATE_LIMIT_REGISTER_POINTS: '4',
  });

  it('passes twice in a row against the same API, keeping its variables as the Postman app does', async () => {
    const first = await runPostman({ env: { CHRONICLE_URL: app.url } });
    expectAllPassed(first);
    expect(registerAdminStatus(first)).toBe(201);

    // With the variables the first run left: the Postman app keeps collection variables
    // (product name, shopper, idempotency key) between runs; newman alone would start afresh.
    expect(Object.keys(first.collectionVariables)).toContain('adminToken');
    const second = await runPostman({
      env: { CHRONICLE_URL: `${app.url}/` },
      collectionVariables: first.collectionVariables,
    });
    expectAllPassed(second);
    expect(registerAdminStatus(second)).toBe(409);
  });
});

describe('Postman collection, admin sign-up closed (admin from admin:create)', () => {
  let port: number;
  const { app } = useTestAppWithWorker(async () => {
    port = await freePort();
    return { ALLOW_ADMIN_SIGNUP: 'false', PORT: String(port) };
  });
  beforeAll(async () => {
    // What `pnpm admin:create --email <adminEmail> --password <adminPassword>` does.
    const { adminEmail, adminPassword } = await environmentFileValues();
    if (adminEmail === undefined || adminPassword === undefined) {
      throw new Error('the environment file names no admin (adminEmail, adminPassword)');
    }
    await createOrPromoteAdmin(app.deps.db, adminEmail, adminPassword);
  });

  it('passes with the environment file’s admin created as `pnpm admin:create` does', async () => {
    const run = await runPostman({ env: { CHRONICLE_URL: app.url } });
    expectAllPassed(run);
    expect(registerAdminStatus(run)).toBe(403);
  });

  it('reaches the API on $PORT with no URL given, as the admin named by the operator', async () => {
    const admin = { email: 'ops-postman@example.com', password: 'operator password 42' };
    await createOrPromoteAdmin(app.deps.db, admin.email, admin.password);
    const run = await runPostman({
      env: {
        PORT: String(port),
        CHRONICLE_ADMIN_EMAIL: admin.email,
        CHRONICLE_ADMIN_PASSWORD: admin.password,
      },
    });
    expect(run.baseUrl).toBe(`http://localhost:${port}`);
    expectAllPassed(run);
  });

  it('`pnpm postman` prints a summary and exits 0, or 1 with a hint when nothing answers', async () => {
    const passing = runProcess(['scripts/postman.ts'], {
      cwd: root,
      env: { PORT: String(port), CHRONICLE_URL: '' },
    });
    expect(await passing.exited(30_000)).toBe(0);
    expect(passing.logs.at(-1)?.msg).toMatch(
      new RegExp(
        `^postman: 22 requests, \\d+ assertions against http://localhost:${port}: all passed$`,
      ),
    );

    const nothing = await freePort();
    const failing = runProcess(['scripts/postman.ts'], {
      cwd: root,
      env: { PORT: String(nothing), CHRONICLE_URL: '' },
    });
    expect(await failing.exited(30_000)).toBe(1);
    const printed = failing.logs.map((l) => l.msg ?? '');
    expect(printed).toContainEqual(expect.stringContaining('is the API running there?'));
    expect(printed.at(-1)).toMatch(/failed$/);

    const misconfigured = runProcess(['scripts/postman.ts'], {
      cwd: root,
      env: { PORT: '0', CHRONICLE_URL: '' },
    });
    expect(await misconfigured.exited(30_000)).toBe(2);
    expect(misconfigured.stderr()).toContain('PORT=0 is not a port');
  });
});

describe('pnpm postman: which API, as which admin', () => {
  it('takes CHRONICLE_URL over PORT, PORT over the default, and --env-var last', () => {
    expect(postmanVariables({})).toEqual([{ key: 'baseUrl', value: 'http://localhost:8000' }]);
    expect(postmanVariables({ PORT: '31418', CHRONICLE_URL: '' })).toEqual([
      { key: 'baseUrl', value: 'http://localhost:31418' },
    ]);
    expect(
      postmanVariables(
        {
          PORT: '31418',
          CHRONICLE_URL: 'https://api.example.com/chronicle/',
          CHRONICLE_ADMIN_EMAIL: 'ops@example.com',
          CHRONICLE_ADMIN_PASSWORD: 'p=w',
        },
        ['--env-var', 'adminPassword=a=b', '--env-var=extra=1'],
      ),
    ).toEqual([
      { key: 'baseUrl', value: 'https://api.example.com/chronicle' },
      { key: 'adminEmail', value: 'ops@example.com' },
      { key: 'adminPassword', value: 'a=b' },
      { key: 'extra', value: '1' },
    ]);
  });

  it('refuses what cannot name a reachable API', () => {
    expect(() => postmanVariables({ PORT: '0' })).toThrow(PostmanConfigError);
    expect(() => postmanVariables({ PORT: '8000x' })).toThrow(/PORT=8000x/);
    expect(() => postmanVariables({ CHRONICLE_URL: 'localhost:8000' })).toThrow(/http:\/\//);
    expect(() => postmanVariables({}, ['--env-var', 'novalue'])).toThrow(/<name>=<value>/);
    expect(() => postmanVariables({}, ['--bail'])).toThrow(PostmanConfigError);
  });
});
