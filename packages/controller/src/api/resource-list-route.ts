/**
 * `GET /aps/2/resources?<rql>`: a page of the resources an RQL query selects
 * (docs.cloudblue.com/cbc/sdk/21.0/api/rest/rql/), in the order it asks, with the links its
 * `select()` names. The query is read raw from the URL: express's query parser would split RQL at
 * its `&` and `=` and decode its values before RQL could. `limit()` and `Range: items=a-b` both
 * page (limit() wins, see ../query/list-page), the page size limits of ./paging apply, and
 * `Content-Range` says which part of the list the page is.
 */
import type { Router } from 'express';
import type { ResourceRecord } from '@apskit/store';
import type { Controller } from '../controller';
import { listPage } from '../query/list-page';
import { callerOf } from '../auth/request-caller';
import { renderResource, type ResourceJson } from '../wire/resource-json';
import { readPage, sendPage } from './paging';
import { route, type RouteContext } from './route-helpers';

/** The query text of a request: what follows the first `?` of its URL, as sent. */
export function rawQueryOf(originalUrl: string): string {
  const at = originalUrl.indexOf('?');
  return at < 0 ? '' : originalUrl.slice(at + 1);
}

export function resourceListRoute(router: Router, controller: Controller, { limits }: RouteContext): void {
  router.get(
    '/aps/2/resources',
    route(async (req, res) => {
      const parsed = controller.resourceQuery(rawQueryOf(req.originalUrl));
      const { limit, select } = parsed;
      // Access rules: a filter or sort on what the caller may not read is a 400; the caller's reach
      // (an owner: its account's resources) is part of the store's query, so pages and total count
      // only those, and each item is shown without what the caller may not read.
      const caller = callerOf(res);
      controller.access.checkQuery(caller, parsed.query);
      const query = { ...parsed.query, where: await controller.access.narrow(caller, parsed.query.where) };
      const view = (json: ResourceJson): ResourceJson => controller.access.view(caller, json);
      const page = listPage(limit, req.headers.range, limits);
      // Counted by the first read (past the list's end too), not by the next chunks of the page:
      // a filter over a million resources is counted once per request.
      let total: number | undefined;
      const read = async (offset: number, count: number): Promise<ResourceRecord[]> => {
        const counted = total === undefined ? {} : { total: false as const };
        const found = await controller.listResources({ ...query, offset, limit: count, ...counted });
        total ??= found.total;
        return found.items;
      };
      // Links only when select() asks: a list shows none otherwise, as the platform's does.
      const texts =
        select.length > 0
          ? await readPage(
              page,
              limits.maxBytes,
              async (offset, count) => controller.renderResources(await read(offset, count), select),
              view,
            )
          : await readPage(page, limits.maxBytes, read, (r) => view(renderResource(r)));
      // limit(s,0) reads no page, only the total (a count).
      if (page.limit === 0) total = (await controller.listResources({ ...query, offset: 0, limit: 0 })).total;
      sendPage(res, page.offset, texts, total ?? 0);
    }),
  );
}
