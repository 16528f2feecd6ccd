/**
 * What every route of the controller's API shares: a handler's errors answered as APS errors (with
 * the caller's request id), the request id read and checked, and a lifecycle operation's answer.
 */
import type { Request, RequestHandler, Response } from 'express';
import {
  ApsError,
  ApsHeader,
  ApsHeaderKey,
  BadRequestError,
  InternalError,
  isApsError,
  REQUEST_ID_PATTERN,
} from '@apskit/core';
import { errorBody, sendError, sendJson } from '@apskit/express';
import type { OperationResult } from '../controller';
import { TransportError } from '../transport/transport';
import type { PageLimits } from './paging';

/** What a group of routes is given besides the controller. */
export interface RouteContext {
  readonly limits: PageLimits;
}

export type Handler = (req: Request, res: Response) => Promise<void>;

/** The caller's unique id for a request: recorded on the task, echoed on the answer and in errors. */
export const REQUEST_ID_HEADER = ApsHeaderKey.requestId;

export function requestIdOf(req: Request): string | undefined {
  const value = req.headers[REQUEST_ID_HEADER];
  const id = Array.isArray(value) ? value[0] : value;
  if (id === undefined) return undefined;
  if (!REQUEST_ID_PATTERN.test(id))
    throw new BadRequestError(`${ApsHeader.requestId} must be 1 to 200 visible ASCII characters`);
  return id;
}

/**
 * What a caller is told of an error: an APS error as it is; an endpoint that did not answer as a 502
 * that says so; anything else (a store's failure, a bug) as a 500 without its message, which could
 * carry a database's or a file system's words: it goes to the log instead.
 */
export function publicError(e: unknown): unknown {
  if (isApsError(e)) return e;
  if (e instanceof TransportError) {
    console.error(`apskit controller API: ${e.message}`);
    return new ApsError(502, 'BadGateway', 'The endpoint did not answer the operation');
  }
  console.error('apskit controller API: unexpected error', e);
  return new InternalError('Internal error: the controller failed to handle the request');
}

export function route(handler: Handler): RequestHandler {
  return (req, res) => {
    handler(req, res).catch((thrown: unknown) => {
      const e = publicError(thrown);
      const requestId = req.headers[REQUEST_ID_HEADER];
      if (typeof requestId !== 'string') {
        sendError(res, e, undefined);
        return;
      }
      // An error names the request it answers, so that a caller polling many can correlate it.
      res.setHeader(ApsHeader.requestId, requestId);
      const body = { ...errorBody(e, undefined), requestId };
      sendJson(res, body.code, body);
    });
  };
}

export function sendOperation(res: Response, result: OperationResult, requestId?: string): void {
  if (result.task) res.setHeader(ApsHeader.taskId, result.task.id);
  if (requestId !== undefined) res.setHeader(ApsHeader.requestId, requestId);
  if (result.error !== undefined) {
    sendJson(res, result.status, result.error);
    return;
  }
  sendJson(res, result.status, result.status === 204 ? undefined : result.resource);
}
