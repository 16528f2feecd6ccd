/**
 * `/aps/2/resources`: create, read, change and remove a resource, its relations, and the custom
 * operations below it (forwarded to the endpoint). The list is in ./resource-list-route.
 */
import type { Response, Router } from 'express';
import type { Caller } from '../auth/caller';
import { ApsHeader, ApsHeaderKey, BadRequestError, ForbiddenError, NotFoundError } from '@apskit/core';
import { callerOf } from '../auth/request-caller';
import { sendJson } from '@apskit/express';
import { roleOf } from '../access/access-policy';
import { checkNewResource, viewResult } from '../access/route-access';
import type { Controller } from '../controller';
import type { LinkEntryJson } from '../links/link-commands';
import { declaredOperation } from '../operations/custom-operation';
import { pageOfRange, readPage, sendPage } from './paging';
import { requestIdOf, route, sendOperation, type RouteContext } from './route-helpers';

const FORWARD_METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE']);

export function resourceRoutes(router: Router, controller: Controller, { limits }: RouteContext): void {
  router.post(
    '/aps/2/resources',
    route(async (req, res) => {
      const requestId = requestIdOf(req);
      const caller = callerOf(res);
      await checkNewResource(controller, caller, req.body);
      sendOperation(
        res,
        viewResult(controller, caller, await controller.provision(req.body, { requestId })),
        requestId,
      );
    }),
  );

  router.get(
    '/aps/2/resources/:id',
    route(async (req, res) => {
      // A read shows every relation as a link (docs.cloudblue.com/cbc/sdk/20.5/api/rest/resources/structure).
      // A resource the caller does not reach is a 404 like a missing one (access/access-rules).
      const caller = callerOf(res);
      const [json] = await controller.renderResources(
        [await controller.access.reach(caller, req.params.id as string)],
        'all',
      );
      sendJson(res, 200, json && controller.access.view(caller, json));
    }),
  );

  router.put(
    '/aps/2/resources/:id',
    route(async (req, res) => {
      // The application writing its own resource: stored as it is, the app not called. The app is
      // known by its instance certificate (authenticate), never by the APS-Instance-ID header: a
      // request that names the instance without being the app is refused, and nothing is written.
      const caller = callerOf(res);
      const named = req.headers[ApsHeaderKey.instanceId];
      if (caller.kind === 'app') {
        if (named !== undefined && named !== caller.instanceId)
          throw new ForbiddenError(`${ApsHeader.instanceId} names another instance than the certificate's`);
        // `APSKit-App-Write: configure`: the app asks for a configure of its resource (its own
        // configure() called in a task, as for a client's PUT), e.g. from a custom operation.
        const write = req.headers[ApsHeaderKey.appWrite];
        if (write !== undefined && write !== 'configure')
          throw new BadRequestError(`${ApsHeader.appWrite} may only be "configure"`, {
            field: ApsHeader.appWrite,
            value: String(write).slice(0, 100),
          });
        if (write === undefined) {
          sendJson(res, 200, await controller.updateByApp(req.params.id as string, req.body));
          return;
        }
      } else if (named !== undefined)
        throw new ForbiddenError(
          `${ApsHeader.instanceId} alone does not make a request the application's: the application writes ` +
            'with its instance certificate. Send the PUT without the header to change the resource as a client.',
        );
      const requestId = requestIdOf(req);
      const current = await controller.access.reach(caller, req.params.id as string, 'write');
      controller.access.checkWrite(caller, current.type, req.body);
      await controller.access.checkLinkTargets(caller, current.type, req.body);
      const result = await controller.configure(req.params.id as string, req.body, { requestId });
      sendOperation(res, viewResult(controller, caller, result), requestId);
    }),
  );

  router.delete(
    '/aps/2/resources/:id',
    route(async (req, res) => {
      const requestId = requestIdOf(req);
      // A resource already gone is unprovisioning's to answer (a retry's remembered answer, or a 404).
      if (await controller.findResource(req.params.id as string))
        await controller.access.reach(callerOf(res), req.params.id as string, 'write');
      sendOperation(res, await controller.unprovision(req.params.id as string, { requestId }), requestId);
    }),
  );

  // Below a resource (docs.cloudblue.com/cbc/sdk/20.5/api/rest/resources): `aps/links` (every link),
  // `{relation}` (its members: GET; link one by aps.id, or provision a new one linked: POST),
  // `{relation}/{id2}` (one linked resource: GET; unlink: DELETE). Any other path is a custom
  // operation, forwarded to the endpoint.
  router.all(
    '/aps/2/resources/:id/{*path}',
    route(async (req, res) => {
      const id = req.params.id as string;
      const segments = (req.params as unknown as { path: string[] }).path;
      const caller = callerOf(res);
      if (segments[0] === 'aps' && segments[1] === 'subscriptions') {
        await subscriptionRoute(controller, caller, id, req.method, segments.slice(2), req.body, res);
        return;
      }
      if (req.method === 'GET' && segments.length === 2 && segments[0] === 'aps' && segments[1] === 'links') {
        const page = pageOfRange(req.headers.range, limits);
        const holder = await controller.access.reach(caller, id);
        // Only links through relations the caller reads, to resources it reaches.
        const hidden = controller.access.policy(holder.type)?.hidden;
        const role = roleOf(caller);
        const links: LinkEntryJson[] = [];
        for (const link of await controller.links(id)) {
          if (role !== 'app' && hidden?.[role].has(link.relation)) continue;
          if (await controller.access.reaches(caller, link.aps.id)) links.push(link);
        }
        const texts = await readPage(
          page,
          limits.maxBytes,
          async (offset, limit) => links.slice(offset, offset + limit),
          (l) => l,
        );
        sendPage(res, page.offset, texts, links.length);
        return;
      }
      const resource = await controller.access.reach(caller, id, req.method === 'GET' ? 'read' : 'write');
      const type = controller.serviceOf(resource.type).type;
      const relation = segments.length <= 2 ? type.relations.find((r) => r.name === segments[0]) : undefined;
      if (relation && segments.length === 1 && req.method === 'GET') {
        // A collection can be long: paged like any list, in the store (its members are the resources
        // the holder links to through the relation), links left out as in any list.
        controller.access.checkRelation(caller, type.id, relation, 'read');
        const page = pageOfRange(req.headers.range, limits);
        let total: number | undefined; // counted by the first read (there is always one), not again
        const texts = await readPage(
          page,
          limits.maxBytes,
          async (offset, limit) => {
            const members = { op: 'linkedFrom', from: id, relation: relation.name } as const;
            const where = await controller.access.narrow(caller, members);
            const counted = total === undefined ? {} : { total: false as const };
            const found = await controller.listResources({ where, offset, limit, ...counted });
            total ??= found.total;
            return controller.access.viewAll(caller, await controller.renderResources(found.items, []));
          },
          (json) => json,
        );
        sendPage(res, page.offset, texts, total ?? 0);
        return;
      }
      if (relation && segments.length === 1 && req.method === 'POST') {
        controller.access.checkRelation(caller, type.id, relation, 'write');
        if (namesExisting(req.body)) {
          await reachNamed(controller, caller, req.body);
          sendJson(res, 200, controller.access.view(caller, await controller.link(id, relation.name, req.body)));
          return;
        }
        const requestId = requestIdOf(req);
        await checkNewResource(controller, caller, req.body, { id });
        const result = await controller.provision(req.body, { requestId, parent: { id, relation: relation.name } });
        sendOperation(res, viewResult(controller, caller, result), requestId);
        return;
      }
      if (relation && segments.length === 2 && req.method === 'GET') {
        controller.access.checkRelation(caller, type.id, relation, 'read');
        await controller.access.reach(caller, segments[1] as string);
        const linked = await controller.linkedResource(id, relation.name, segments[1] as string);
        sendJson(res, 200, controller.access.view(caller, linked));
        return;
      }
      if (relation && segments.length === 2 && req.method === 'DELETE') {
        controller.access.checkRelation(caller, type.id, relation, 'write');
        await controller.access.reach(caller, segments[1] as string);
        await controller.unlink(id, relation.name, segments[1] as string);
        sendJson(res, 204, undefined);
        return;
      }
      if (!FORWARD_METHODS.has(req.method))
        throw new NotFoundError(`${req.method} is not the verb of any operation: it is forwarded to no endpoint`);
      const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
      const body = req.body !== undefined && Object.keys(req.body as object).length > 0 ? req.body : undefined;
      const upgrade = req.method === 'POST' && segments.length === 1 && segments[0] === 'upgrade';
      const operation = upgrade ? { name: 'upgrade' } : declaredOperation(type, req.method, segments);
      if (operation) controller.access.checkOperation(caller, type.id, operation);
      let answer;
      try {
        answer = await controller.customOperation(
          id,
          req.method as 'GET',
          segments.map(encodeURIComponent).join('/'),
          query,
          body,
        );
      } catch (e) {
        // A link's path through a name that is no relation (and no operation either): say which.
        if (e instanceof NotFoundError && looksLikeLink(req.method, segments, req.body))
          throw new NotFoundError(`${type.name} has no relation or operation "${segments[0]}"`, [
            {
              field: 'relation',
              message: `${JSON.stringify(segments[0]?.slice(0, 100))} is not a relation of ${type.name}`,
            },
          ]);
        throw e;
      }
      sendJson(res, answer.status, answer.body);
    }),
  );
}

