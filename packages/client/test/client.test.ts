import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { startTestApp, type TestApp } from '@chronicle/api/testing';
import { createChronicleClient } from '../src/index.ts';

describe('typed client against the real API', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app.close();
  });

  it('calls a procedure end to end with inferred types', async () => {
    const client = createChronicleClient({ url: app.url });
    const result = await client.health.live.query();
    expectTypeOf(result).toEqualTypeOf<{ status: 'ok' }>();
    expect(result).toEqual({ status: 'ok' });
  });
});
