// The listening server: timeouts that fire at their configured value, and an optional private
// port for /metrics.
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { http, startTestApp, useTestApp, type TestApp } from '@chronicle/testing';

/**
 * Sends `data` on a raw connection and never finishes the request; resolves with what the
 * server answered and when it closed, or 'still open' after `giveUpMs` (5 s unless given).
 */
function slowClient(
  app: TestApp,
  data: string,
  giveUpMs = 5_000,
): Promise<{ answer: string; elapsedMs: number }> {
  const { port, hostname } = new URL(app.url);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let answer = '';
    const socket = connect(Number(port), hostname, () => {
      socket.write(data);
    });
    const giveUp = setTimeout(() => {
      socket.destroy();
      resolve({ answer: 'still open', elapsedMs: performance.now() - started });
    }, giveUpMs);
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
    });
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(giveUp);
      resolve({ answer, elapsedMs: performance.now() - started });
    });
  });
}

/** The server answered 408 and closed between `fromMs` and `beforeMs` after the request began. */
function expectTimedOut(
  reply: { answer: string; elapsedMs: number },
  fromMs: number,
  beforeMs: number,
): void {
  expect(reply.answer).toMatch(/^HTTP\/1\.1 408 /);
  expect(reply.elapsedMs).toBeGreaterThanOrEqual(fromMs);
  expect(reply.elapsedMs).toBeLessThan(beforeMs);
}

describe('HTTP timeouts', () => {
  const app = useTestApp({ HTTP_HEADERS_TIMEOUT_MS: '500', HTTP_REQUEST_TIMEOUT_MS: '1000' });

  it('answers 408 to a client still sending headers after HTTP_HEADERS_TIMEOUT_MS', async () => {
    const reply = await slowClient(app, 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: 1');
    expectTimedOut(reply, 450, 1_000);
    expect(reply.answer).toContain(
      '\r\n\r\n{"code":"TIMEOUT","message":"The request took too long to arrive"}',
    );
  });

  it('answers 408 to a client still sending its body after HTTP_REQUEST_TIMEOUT_MS', async () => {
    const reply = await slowClient(
      app,
      'POST /auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"em',
    );
    expectTimedOut(reply, 950, 1_800);
  });
});

describe('requests the HTTP parser refuses', () => {
  const app = useTestApp();

  it('headers over the size limit get 431 in the error shape', async () => {
    const res = await http(app, 'GET', `/product?q=${'x'.repeat(20_000)}`);
    expect(res.status).toBe(431);
    expect(res.json).toEqual({
      code: 'REQUEST_HEADER_FIELDS_TOO_LARGE',
      message: 'Request headers are too large',
    });
  });

  it('a malformed request line gets 400 in the error shape', async () => {
    const { answer } = await slowClient(app, 'GET /\0 nonsense\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain('\r\n\r\n{"code":"BAD_REQUEST","message":"Malformed HTTP request"}');
  });
});

describe('METRICS_PORT', () => {
  const app = useTestApp({ METRICS_PORT: '0' });

  it('serves /metrics on its own port only', async () => {
    expect(app.metricsPort).toBeTypeOf('number');
    const onApi = await http(app, 'GET', '/metrics');
    expect(onApi.status).toBe(404);
    expect(onApi.json).toEqual({ code: 'NOT_FOUND', message: 'Not found' });
    // A plain fetch: the metrics port serves no /openapi.json for the helper's contract check.
    const onMetrics = await fetch(`http://127.0.0.1:${String(app.metricsPort)}/metrics`);
    expect(onMetrics.status).toBe(200);
    expect(await onMetrics.text()).toContain('chronicle_http_request_duration_seconds');
  });

  it('is off by default: /metrics stays on the API port', async () => {
    const plain = await startTestApp();
    try {
      expect(plain.metricsPort).toBeUndefined();
      expect((await http(plain, 'GET', '/metrics')).status).toBe(200);
    } finally {
      await plain.close();
    }
  });
});