/**
 * `aps/subscriptions` (list: GET; create: POST) and `aps/subscriptions/{sid}` (GET, DELETE)
 * (docs.cloudblue.com/cbc/sdk/21.0/concepts/events/aps-event/event-subscriptions): the controller's
 * own, never forwarded to the endpoint. Reading needs the subscriber readable, changing writable.
 */
async function subscriptionRoute(
  controller: Controller,
  caller: Caller,
  id: string,
  method: string,
  rest: readonly string[],
  body: unknown,
  res: Response,
): Promise<void> {
  const read = method === 'GET';
  const subscriber = await controller.access.reach(caller, id, read ? 'read' : 'write');
  if (rest.length === 0 && method === 'GET') return sendJson(res, 200, await controller.listSubscriptions(id));
  if (rest.length === 0 && method === 'POST') {
    const created = await controller.subscribe(subscriber, body, (sourceId) =>
      controller.access.reaches(caller, sourceId),
    );
    return sendJson(res, 200, created);
  }
  if (rest.length === 1 && method === 'GET')
    return sendJson(res, 200, await controller.getSubscription(id, rest[0] as string));
  if (rest.length === 1 && method === 'DELETE') {
    await controller.unsubscribe(id, rest[0] as string);
    return sendJson(res, 204, undefined);
  }
  throw new NotFoundError(
    `${method} ${['aps', 'subscriptions', ...rest].join('/')} is not an event subscription route`,
  );
}

/** The resource a link body names must be one the caller reaches: else the 404 of a missing one. */
async function reachNamed(controller: Controller, caller: Caller, body: unknown): Promise<void> {
  const target = (body as { aps: { id?: unknown } }).aps.id;
  if (typeof target === 'string' && (await controller.findResource(target)))
    await controller.access.reach(caller, target);
}

/** A body that names an existing resource to link (`{"aps": {"id": …}}`), not a new one to provision. */
function namesExisting(body: unknown): boolean {
  const aps = (body as { aps?: unknown } | null | undefined)?.aps;
  return typeof aps === 'object' && aps !== null && 'id' in aps;
}

/** The shape of a link request: POST …/{relation} naming a resource, GET or DELETE …/{relation}/{id2}. */
function looksLikeLink(method: string, segments: readonly string[], body: unknown): boolean {
  if (method === 'POST') return segments.length === 1 && namesExisting(body);
  return (method === 'GET' || method === 'DELETE') && segments.length === 2;
}
