/**
 * `/apskit/instance`: the application instance this controller runs (its id, the application's name,
 * `globalsId` and the `globals` resource itself), how its API authenticates
 * (`auth`: `open` on a loopback address without tokens, else `required`), and who the caller is
 * (`caller`: its kind, and the token's subject and account; never a token).
 */
import type { Router } from 'express';
import { ForbiddenError } from '@apskit/core';
import { sendJson } from '@apskit/express';
import type { Caller } from '../auth/caller';
import { callerOf } from '../auth/request-caller';
import type { Controller } from '../controller';
import type { ApiAuthentication } from './controller-api';
import { requestIdOf, route, sendOperation, type RouteContext } from './route-helpers';

/** The caller as `/apskit/instance` shows it: what a console needs to say who is signed in. */
function callerJson(caller: Caller): Record<string, string> {
  switch (caller.kind) {
    case 'app':
      return { kind: 'app', instanceId: caller.instanceId };
    case 'admin':
      return { kind: 'admin', subject: caller.subject };
    case 'owner':
      return { kind: 'owner', subject: caller.subject, accountId: caller.accountId };
    case 'open':
      return { kind: 'open' };
  }
}

async function globalsOf(
  controller: Controller,
  caller: Caller,
  id: string | null,
): Promise<Record<string, unknown> | null> {
  if (id === null || !(await controller.access.reaches(caller, id))) return null;
  const [json] = await controller.renderResources([await controller.access.reach(caller, id)], 'all');
  return json ? (controller.access.view(caller, json) as Record<string, unknown>) : null;
}

export function instanceRoutes(
  router: Router,
  controller: Controller,
  _context: RouteContext,
  auth: ApiAuthentication = 'required',
): void {
  router.get(
    '/apskit/instance',
    route(async (_req, res) => {
      const instance = controller.instance;
      const caller = callerOf(res);
      const globalsId = (await instance.globalsId) ?? null;
      sendJson(res, 200, {
        id: instance.id,
        application: controller.options.app.name,
        globalsId,
        // The globals resource itself, as GET /aps/2/resources/{globalsId} shows it to this caller
        // (null when there is none, or the caller does not reach it): its settings read where the
        // instance is, so that `instance.globals.<setting>` is never silently undefined.
        globals: await globalsOf(controller, caller, globalsId),
        version: (await controller.appVersion) ?? null,
        auth,
        caller: callerJson(caller),
      });
    }),
  );

  // Upgrade: `{ "version": "1.1" }` starts an "Upgrading application …" task on the globals resource
  // (its endpoint's upgrade operation; 202 re-polls as for provisioning). An account owner may not.
  router.post(
    '/apskit/instance/upgrade',
    route(async (req, res) => {
      if (callerOf(res).kind === 'owner') throw new ForbiddenError('Only the provider upgrades the application');
      const requestId = requestIdOf(req);
      const body = (req.body ?? {}) as { version?: unknown };
      sendOperation(res, await controller.upgrade(body.version, { requestId }), requestId);
    }),
  );
}
