/**
 * `/aps/2/types`: the types this application serves, as APS schemas, the way the APS controller's
 * types library answers them (docs.cloudblue.com/cbc/sdk/21.0/api/rest/controller/types): each
 * schema with an `aps` section, `aps.id` (the type's APS ID) and `aps.href` (its URL), beside the
 * schema's own `id` (the type ID); the list filtered, sorted and paged by RQL (../query/type-query)
 * and by `Range`, with `Content-Range`; one type at `aps.href`, `/aps/2/types/{aps.id}`.
 *
 * The platform's APS ID of a type is a number its database gives. This controller has no database
 * of types: a type's APS ID is its type ID, unique and the same in every process, and its href has
 * it percent-encoded (`/aps/2/types/http%3A%2F%2F…`). A client that follows `aps.href` (rather than
 * building the path) works on both.
 */
import type { Request, Router } from 'express';
import { NotFoundError, toApsSchema, type ApsSchema } from '@apskit/core';
import { sendJson } from '@apskit/express';
import type { Controller } from '../controller';
import { listPage } from '../query/list-page';
import { queryTypes } from '../query/type-query';
import { readPage, sendPage } from './paging';
import { route, type RouteContext } from './route-helpers';

export function typeHref(typeId: string): string {
  return `/aps/2/types/${encodeURIComponent(typeId)}`;
}

/** A type as the types library answers it: `aps` first, then the APS schema. */
export function typeJson(schema: ApsSchema): Record<string, unknown> {
  return { aps: { id: schema.id, href: typeHref(schema.id) }, ...schema };
}

/** The RQL of a request: its query string as sent, still percent-encoded ('' for none). */
function rqlOf(req: Request): string {
  const at = req.originalUrl.indexOf('?');
  return at < 0 ? '' : req.originalUrl.slice(at + 1);
}

/** The schema of the served type with this APS ID (its type ID), or a 404. */
function typeNamed(schemas: readonly ApsSchema[], id: string): ApsSchema {
  const found = schemas.find((s) => s.id === id);
  if (!found) throw new NotFoundError(`No type ${id}: this application serves no type with that APS ID`);
  return found;
}

export function typeRoutes(router: Router, controller: Controller, { limits }: RouteContext): void {
  // The model is built once and frozen: so are its schemas.
  const schemas = controller.model.types.map((t) => toApsSchema(t));
  router.get(
    '/aps/2/types',
    route(async (req, res) => {
      const { items, limit } = queryTypes(schemas, rqlOf(req));
      const page = listPage(limit, req.headers.range, limits);
      const texts = await readPage(
        page,
        limits.maxBytes,
        async (offset, count) => items.slice(offset, offset + count),
        typeJson,
      );
      sendPage(res, page.offset, texts, items.length);
    }),
  );

  // One type. Express decodes the segment: `http%3A%2F%2Fexample.com%2Fmailbox%2F1.0` is the type ID.
  router.get(
    '/aps/2/types/:id',
    route(async (req, res) => {
      sendJson(res, 200, typeJson(typeNamed(schemas, req.params.id as string)));
    }),
  );
  // A type ID whose slashes were left as they are (`/aps/2/types/http:/example.com/…` after a client or
  // proxy merged `//`) is several segments: joined again, and `http:/` read as `http://`.
  router.get(
    '/aps/2/types/{*rest}',
    route(async (req, res) => {
      const segments = (req.params as unknown as { rest: string[] }).rest;
      const joined = segments.join('/').replace(/^(https?):\/(?!\/)/, '$1://');
      sendJson(res, 200, typeJson(typeNamed(schemas, joined)));
    }),
  );
}
