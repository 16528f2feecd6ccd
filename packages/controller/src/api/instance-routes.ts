/**
 * `/apskit/instance`: the application instance this controller runs.
 */
import type { Router } from 'express';
import { sendJson } from '@apskit/express';
import type { Controller } from '../controller';
import { route, type RouteContext } from './route-helpers';

export function instanceRoutes(router: Router, controller: Controller, _context: RouteContext): void {
  router.get(
    '/apskit/instance',
    route(async (_req, res) => {
      const instance = controller.instance;
      sendJson(res, 200, {
        id: instance.id,
        application: controller.options.app.name,
        globalsId: (await instance.globalsId) ?? null,
      });
    }),
  );
}
