// The one place errors are shaped for callers: domain errors become tRPC errors, tRPC error
// data is built, and the REST bridge's `{ code, message, issues? }` body comes from the same
// message rules. Internal errors never show their message or stack.
import { TRPCError, type TRPCDefaultErrorShape } from '@trpc/server';
import { z } from 'zod';
import { DomainError } from '@chronicle/core';
import { RateLimitedError } from '../rate-limit/limiters.ts';

export const INTERNAL_MESSAGE = 'Internal server error';

/** One rejected input field: zod's issue (code, path, message and details such as `minimum`). */
interface ValidationIssue {
  code: string;
  path: (string | number)[];
  message: string;
  [detail: string]: unknown;
}

/**
 * An issue as callers see it: zod's issue without `pattern`, the validator's regex, which is an
 * implementation detail (and a hint for crafting inputs). Union branches and nested key or item
 * issues are cleaned the same way.
 */
function publicIssue(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  switch (issue.code) {
    case 'invalid_format': {
      const { pattern: _pattern, ...rest } = issue;
      return rest;
    }
    case 'invalid_union':
      return issue.inclusive === false
        ? issue
        : { ...issue, errors: issue.errors.map((branch) => branch.map(publicIssue)) };
    case 'invalid_key':
    case 'invalid_element':
      return { ...issue, issues: issue.issues.map(publicIssue) };
    default:
      return issue;
  }
}

/** Zod's issues for both tRPC and REST callers (the REST bridge reads them from the cause). */
function validationIssues(error: TRPCError): ValidationIssue[] | undefined {
  if (!(error.cause instanceof z.ZodError)) return undefined;
  return error.cause.issues.map((issue) => ({
    ...publicIssue(issue),
    path: issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key)),
  }));
}

/**
 * tRPC and trpc-to-openapi both word a refused content type as `Unsupported content-type "<type>`
 * (the closing quote is missing) or "Missing content-type header". JSON is the only body either
 * side of this API reads.
 */
const CONTENT_TYPE_MESSAGE = 'Content-Type must be application/json';

function publicMessage(error: TRPCError): string {
  if (error.code === 'INTERNAL_SERVER_ERROR') return INTERNAL_MESSAGE;
  if (error.cause instanceof z.ZodError) return 'Input validation failed';
  if (
    error.code === 'UNSUPPORTED_MEDIA_TYPE' &&
    /^(Unsupported|Missing) content-type/.test(error.message)
  ) {
    return CONTENT_TYPE_MESSAGE;
  }
  return error.message;
}

export function toTrpcError(error: TRPCError): TRPCError {
  const cause = error.cause;
  if (cause instanceof DomainError) {
    return new TRPCError({ code: cause.kind, message: cause.message, cause });
  }
  // The REST bridge puts the cause's issues into its response as they are, so the cause itself
  // is replaced by one holding the public issues.
  if (cause instanceof z.ZodError) {
    const issues = cause.issues.map(publicIssue);
    return new TRPCError({
      code: error.code,
      message: error.message,
      cause: new z.ZodRealError(issues),
    });
  }
  return error;
}

export function formatTrpcError({
  shape,
  error,
}: {
  shape: TRPCDefaultErrorShape;
  error: TRPCError;
}) {
  const issues = validationIssues(error);
  const retryAfter =
    error.cause instanceof RateLimitedError ? error.cause.retryAfterSeconds : undefined;
  return {
    message: publicMessage(error),
    code: shape.code,
    data: {
      code: shape.data.code,
      httpStatus: shape.data.httpStatus,
      path: shape.data.path,
      ...(issues ? { issues } : {}),
      /** Seconds until a rate-limited call may be retried. */
      ...(retryAfter === undefined ? {} : { retryAfter }),
    },
  };
}

/** The REST body: exactly `{ code, message }`; the bridge adds `issues` for validation errors. */
export function formatRestError({ error }: { error: TRPCError }) {
  return { code: error.code, message: publicMessage(error) };
}
