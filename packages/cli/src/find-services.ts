/**
 * The services a module serves, for the commands that describe its endpoint (`apskit openapi`):
 * its exported `services` map (`export const services = { globals: Globals }`, as the examples
 * export it for createEndpoint), else the services of its app (`export const app = defineApp(...)`).
 */
import { isApsApp, isApsTypeClass, type ApsApp, type Class } from '@apskit/core';

export interface FoundServices {
  readonly services: Readonly<Record<string, Class>>;
  /** The app the module exports, if it does: its name and version describe the endpoint. */
  readonly app?: ApsApp;
}

export function findServices(exports: unknown): FoundServices | undefined {
  if (typeof exports !== 'object' || exports === null) return undefined;
  const record = exports as Record<string, unknown>;
  const app = isApsApp(record.app) ? record.app : Object.values(record).find(isApsApp);
  if (isServiceMap(record.services)) return { services: record.services, app };
  return app ? { services: app.services, app } : undefined;
}

/** A plain object of service name → @ApsType class, with at least one entry. */
function isServiceMap(value: unknown): value is Record<string, Class> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const entries = Object.values(value);
  return entries.length > 0 && entries.every(isApsTypeClass);
}
