/**
 * `GET /openapi.json`: the endpoint's OpenAPI document (toOpenApi of @apskit/core). It is answered
 * before the dispatcher, which only takes paths below a service, and never where a service owns the
 * path (a service may be named `openapi.json`). Behind mutual TLS it asks for the same certificate
 * as the APS routes: the document tells what the endpoint serves, which is the controller's business.
 */
import type { RequestHandler } from 'express';
import { sendJson } from '../protocol/send';

export interface OpenApiRouteOptions {
  readonly path: string;
  /** Whether a service owns the path: then the request is the service's. */
  readonly owns: (path: string) => boolean;
  /** Made on the first request and kept: the model it describes never changes. */
  readonly document: () => unknown;
  /** Runs first when set: the client-certificate check. */
  readonly guard?: RequestHandler;
}

export function openApiRoute(options: OpenApiRouteOptions): RequestHandler {
  let document: unknown;
  const answer: RequestHandler = (_req, res) => {
    document ??= options.document();
    sendJson(res, 200, document);
  };
  return (req, res, next) => {
    if (req.path !== options.path || (req.method !== 'GET' && req.method !== 'HEAD') || options.owns(req.path)) {
      next();
      return;
    }
    if (!options.guard) {
      answer(req, res, next);
      return;
    }
    options.guard(req, res, (err?: unknown) => (err ? next(err) : answer(req, res, next)));
  };
}

/** The path the `openapi` option asks for, or undefined when it is off. */
export function openApiPath(option: boolean | { path?: string } | undefined): string | undefined {
  if (option === false) return undefined;
  const path = (typeof option === 'object' ? option.path : undefined) ?? '/openapi.json';
  if (!path.startsWith('/')) throw new Error(`createEndpoint: openapi.path "${path}" must start with "/"`);
  return path;
}
