/**
 * Mounts one service's routes. The order matters to express: static operations before `/:id`, and
 * custom operations before the link routes, whose `/:relation` would match any name.
 */
import type { Router } from 'express';
import type { CompiledService } from './compile-service';
import {
  configureHandler,
  linkHandler,
  operationHandler,
  provisionHandler,
  retrieveHandler,
  unlinkHandler,
  unprovisionHandler,
  upgradeHandler,
  type HandlerEnv,
} from './handlers';

type Verb = 'get' | 'post' | 'put' | 'delete';

/** `/items/{itemId}` (APS) → `/items/:itemId` (express) */
function expressPath(apsPath: string): string {
  return apsPath.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, ':$1');
}

export function mountService(router: Router, svc: CompiledService, env: HandlerEnv): void {
  const base = `/${svc.service}`;
  const verb = (v: string): Verb => v.toLowerCase() as Verb;

  router.post(base, provisionHandler(svc, env));
  for (const op of svc.operations.filter((o) => o.model.static)) {
    router[verb(op.model.verb)](`${base}${expressPath(op.model.path)}`, operationHandler(svc, op, env));
  }
  router.get(`${base}/:id`, retrieveHandler(svc, env));
  router.put(`${base}/:id`, configureHandler(svc, env));
  router.delete(`${base}/:id`, unprovisionHandler(svc, env));
  for (const op of svc.operations.filter((o) => !o.model.static)) {
    router[verb(op.model.verb)](`${base}/:id${expressPath(op.model.path)}`, operationHandler(svc, op, env));
  }
  router.post(`${base}/:id/upgrade`, upgradeHandler(svc, env));
  router.post(`${base}/:id/:relation`, linkHandler(svc, env));
  router.delete(`${base}/:id/:relation/:linkedId`, unlinkHandler(svc, env));
}
