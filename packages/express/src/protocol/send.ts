import type { Response } from 'express';
import { InternalError, isApsError, type ApsErrorBody } from '@apskit/core';
import type { Logger } from 'pino';

/**
 * Writes a JSON answer. Written directly rather than through res.json(): this path runs for every
 * request, and express's send computes an ETag nobody asked for.
 */
export function sendJson(res: Response, status: number, body: unknown): void {
  res.statusCode = status;
  if (body === undefined || status === 204) {
    res.end();
    return;
  }
  // A Buffer, not a string: Node would write the headers with a string body in its encoding (UTF-8),
  // which double-encodes the Latin-1 bytes of a non-ASCII APS-Info (see headerValue).
  const data = Buffer.from(JSON.stringify(body), 'utf8');
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', data.length);
  res.end(data);
}

/** The APS error body for anything thrown: an ApsError as it is, anything else as a 500. */
export function errorBody(error: unknown, log: Logger | undefined): ApsErrorBody {
  if (isApsError(error)) return error.toJSON();
  // The stack goes to the log, never to the caller.
  log?.error({ err: error }, 'unexpected error in an APS method');
  return new InternalError('Internal error: the application failed to handle the request').toJSON();
}

export function sendError(res: Response, error: unknown, log: Logger | undefined): void {
  const body = errorBody(error, log);
  sendJson(res, body.code, body);
}
