// The REST meta helper: the defaults it fills in, and the success statuses the bridge answers with.
import { describe, expect, it } from 'vitest';
import { operation, successStatuses } from '../src/rest/operation.ts';
import { appRouter } from '../src/routers/app.router.ts';

const route = {
  method: 'GET',
  path: '/things',
  tag: 'products',
  summary: 'Things',
  description: 'All the things.',
  example: { output: [] },
} as const;

describe('operation', () => {
  it('fills in the defaults: protected, 200, no procedure errors, no optional fields', () => {
    expect(operation(route)).toStrictEqual({
      openapi: {
        method: 'GET',
        path: '/things',
        tags: ['products'],
        summary: 'Things',
        description: 'All the things.',
        protect: true,
      },
      successStatus: 200,
      errors: {},
      example: { output: [] },
    });
  });

  it('keeps what a route states', () => {
    const meta = operation({
      ...route,
      protect: false,
      successStatus: 201,
      errors: { 409: 'Taken' },
      minBodyFields: 1,
    });
    expect(meta.openapi?.protect).toBe(false);
    expect(meta.successStatus).toBe(201);
    expect(meta.errors).toStrictEqual({ 409: 'Taken' });
    expect(meta.minBodyFields).toBe(1);
  });
});

describe('successStatuses', () => {
  it('has every REST procedure by its path, and nothing that has no route', () => {
    const statuses = successStatuses(appRouter);
    expect(statuses.get('auth.register')).toBe(201);
    expect(statuses.get('product.create')).toBe(201);
    expect(statuses.get('order.create')).toBe(202);
    expect(statuses.get('order.list')).toBe(200);
    expect(statuses.size).toBe(14);
    expect(statuses.has('health.live')).toBe(false);
    expect(statuses.has('order.watch')).toBe(false);
  });
});
