import type { Response } from 'express';
import { ApsHeaderKey, InternalError, isApsError, type ApsErrorBody } from '@apskit/core';
import type { Logger } from 'pino';

/**
 * Writes a JSON answer. Written directly rather than through res.json(): this path runs for every
 * request, and express's send computes an ETag nobody asked for. A body JSON cannot express (a
 * BigInt, a cycle, a toJSON that throws) answers 500 with the APS error body instead of throwing.
 */
export function sendJson(res: Response, status: number, body: unknown, latin1Headers = false): void {
  if (body === undefined || status === 204) {
    res.statusCode = status;
    res.end();
    return;
  }
  const text = serialize(body);
  if (text === undefined) {
    sendUnserializable(res);
    return;
  }
  writeJson(res, status, text, latin1Headers);
}

/** JSON text of a body, or undefined when JSON cannot express it (then the answer is a 500). */
export function serialize(body: unknown): string | undefined {
  try {
    const text = JSON.stringify(body) as string | undefined;
    // A function or a symbol has no JSON at all: stringify gives undefined rather than throwing.
    return typeof text === 'string' ? text : undefined;
  } catch {
    return undefined;
  }
}

export const UNSERIALIZABLE_MESSAGE =
  'Internal error: the application answered with a value JSON cannot express (a BigInt, a cycle, a function…)';

/** The 500 for an answer that cannot be serialized; headers the answer set are dropped. */
export function sendUnserializable(res: Response): void {
  for (const name of res.getHeaderNames()) {
    if (name !== ApsHeaderKey.transactionId) res.removeHeader(name);
  }
  writeJson(res, 500, JSON.stringify(new InternalError(UNSERIALIZABLE_MESSAGE).toJSON()), false);
}

/** Writes JSON text already made. */
export function writeJson(res: Response, status: number, text: string, latin1Headers: boolean): void {
  res.statusCode = status;
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
  if (isApsError(error)) {
    const body = apsBodyOf(error);
    if (body) return body;
    // An error that looks like an ApsError but has no usable body (a status that is no HTTP error,
    // a toJSON that throws) is the app's bug: a 500, never a crash or a success with an error body.
  }
  log?.error({ err: error }, 'unexpected error in an APS method');
  const message =
    exposeMessage && error instanceof Error ? (String(error.message).split('\n')[0] ?? '').trim().slice(0, 500) : '';
  return new InternalError(message || GENERIC_500).toJSON();
}

/** The body of an ApsError when it is a usable one: a 4xx or 5xx code, an error name and a message. */
function apsBodyOf(error: { toJSON(): ApsErrorBody }): ApsErrorBody | undefined {
  let body: ApsErrorBody;
  try {
    body = error.toJSON();
  } catch {
    return undefined;
  }
  if (body === null || typeof body !== 'object') return undefined;
  const { code } = body;
  const ok = Number.isInteger(code) && code >= 400 && code <= 599;
  return ok && typeof body.error === 'string' && typeof body.message === 'string' ? body : undefined;
}

export function sendError(res: Response, error: unknown, log: Logger | undefined): void {
  const body = errorBody(error, log);
  sendJson(res, body.code, body);
}
