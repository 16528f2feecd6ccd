/**
 * The `paths` of a document, added in the order the endpoint matches its routes, so that where two
 * routes could take one request the one documented is the one that answers it: first added wins.
 *
 * OpenAPI forbids two templates that differ only in their parameter names (`/w/{id}` and `/w/{x}`);
 * they are one path to a router too, so the later one is left out like any other shadowed route.
 */
import type { HttpMethod, OperationObject, PathItem } from './openapi-document';

export class Paths {
  readonly items: Record<string, PathItem> = {};
  /** `/w/{}` → `/w/{id}`: the template each parameter-blind shape was first added as. */
  private readonly shapes = new Map<string, string>();

  /** Adds an operation; false when an earlier route already answers this method and path. */
  add(path: string, method: HttpMethod, operation: OperationObject): boolean {
    const shape = path.replace(/\{[^}]*\}/g, '{}');
    const existing = this.shapes.get(shape);
    if (existing !== undefined && existing !== path) return false;
    this.shapes.set(shape, path);
    const item = (this.items[path] ??= {});
    if (item[method]) return false;
    item[method] = operation;
    return true;
  }
}

/** The names of the `{parameters}` of a path template, in order. */
export function templateParameters(path: string): string[] {
  return [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);
}
