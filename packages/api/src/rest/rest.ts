// The REST bridge: procedures with an `openapi` route in their meta, served as plain JSON at
// the public paths, with the OpenAPI document generated from the same definitions.
import express, { type RequestHandler, type Router } from 'express';
import {
  createOpenApiExpressMiddleware,
  type OpenAPIObject,
  type OpenApiRouter,
} from 'trpc-to-openapi';
import type { ApiDeps } from '../deps.ts';
import { isJsonObjectBody, NOT_AN_OBJECT_MESSAGE, sendError } from '../http/errors.ts';
import { exceedsJsonDepth, JSON_TOO_DEEP_MESSAGE } from '../http/json-depth.ts';
import { appRouter } from '../routers/app.router.ts';
import { createHttpContext } from '../trpc/context.ts';
import { formatRestError } from '../trpc/errors.ts';
import { buildOpenApiDocument, carriesBody, isOpenApiMethod } from './openapi.ts';
import { successStatuses } from './operation.ts';

/**
 * The same router with REST's error formatter: the bridge spreads the formatted shape into its
 * response body, which must be exactly `{ code, message, issues? }` (no tRPC `data`).
 *
 * Why a copy of the router's config: trpc-to-openapi 3.3 builds that shape from
 * `router._def._config` and takes no formatter of its own (`responseMeta` sets only status and
 * headers). The one formatter in trpc.ts cannot tell the transports apart either: an error raised
 * before the context exists (the 415 for a non-JSON body) reaches it without a context, as tRPC's
 * own early errors do. So the swap stays here, the only place that touches `_config`.
 */
function withRestErrors(router: OpenApiRouter): OpenApiRouter {
  return {
    ...router,
    _def: { ...router._def, _config: { ...router._def._config, errorFormatter: formatRestError } },
  };
}

const restRouter = withRestErrors(appRouter);

/** Headers procedures asked for (the bridge types its context loosely). */
function responseHeaders(ctx: unknown): Record<string, string> {
  if (typeof ctx !== 'object' || ctx === null || !('responseHeaders' in ctx)) return {};
  const headers: unknown = ctx.responseHeaders;
  return typeof headers === 'object' && headers !== null
    ? Object.fromEntries(
        Object.entries(headers).filter(
          (entry): entry is [string, string] => typeof entry[1] === 'string',
        ),
      )
    : {};
}

/** The document of this bridge (rest/openapi.ts), served at `publicUrl`. */
export function openApiDocument(publicUrl: string): OpenAPIObject {
  return buildOpenApiDocument(restRouter, { publicUrl });
}

export function restBridge(deps: ApiDeps): Router {
  const bridge = express.Router();
  // Parsed here (not by the bridge) so every JSON media type and charset works, and body errors
  // (malformed JSON 400, too large 413, bad charset 415) get the shared error shape.
  // A POST without a body (e.g. POST /order/{id}/cancel from curl) is an empty JSON object,
  // rather than a 415 for its missing content type.
  bridge.use((req, _res, next) => {
    const empty =
      req.headers['content-length'] === '0' ||
      (!req.headers['content-length'] && !req.headers['transfer-encoding']);
    if (!req.headers['content-type'] && empty) {
      req.headers['content-type'] = 'application/json';
      req.body = {};
    }
    next();
  });
  // Only where the bridge reads a body: GET and DELETE take their input from the path and the
  // query, so a body sent with them is ignored rather than answered 400/413/415. Not strict:
  // `null` or `42` is valid JSON, so it is refused below for what it is (not an object), rather
  // than by the parser as "not valid JSON".
  const json: RequestHandler = express.json({ limit: deps.env.BODY_LIMIT_BYTES, strict: false });
  bridge.use((req, res, next) => {
    if (isOpenApiMethod(req.method) && !carriesBody(req.method)) next();
    else json(req, res, next);
  });
  bridge.use((req, res, next) => {
    if (exceedsJsonDepth(req.body)) sendError(res, 400, 'BAD_REQUEST', JSON_TOO_DEEP_MESSAGE);
    else if (!isJsonObjectBody(req.body)) sendError(res, 400, 'BAD_REQUEST', NOT_AN_OBJECT_MESSAGE);
    else next();
  });
  const statuses = successStatuses(restRouter);
  const handler: RequestHandler = createOpenApiExpressMiddleware({
    router: restRouter,
    createContext: ({ req }) => createHttpContext(deps, req),
    maxBodySize: deps.env.BODY_LIMIT_BYTES,
    // trpc-to-openapi fills `paths` (its `info.calls` is always empty), so `paths` it is.
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    responseMeta: ({ paths, errors, ctx }) => {
      const path = paths?.[0];
      const status = errors.length === 0 && path ? statuses.get(path) : undefined;
      const headers = responseHeaders(ctx);
      return { ...(status ? { status } : {}), headers };
    },
    onError: ({ error, path, req }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') {
        // req.log is the request's pino-http child logger: it carries the request id.
        req.log.error({ err: error.cause ?? error, path }, 'procedure failed');
      }
    },
  });
  bridge.use(handler);
  return bridge;
}
