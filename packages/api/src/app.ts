// The Express application, built from its dependencies. Listening and signals live in
// server.ts/main.ts, so tests run this exact app on port 0.
import { createExpressMiddleware } from '@trpc/server/adapters/express';
import express, { type Express } from 'express';
import { pinoHttp } from 'pino-http';
import type { ApiDeps } from './deps.ts';
import { docsPage } from './http/docs.ts';
import { errorHandler } from './http/errors.ts';
import { observeRequests, routeLabeler } from './http/metrics.ts';
import { checkReadiness } from './http/readiness.ts';
import { requestId } from './http/request-id.ts';
import { ipRateLimit } from './rate-limit/http.ts';
import { openApiDocument, restBridge } from './rest/rest.ts';
import { appRouter } from './routers/app.router.ts';
import { createHttpContext } from './trpc/context.ts';

export interface AppState {
  /** Set when shutdown begins: readiness fails so load balancers stop sending traffic. */
  shuttingDown: boolean;
}

export function createApp(deps: ApiDeps, state: AppState = { shuttingDown: false }): Express {
  const { env, logger } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', env.TRUST_PROXY);

  app.use(
    pinoHttp({
      logger,
      genReqId: requestId,
      customLogLevel: (_req, res, error) =>
        error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
      serializers: {
        req: (req: { id: unknown; method: unknown; url: unknown }) => ({
          id: req.id,
          method: req.method,
          url: req.url,
        }),
        res: (res: { statusCode: unknown }) => ({ statusCode: res.statusCode }),
      },
    }),
  );

  // Built once: the document depends only on the procedures and the configuration.
  const publicUrl = env.PUBLIC_URL ?? `http://localhost:${String(env.PORT)}`;
  const document = openApiDocument(publicUrl);
  app.use(
    observeRequests(
      deps.metrics,
      routeLabeler({
        restPaths: document.paths ?? {},
        procedures: Object.keys(appRouter._def.procedures),
        prefixes: env.API_DOCS_ENABLED ? ['/docs'] : [],
      }),
    ),
  );
  // While shutting down, answer and close: a client must not keep this connection for more.
  app.use((_req, res, next) => {
    if (state.shuttingDown) res.setHeader('Connection', 'close');
    next();
  });

  // With METRICS_PORT set, server.ts serves /metrics there and this port answers it 404.
  if (env.METRICS_PORT === undefined) {
    app.get('/metrics', async (_req, res) => {
      res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
    });
  }
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const readiness = await checkReadiness(deps, state.shuttingDown);
    res.status(readiness.ready ? 200 : 503).json({
      status: readiness.ready ? 'ready' : 'not ready',
      checks: readiness.checks,
    });
  });

  // The document is the same bytes for everyone and built once: fetching it costs nothing worth
  // limiting, and clients and contract tools read it before their first call.
  app.get('/openapi.json', (_req, res) => {
    res.json(document);
  });

  // Health checks, metrics and the document above are exempt; everything below counts against
  // the client's IP.
  app.use(ipRateLimit(deps));

  app.use(
    '/trpc',
    createExpressMiddleware({
      router: appRouter,
      createContext: ({ req }) => createHttpContext(deps, req),
      maxBatchSize: env.TRPC_MAX_BATCH_SIZE,
      responseMeta: ({ ctx, info }) =>
        // Only a single call's headers are unambiguous; a batch mixes several.
        info?.calls.length === 1 && ctx ? { headers: ctx.responseHeaders } : {},
      maxBodySize: env.BODY_LIMIT_BYTES,
      onError: ({ error, path, ctx }) => {
        if (error.code === 'INTERNAL_SERVER_ERROR') {
          logger.error(
            { err: error.cause ?? error, path, reqId: ctx?.requestId },
            'procedure failed',
          );
        }
      },
    }),
  );

  if (env.API_DOCS_ENABLED) {
    app.use('/docs', docsPage('/openapi.json', publicUrl));
  }

  // The bridge answers every remaining route: a procedure, or a JSON 404 in the common shape.
  app.use(restBridge(deps));
  app.use(errorHandler);
  return app;
}
