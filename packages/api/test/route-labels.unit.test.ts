// Metric route labels: templates of known routes only, so client input never names a series.
import { describe, expect, it } from 'vitest';
import { routeLabeler } from '../src/http/metrics.ts';

const label = routeLabeler({
  restPaths: {
    '/product': { get: {}, post: {} },
    '/product/{id}': { get: {}, patch: {}, delete: {}, parameters: [] },
    '/order/{id}/cancel': { post: {} },
    '/v1.0/status': { get: {} },
    '/empty': undefined,
  },
  procedures: ['product.list', 'order.get'],
  prefixes: ['/docs'],
});

describe('routeLabeler', () => {
  it.each([
    ['GET', '/product', '/product'],
    ['POST', '/product', '/product'],
    ['GET', '/product/', '/product'],
    ['GET', '/product/3f2b8c1e', '/product/:id'],
    ['delete', '/product/3f2b8c1e', '/product/:id'],
    ['POST', '/order/abc/cancel', '/order/:id/cancel'],
    ['GET', '/v1.0/status', '/v1.0/status'],
  ])('labels %s %s as %s', (method, path, expected) => {
    expect(label(method, path)).toBe(expected);
  });

  it.each([
    ['PUT', '/product/1', 'a method the route does not serve'],
    ['PARAMETERS', '/product/1', 'an OpenAPI key that is no method'],
    ['GET', '/product/1/2', 'a path parameter spanning segments'],
    ['GET', '/v1x0/status', 'a dot in a template taken as any character'],
    ['GET', '/empty', 'a path item without operations'],
    ['GET', '/product-secret', 'a longer path sharing a prefix'],
    ['GET', '/wp-admin/setup.php', 'a probe for something else'],
  ])('labels %s %s unmatched (%s)', (method, path) => {
    expect(label(method, path)).toBe('unmatched');
  });

  it('labels known procedures, a batch of them, and nothing else under /trpc', () => {
    expect(label('GET', '/trpc/product.list')).toBe('/trpc/product.list');
    expect(label('GET', '/trpc/product%2Elist')).toBe('/trpc/product.list');
    expect(label('GET', '/trpc/product.list,order.get')).toBe('/trpc/(batch)');
    expect(label('GET', '/trpc/product.list,admin.secret')).toBe('unmatched');
    expect(label('GET', '/trpc/anything')).toBe('unmatched');
    expect(label('GET', '/trpc/%E0%A4%A')).toBe('unmatched');
  });

  it('labels a mounted prefix by the prefix, and only whole segments of it', () => {
    expect(label('GET', '/docs')).toBe('/docs');
    expect(label('GET', '/docs/assets/app.css')).toBe('/docs');
    expect(label('GET', '/docsx')).toBe('unmatched');
  });
});
