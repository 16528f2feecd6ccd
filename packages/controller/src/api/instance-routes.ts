/**
 * `/apskit/instance`: the application instance this controller runs, how its API authenticates
 * (`auth`: `open` on a loopback address without tokens, else `required`), and who the caller is
 * (`caller`: its kind, and the token's subject and account; never a token).
 */
import type { Router } from 'express';
import { sendJson } from '@apskit/express';
import type { Caller } from '../auth/caller';
import { callerOf } from '../auth/request-caller';
import type { Controller } from '../controller';
import type { ApiAuthentication } from './controller-api';
import { route, type RouteContext } from './route-helpers';

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
        auth,
        caller: callerJson(callerOf(res)),
      });
    }),
  );
}
