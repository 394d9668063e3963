// A request Node's HTTP parser refuses (a 1 MB URL, malformed bytes) never reaches Hono: answer it here, in the one error shape.
import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';
import { errorBody } from './errors.ts';

// Node's own answers to the same errors (431, 408, 400), with a body that says what happened.
const ANSWERS: Record<string, { status: number; code: string; message: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, code: 'headers-too-large', message: 'The URL and headers of the request are larger than the server accepts (16 KB in all); shorten the URL' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: 'request-timeout', message: 'The request did not arrive in time' },
};
const MALFORMED = { status: 400, code: 'invalid-request', message: 'The request is not valid HTTP' };

/** Listener for the http.Server 'clientError' event: writes a complete JSON response and closes the connection. */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  // The client is gone (or the socket already closed): nothing to answer.
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const { status, code, message } = ANSWERS[err.code ?? ''] ?? MALFORMED;
  const body = JSON.stringify(errorBody(code, message));
  const head = [`HTTP/1.1 ${status} ${STATUS_CODES[status]}`, 'Content-Type: application/json; charset=UTF-8', `Content-Length: ${Buffer.byteLength(body)}`, 'Connection: close'];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
  // The rest of the request (the 1 MB URL) is read and dropped: a socket closed with unread bytes is reset, and the reset
  // can discard this answer before the client reads it. A client that goes on sending is cut off after 5 s.
  socket.resume();
  setTimeout(() => socket.destroy(), 5000).unref();
}
