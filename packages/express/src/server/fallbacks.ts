import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ApsError } from '@apskit/core';
import { sendError } from '../protocol/send';

/**
 * The last handlers of an app that speaks APS: a path nothing answered is a 404, and an error
 * nothing handled a 500, both with the APS error body, never express's HTML page.
 */
export function apsFallbacks(): [RequestHandler, ErrorRequestHandler] {
  const notFound: RequestHandler = (req, res) => {
    sendError(res, new ApsError(404, 'NotFound', `Nothing here: ${req.method} ${req.path.slice(0, 200)}`), undefined);
  };
  const failed: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // Errors express itself raises for bad requests (a path segment that is not valid percent-encoding)
    // carry a 4xx status: they are the client's, and answer as such.
    const status = (err as { status?: unknown } | null)?.status;
    if (typeof status === 'number' && status >= 400 && status < 500 && !(err instanceof ApsError)) {
      sendError(res, new ApsError(status, 'BadRequest', (err as Error).message ?? 'Bad request'), undefined);
      return;
    }
    sendError(res, err, undefined);
  };
  return [notFound, failed];
}
