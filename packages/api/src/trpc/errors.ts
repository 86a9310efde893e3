// The one place errors are shaped for callers: tRPC error data and the REST `{ code, message,
// issues? }` body both come from here. Internal errors never show their message or stack.
import type { TRPCDefaultErrorShape, TRPCError } from '@trpc/server';

import { z } from 'zod';

export interface Issue {
  path: string;
  message: string;
  code: string;
}

export const INTERNAL_MESSAGE = 'Internal server error';

export function validationIssues(error: TRPCError): Issue[] | undefined {
  const cause = error.cause;
  if (!(cause instanceof z.ZodError)) return undefined;
  return cause.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
    code: issue.code,
  }));
}

export function publicMessage(error: TRPCError): string {
  if (error.code === 'INTERNAL_SERVER_ERROR') return INTERNAL_MESSAGE;
  if (error.cause instanceof z.ZodError) return 'Input validation failed';
  return error.message;
}

export function formatTrpcError({
  shape,
  error,
}: {
  shape: TRPCDefaultErrorShape;
  error: TRPCError;
}) {
  const issues = validationIssues(error);
  return {
    message: publicMessage(error),
    code: shape.code,
    data: {
      code: shape.data.code,
      httpStatus: shape.data.httpStatus,
      path: shape.data.path,
      ...(issues ? { issues } : {}),
    },
  };
}
