// The API's /metrics stays bounded: route labels come from matched routes only.
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { http, useTestApp, type TestApp, type UntypedResponse } from '@chronicle/testing';

const DURATION_COUNT = 'chronicle_http_request_duration_seconds_count';

/** The request-duration series in a scrape, as their label sets. */
async function durationSeries(app: TestApp): Promise<string[]> {
  const { text } = await http(app, 'GET', '/metrics');
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${DURATION_COUNT}{`))
    .map((line) => line.slice(DURATION_COUNT.length, line.lastIndexOf(' ')));
}

const randomPath = () => `/${randomBytes(6).toString('hex')}/${randomBytes(4).toString('hex')}`;

/** One hostile request to a random path; the kinds cover the statuses seen in the field. */
async function hostile(app: TestApp, kind: number): Promise<number> {
  const route = randomPath();
  const requests: (() => Promise<UntypedResponse>)[] = [
    () => http(app, 'GET', route),
    () =>
      http(app, 'POST', route, {
        headers: { 'content-type': 'application/json' },
        rawBody: '{',
      }),
    () => http(app, 'POST', route, { body: { pad: 'x'.repeat(4_096) } }),
    () =>
      http(app, 'POST', route, {
        headers: { 'content-type': 'application/json; charset=latin-7' },
        rawBody: '{}',
      }),
    () => http(app, 'GET', `/trpc/${randomBytes(5).toString('hex')}`),
    () => http(app, 'GET', `/trpc/health.live,${randomBytes(5).toString('hex')}?batch=1&input={}`),
  ];
  const request = requests[kind % requests.length];
  if (!request) throw new Error('no request kind');
  return (await request()).status;
}

describe('metrics cardinality', () => {
  const app = useTestApp({ BODY_LIMIT_BYTES: '1024' });

  it('1,000 random paths add no series: unmatched paths share one label', async () => {
    // One of each kind first, so every (method, status) pair of the unmatched label exists.
    const warmup = await Promise.all([0, 1, 2, 3, 4, 5].map((kind) => hostile(app, kind)));
    expect(new Set(warmup)).toEqual(new Set([404, 400, 413, 415, 207]));
    // A scrape is counted once it has been answered: scrape once so /metrics's own series exists.
    await durationSeries(app);
    const before = await durationSeries(app);

    const statuses = new Set<number>();
    for (let batch = 0; batch < 50; batch++) {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => hostile(app, batch * 20 + i)),
      );
      for (const status of results) statuses.add(status);
    }
    expect(statuses).toEqual(new Set([404, 400, 413, 415, 207]));
    const after = await durationSeries(app);
    expect(after.filter((series) => !before.includes(series))).toEqual([]);
    expect(after.every((series) => !/[0-9a-f]{8}/.test(series))).toBe(true);
  });

  it('keeps the route template for matched routes, whatever their status', async () => {
    for (let i = 0; i < 3; i++) {
      expect((await http(app, 'GET', `/product/${randomUUID()}`)).status).toBe(404);
    }
    expect((await http(app, 'GET', '/trpc/health.live')).status).toBe(200);
    const series = await durationSeries(app);
    expect(series).toContainEqual(expect.stringMatching(/route="\/product\/:id",status="404"/));
    expect(series).toContainEqual(
      expect.stringMatching(/route="\/trpc\/health\.live",status="200"/),
    );
    expect(series).toContainEqual(expect.stringMatching(/route="\/healthz"|route="\/metrics"/));
    const { text } = await http(app, 'GET', '/metrics');
    const product404 = text
      .split('\n')
      .find((l) => l.startsWith(DURATION_COUNT) && l.includes('route="/product/:id",status="404"'));
    expect(Number(product404?.slice(product404.lastIndexOf(' ') + 1))).toBe(3);
  });
});
