// Listening and graceful shutdown for one API process.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveMetrics } from '@chronicle/core';
import { createApp, type AppState } from './app.ts';
import { answerClientError } from './http/client-errors.ts';
import { closeApiDeps, type ApiDeps } from './deps.ts';

export interface RunningServer {
  server: Server;
  port: number;
  url: string;
  /** The metrics port when METRICS_PORT is set (its actual port when set to 0). */
  metricsPort: number | undefined;
  /** Fails readiness, stops accepting, waits for in-flight requests (bounded), closes pools. */
  close(): Promise<void>;
}

export async function startServer(deps: ApiDeps, port = deps.env.PORT): Promise<RunningServer> {
  const state: AppState = { shuttingDown: false };
  const app = createApp(deps, state);
  const { HTTP_HEADERS_TIMEOUT_MS: headersTimeout, HTTP_REQUEST_TIMEOUT_MS: requestTimeout } =
    deps.env;
  // Node's defaults let a slow client hold a socket open for minutes. It enforces these two
  // timeouts only when it sweeps its connections (every 30 s by default), so a 15 s headers
  // timeout really fired after up to 30 s: sweep at a tenth of the shorter one (at most every
  // second), which keeps the lateness under 10 %. The interval can only be set at creation.
  const server = createServer(
    {
      headersTimeout,
      requestTimeout,
      connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(headersTimeout / 10))),
    },
    app,
  );
  server.keepAliveTimeout = 5_000;
  server.on('clientError', answerClientError);
  server.listen(port, deps.env.HOST);
  await once(server, 'listening');
  const metricsServer =
    deps.env.METRICS_PORT === undefined
      ? undefined
      : await serveMetrics(deps.metrics.registry, deps.env.METRICS_PORT, deps.env.HOST);
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      state.shuttingDown = true;
      // Live order streams would hold their connections open: end them first (clients fall
      // back to reconnecting elsewhere or polling).
      await deps.orderEvents.close();
      const drained = new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
      server.closeIdleConnections();
      // Connections that become idle while draining (a finished request, an ended live stream)
      // would otherwise linger for the keep-alive timeout: close them as they go idle.
      const sweeper = setInterval(() => {
        server.closeIdleConnections();
      }, 100);
      const timer = setTimeout(() => {
        deps.logger.warn('in-flight requests did not finish in time; closing their connections');
        server.closeAllConnections();
      }, deps.env.SHUTDOWN_TIMEOUT_MS);
      await drained;
      clearTimeout(timer);
      clearInterval(sweeper);
      // Scrapes are short: close the metrics port after the API, so the drain stays observable.
      if (metricsServer) {
        metricsServer.server.closeAllConnections();
        await new Promise<void>((resolve) =>
          metricsServer.server.close(() => {
            resolve();
          }),
        );
      }
      await closeApiDeps(deps);
    })();
    return closing;
  };

  return {
    server,
    port: address.port,
    metricsPort: metricsServer?.port,
    url: `http://${host === '[::]' || host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`,
    close,
  };
}
