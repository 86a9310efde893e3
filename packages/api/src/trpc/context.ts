// Request context: an inner part with no transport (what procedures use, and what tests and
// scripts build directly) and an outer part that reads the HTTP request.
import type { IncomingMessage } from 'node:http';
import type { ApiDeps } from '../deps.ts';
import { rateLimitKey } from '../rate-limit/key.ts';

export interface InnerContext {
  deps: ApiDeps;
  requestId: string;
  /**
   * The client as per-IP limits count it: its address (X-Forwarded-For is believed only as
   * TRUST_PROXY allows), or for IPv6 its /64 (rate-limit/key.ts). Used only as a limiter key.
   */
  ip: string;
  /** The raw `Authorization` header, checked lazily by the procedures that need a user. */
  authorization: string | undefined;
  /** The raw `Idempotency-Key` header (REST); tRPC callers pass the key as input instead. */
  idempotencyKey: string | undefined;
  /** Headers a procedure wants on its HTTP response (e.g. X-Cache), applied by the adapters. */
  responseHeaders: Record<string, string>;
}

export type Context = InnerContext;

export function createInnerContext(
  deps: ApiDeps,
  options: {
    requestId?: string;
    ip?: string;
    authorization?: string | undefined;
    idempotencyKey?: string | undefined;
  } = {},
): InnerContext {
  return {
    deps,
    requestId: options.requestId ?? 'internal',
    ip: options.ip ?? 'internal',
    authorization: options.authorization,
    idempotencyKey: options.idempotencyKey,
    responseHeaders: {},
  };
}

/** Express's req.ip (which applies TRUST_PROXY), else the socket's peer address. */
export function clientIp(req: IncomingMessage & { ip?: string | undefined }): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

export function createHttpContext(
  deps: ApiDeps,
  req: IncomingMessage & { id?: unknown; ip?: string | undefined },
): Context {
  return createInnerContext(deps, {
    ip: rateLimitKey(clientIp(req)),
    // genReqId (http/request-id.ts) always produces a string.
    requestId: typeof req.id === 'string' ? req.id : 'unknown',
    authorization: req.headers.authorization,
    idempotencyKey: headerValue(req.headers['idempotency-key']),
  });
}
