/**
 * `/aps/2/types`: the types this application serves, as APS schemas, the way the APS controller's
 * types library answers them (docs.cloudblue.com/cbc/sdk/21.0/api/rest/controller/types): each
 * schema with an `aps` section, `aps.id` (the type's APS ID, a string) and `aps.href` (its URL),
 * beside the schema's own `id` (the type ID, a URI); the list paged with `Content-Range` and
 * filtered by RQL; one type at `/aps/2/types/{aps.id}`.
 *
 * The platform's APS ID of a type is a number its database gives. Here it is a name-based UUID
 * (RFC 4122 version 5) of the type ID: the same in every process and after every restart, and, as
 * on the platform, not the type ID, so that a client that confuses the two fails here too.
 * `GET /aps/2/types/{id}` also takes the type ID itself, percent-encoded (an APSKit convenience).
 */
import { createHash } from 'node:crypto';
import type { Request, Router } from 'express';
import { NotFoundError, toApsSchema, type ApsTypeModel } from '@apskit/core';
import { sendJson } from '@apskit/express';
import type { Controller } from '../controller';
import { pageOfRange, readPage, sendPage } from './paging';
import { route, type RouteContext } from './route-helpers';

/** RFC 4122's namespace for names that are URLs (appendix C): type IDs are. */
const URL_NAMESPACE = Buffer.from('6ba7b8119dad11d180b400c04fd430c8', 'hex');

/** The type's APS ID: the version 5 UUID of its type ID. */
export function typeApsId(typeId: string): string {
  const hash = createHash('sha1').update(URL_NAMESPACE).update(typeId, 'utf8').digest();
  const b = hash.subarray(0, 16);
  b[6] = ((b[6] as number) & 0x0f) | 0x50;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function typeHref(typeId: string): string {
  return `/aps/2/types/${typeApsId(typeId)}`;
}

/** A type as the types library answers it: `aps` first, then the APS schema. */
export function typeJson(type: ApsTypeModel): Record<string, unknown> {
  return { aps: { id: typeApsId(type.id), href: typeHref(type.id) }, ...toApsSchema(type) };
}

/** The RQL of a request: its query string as sent, still percent-encoded ('' for none). */
function rqlOf(req: Request): string {
  const at = req.originalUrl.indexOf('?');
  return at < 0 ? '' : req.originalUrl.slice(at + 1);
}

/** The types an RQL query selects, in the model's order. */
function matchingTypes(types: readonly ApsTypeModel[], rql: string): readonly ApsTypeModel[] {
  // TODO(H1 type-query): filter with the query; until then every type.
  void rql;
  return types;
}

/** The served type with this APS ID or type ID, or a 404. */
function typeNamed(controller: Controller, ref: string): ApsTypeModel {
  const found = controller.model.types.find((t) => t.id === ref || typeApsId(t.id) === ref);
  if (!found) throw new NotFoundError(`No type ${ref}: neither the APS ID nor the type ID of a served type`);
  return found;
}

export function typeRoutes(router: Router, controller: Controller, { limits }: RouteContext): void {
  router.get(
    '/aps/2/types',
    route(async (req, res) => {
      const page = pageOfRange(req.headers.range, limits);
      const types = matchingTypes(controller.model.types, rqlOf(req));
      const texts = await readPage(
        page,
        limits.maxBytes,
        async (offset, limit) => types.slice(offset, offset + limit),
        typeJson,
      );
      sendPage(res, page.offset, texts, types.length);
    }),
  );

  // One type. Express decodes the segment: `http%3A%2F%2Fexample.com%2Fmailbox%2F1.0` is the type ID.
  router.get(
    '/aps/2/types/:id',
    route(async (req, res) => {
      sendJson(res, 200, typeJson(typeNamed(controller, req.params.id as string)));
    }),
  );
  // A type ID whose slashes were left as they are (`/aps/2/types/http:/example.com/…` after a client or
  // proxy merged `//`) is several segments: joined again, and `http:/` read as `http://`.
  router.get(
    '/aps/2/types/{*rest}',
    route(async (req, res) => {
      const segments = (req.params as unknown as { rest: string[] }).rest;
      const joined = segments.join('/').replace(/^(https?):\/(?!\/)/, '$1://');
      sendJson(res, 200, typeJson(typeNamed(controller, joined)));
    }),
  );
}
