// Requests Node's HTTP parser refuses before Express sees them (headers over the size limit,
// a malformed request line, a request that took too long to arrive). Node answers those with a
// bare status line; here they get the API's `{ code, message }` body like every other error.
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

function answerFor(code: string | undefined): [number, string, string] {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return [431, 'REQUEST_HEADER_FIELDS_TOO_LARGE', 'Request headers are too large'];
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return [408, 'TIMEOUT', 'The request took too long to arrive'];
    default:
      return [400, 'BAD_REQUEST', 'Malformed HTTP request'];
  }
}

/** A `clientError` listener for an http.Server. */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  // A reset or already closed connection has no one left to answer.
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, code, message] = answerFor(error.code);
  const body = JSON.stringify({ code, message });
  socket.end(
    `HTTP/1.1 ${String(status)} ${STATUS_CODES[status] ?? ''}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${String(Buffer.byteLength(body))}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
