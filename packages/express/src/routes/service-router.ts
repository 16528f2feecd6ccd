/**
 * Adds one service's routes. First match wins: static operations come before `/:id`, and custom
 * operations before the link routes, whose `/:relation` would match any name.
 */
import type { CompiledService } from './compile-service';
import type { RouteTable } from './route-table';
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

export function addServiceRoutes(table: RouteTable, svc: CompiledService, env: HandlerEnv): void {
  const base = `/${svc.service}`;
  table.add('POST', base, provisionHandler(svc, env));
  for (const op of svc.operations.filter((o) => o.model.static)) {
    table.add(op.model.verb, `${base}${op.model.path}`, operationHandler(svc, op, env));
  }
  table.add('GET', `${base}/:id`, retrieveHandler(svc, env));
  table.add('PUT', `${base}/:id`, configureHandler(svc, env));
  table.add('DELETE', `${base}/:id`, unprovisionHandler(svc, env));
  for (const op of svc.operations.filter((o) => !o.model.static)) {
    table.add(op.model.verb, `${base}/:id${op.model.path}`, operationHandler(svc, op, env));
  }
  table.add('POST', `${base}/:id/upgrade`, upgradeHandler(svc, env));
  table.add('POST', `${base}/:id/:relation`, linkHandler(svc, env));
  table.add('DELETE', `${base}/:id/:relation/:linkedId`, unlinkHandler(svc, env));
}
