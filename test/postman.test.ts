// The Postman collection, run by newman against the live API and a worker on a fresh database:
// what Postman users import must keep working.
import path from 'node:path';
import newman, { type NewmanRunSummary } from 'newman';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '@chronicle/api/testing';
import type { Worker } from '@chronicle/worker';
import { root, startInProcessWorker } from './support/orders.ts';

describe('Postman collection', () => {
  let app: TestApp;
  let worker: Worker;
  beforeAll(async () => {
    app = await startTestApp({ ALLOW_ADMIN_SIGNUP: 'true' });
    worker = await startInProcessWorker(app);
  });
  afterAll(async () => {
    await worker.stop();
    await app.close();
  });

  it('runs every request with every assertion passing', async () => {
    const summary = await new Promise<NewmanRunSummary>((resolve, reject) => {
      newman.run(
        {
          collection: path.join(root, 'postman/chronicle.postman_collection.json'),
          environment: path.join(root, 'postman/chronicle.postman_environment.json'),
          envVar: [{ key: 'baseUrl', value: app.url }],
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
    expect(summary.run.stats.requests.total).toBe(22);
    expect(summary.run.stats.assertions.total).toBeGreaterThanOrEqual(40);
  });
});
