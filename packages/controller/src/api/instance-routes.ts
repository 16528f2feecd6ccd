/**
 * `/apskit/instance`: the application instance this controller runs, how its API authenticates
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
      sendJson(res, 200, {
        id: instance.id,
        application: controller.options.app.name,
        globalsId: (await instance.globalsId) ?? null,
        version: (await controller.appVersion) ?? null,
        auth,
        caller: callerJson(callerOf(res)),
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
