import type { Response } from 'express';
import { InternalError, isApsError, type ApsErrorBody } from '@apskit/core';
import type { Logger } from 'pino';

/**
 * Writes a JSON answer. Written directly rather than through res.json(): this path runs for every
 * request, and express's send computes an ETag nobody asked for.
 */
export function sendJson(res: Response, status: number, body: unknown, latin1Headers = false): void {
  res.statusCode = status;
  if (body === undefined || status === 204) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  if (latin1Headers) {
    // With a string body Node writes headers and body in one chunk, in the body's encoding (UTF-8),
    // which would double-encode the Latin-1 bytes of a non-ASCII APS-Info (see headerValue). A
    // Buffer body keeps the headers Latin-1; it costs a second write, so only such answers pay it.
    const data = Buffer.from(text, 'utf8');
    res.setHeader('Content-Length', data.length);
    res.end(data);
    return;
  }
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

const GENERIC_500 = 'Internal error: the application failed to handle the request';

/**
 * The APS error body for anything thrown: an ApsError as it is; any other Error as a 500 that carries
 * its message (the first line, at most 500 characters), as the APS PHP runtime answers, so that the
 * controller's task shows what went wrong; with `exposeMessage` off, or for a thrown non-Error, a
 * generic message. The stack never leaves: it goes to the log.
 */
export function errorBody(error: unknown, log: Logger | undefined, exposeMessage = true): ApsErrorBody {
  if (isApsError(error)) return error.toJSON();
  log?.error({ err: error }, 'unexpected error in an APS method');
  const message =
    exposeMessage && error instanceof Error ? (error.message.split('\n')[0] ?? '').trim().slice(0, 500) : '';
  return new InternalError(message || GENERIC_500).toJSON();
}

export function sendError(res: Response, error: unknown, log: Logger | undefined): void {
  const body = errorBody(error, log);
  sendJson(res, body.code, body);
}
