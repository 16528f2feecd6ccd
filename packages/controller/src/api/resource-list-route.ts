/**
 * `GET /aps/2/resources`: a page of resources.
 */
import type { Router } from 'express';
import type { Controller } from '../controller';
import { renderResource } from '../wire/resource-json';
import { pageOfRange, readPage, sendPage } from './paging';
import { route, type RouteContext } from './route-helpers';

export function resourceListRoute(router: Router, controller: Controller, { limits }: RouteContext): void {
  router.get(
    '/aps/2/resources',
    route(async (req, res) => {
      const type = typeof req.query.type === 'string' ? req.query.type : undefined;
      const typeId = type === undefined ? undefined : controller.serviceOf(type).type.id;
      const page = pageOfRange(req.headers.range, limits);
      let total = 0; // set by the first read (there is always one), past the list's end too
      const texts = await readPage(
        page,
        limits.maxBytes,
        async (offset, limit) => {
          const found = await controller.listResources({ type: typeId, offset, limit });
          total = found.total;
          return found.items;
        },
        renderResource,
      );
      sendPage(res, page.offset, texts, total);
    }),
  );
}
