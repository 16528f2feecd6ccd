import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { ApsError, BadRequestError, PayloadTooLargeError } from '@apskit/core';
import { sendError } from '../protocol/send';

// `\u`: a JSON escape can spell any of the keys (`"\u005f_proto__"`) without their bytes appearing.
const UNSAFE_MARKERS = ['__proto__', 'constructor', 'prototype', '\\u'];

/** Set on a request whose raw body holds a key that could reach a prototype. */
export const UNSAFE_BODY = Symbol('apskit.unsafeBody');

/** Whether JSON text may hold a key that could reach a prototype (a cheap search, not a parse). */
export function mayHoldUnsafeKeys(text: string | Buffer): boolean {
  return UNSAFE_MARKERS.some((m) => text.includes(m));
}

/**
 * JSON bodies up to `limit`. The raw bytes are searched for keys that could reach a prototype
 * (a native search, so the common body pays nothing else); a body that has them is copied without
 * them before any app code sees it.
 */
export function jsonBody(limit: string | number): RequestHandler {
  return express.json({
    limit,
    type: ['application/json', 'application/*+json'],
    verify: (req, _res, buf) => {
      if (mayHoldUnsafeKeys(buf)) (req as unknown as Record<symbol, unknown>)[UNSAFE_BODY] = true;
    },
  });
}

/** Body-parser failures as APS errors: malformed JSON is 400, too large is 413. */
export const bodyErrors: ErrorRequestHandler = (
  err: { type?: string; message?: string; limit?: number },
  _req,
  res,
  next,
) => {
  switch (err.type) {
    case 'entity.too.large':
      sendError(res, new PayloadTooLargeError(`Request body too large: the limit is ${err.limit} bytes`), undefined);
      return;
    case 'entity.parse.failed':
      sendError(res, new BadRequestError(`Malformed JSON body: ${err.message}`), undefined);
      return;
    case 'encoding.unsupported':
    case 'charset.unsupported':
      sendError(res, new ApsError(415, 'UnsupportedMediaType', err.message ?? 'Unsupported encoding'), undefined);
      return;
    default: {
      // Any other client error the parser found (a body it cannot inflate, an aborted request…).
      const status = (err as { status?: unknown }).status;
      if (typeof status === 'number' && status >= 400 && status < 500) {
        sendError(
          res,
          new ApsError(status, 'BadRequest', `Unreadable request body: ${err.message ?? 'invalid'}`),
          undefined,
        );
        return;
      }
      next(err);
    }
  }
};
