/**
 * `/aps/2/types`: the types this application serves, as APS schemas.
 */
import type { Router } from 'express';
import { toApsSchema } from '@apskit/core';
import { sendJson } from '@apskit/express';
import type { Controller } from '../controller';
import { route, type RouteContext } from './route-helpers';

export function typeRoutes(router: Router, controller: Controller, _context: RouteContext): void {
  router.get(
    '/aps/2/types',
    route(async (_req, res) =>
      sendJson(
        res,
        200,
        controller.model.types.map((t) => toApsSchema(t)),
      ),
    ),
  );
}
