// Request context: an inner part with no transport (what procedures use, and what tests and
// scripts build directly) and an outer part that reads the HTTP request.
import type { Request } from 'express';
import type { ApiDeps } from '../deps.ts';

export interface InnerContext {
  deps: ApiDeps;
  requestId: string;
}

export type Context = InnerContext;

export function createInnerContext(deps: ApiDeps, requestId = 'internal'): InnerContext {
  return { deps, requestId };
}

export function createHttpContext(deps: ApiDeps, req: Request): Context {
  // genReqId (http/request-id.ts) always produces a string.
  return createInnerContext(deps, typeof req.id === 'string' ? req.id : 'unknown');
}
