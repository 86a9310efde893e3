// Listening and graceful shutdown for one API process.
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, type AppState } from './app.ts';
import { closeApiDeps, type ApiDeps } from './deps.ts';

export interface RunningServer {
  server: Server;
  port: number;
  url: string;
  /** Fails readiness, stops accepting, waits for in-flight requests (bounded), closes pools. */
  close(): Promise<void>;
}

export async function startServer(deps: ApiDeps, port = deps.env.PORT): Promise<RunningServer> {
  const state: AppState = { shuttingDown: false };
  const app = createApp(deps, state);
  const server = app.listen(port, deps.env.HOST);
  await once(server, 'listening');
  // Node's defaults let a slow client hold a socket open for minutes.
  server.headersTimeout = 15_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
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
      await closeApiDeps(deps);
    })();
    return closing;
  };

  return {
    server,
    port: address.port,
    url: `http://${host === '[::]' || host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`,
    close,
  };
}
