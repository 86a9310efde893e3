// HTTP-level errors outside any procedure (unparsable or oversized bodies), in the same
// `{ code, message, issues? }` shape as every other error.
import type { ErrorRequestHandler, Response } from 'express';
import { INTERNAL_MESSAGE } from '../trpc/errors.ts';

export function sendError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ code, message });
}

export const NOT_AN_OBJECT_MESSAGE = 'Request body must be a JSON object';

/**
 * Whether a parsed body is one the REST bridge can take: a JSON object, or no JSON body at all
 * (undefined). Every REST input is an object; an array would be spread into keys "0", "1", ….
 */
export function isJsonObjectBody(body: unknown): boolean {
  return body === undefined || (typeof body === 'object' && body !== null && !Array.isArray(body));
}

interface HttpError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
}

function asHttpError(error: unknown): HttpError {
  return typeof error === 'object' && error !== null ? error : {};
}

export const errorHandler: ErrorRequestHandler = (error: unknown, req, res, next) => {
  if (res.headersSent) {
    next(error);
    return;
  }
  const { type, status, statusCode } = asHttpError(error);
  switch (type) {
    case 'entity.parse.failed':
      sendError(res, 400, 'PARSE_ERROR', 'Request body is not valid JSON');
      return;
    case 'entity.too.large':
      sendError(res, 413, 'PAYLOAD_TOO_LARGE', 'Request body is too large');
      return;
    case 'charset.unsupported':
    case 'encoding.unsupported':
      sendError(
        res,
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        'Request body charset or encoding is not supported',
      );
      return;
    default:
      break;
  }
  const code = status ?? statusCode ?? 500;
  if (code >= 400 && code < 500) {
    sendError(res, code, 'BAD_REQUEST', 'Bad request');
    return;
  }
  req.log.error({ err: error }, 'unhandled error');
  sendError(res, 500, 'INTERNAL_SERVER_ERROR', INTERNAL_MESSAGE);
};
