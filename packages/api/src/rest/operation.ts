// How a procedure declares its REST route: one typed helper builds every procedure's meta, so the
// routers state only what differs between routes and the defaults live here, once.
import {
  forEachOpenApiProcedure,
  type OpenApiMeta,
  type OpenApiMethod,
  type OpenApiRouter,
} from 'trpc-to-openapi';
import type { Meta, ProcedureErrorStatus, SuccessStatus } from '../trpc/trpc.ts';
import type { Tag } from './openapi.ts';

type Route = NonNullable<OpenApiMeta['openapi']>;

export interface Operation {
  method: OpenApiMethod;
  path: Route['path'];
  /** The document's section for the route (rest/openapi.ts describes each one). */
  tag: Tag;
  summary: string;
  description: string;
  /** Whether a bearer token is required. Default true: a route is public only by saying so. */
  protect?: boolean;
  /** Default 200. */
  successStatus?: SuccessStatus;
  errors?: Partial<Record<ProcedureErrorStatus, string>>;
  example: Meta['example'];
  minBodyFields?: number;
  requestHeaders?: Route['requestHeaders'];
  responseHeaders?: Route['responseHeaders'];
}

/** The meta of a procedure served at `method path` by the REST bridge. */
export function operation({
  method,
  path,
  tag,
  summary,
  description,
  protect = true,
  successStatus = 200,
  errors = {},
  example,
  minBodyFields,
  requestHeaders,
  responseHeaders,
}: Operation): Meta {
  return {
    openapi: {
      method,
      path,
      tags: [tag],
      summary,
      description,
      protect,
      // exactOptionalPropertyTypes: an absent option stays absent, rather than `undefined`.
      ...(requestHeaders ? { requestHeaders } : {}),
      ...(responseHeaders ? { responseHeaders } : {}),
    },
    successStatus,
    errors,
    example,
    ...(minBodyFields === undefined ? {} : { minBodyFields }),
  };
}

/**
 * The success status of every REST procedure, keyed by the procedure's path ("order.create"),
 * which is what the bridge's `responseMeta` is told. Read once through trpc-to-openapi's own
 * typed iteration, the one rest/openapi.ts documents the same statuses from.
 */
export function successStatuses(router: OpenApiRouter): ReadonlyMap<string, SuccessStatus> {
  const statuses = new Map<string, SuccessStatus>();
  forEachOpenApiProcedure<Meta>(router._def.procedures, ({ path, meta }) => {
    statuses.set(path, meta.successStatus);
  });
  return statuses;
}
