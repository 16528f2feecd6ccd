/**
 * The endpoint's routes, matched segment by segment. APS routes are few and fixed per service, so a
 * table per service beats a regular-expression list; first match wins, in the order routes are added.
 */
import type { CallHandler } from '../protocol/call';

type Segment = { readonly literal: string } | { readonly param: string };

interface Route {
  readonly method: string;
  readonly segments: readonly Segment[];
  readonly handler: CallHandler;
}

export type Match =
  | { readonly kind: 'found'; readonly handler: CallHandler; readonly params: Record<string, string> }
  /** The path is an APS route, but not for this method. */
  | { readonly kind: 'method'; readonly allowed: string[] }
  | { readonly kind: 'none' };

/** `/provisionables/:id/items/{itemId}` → segments (APS `{x}` and express `:x` both name a parameter). */
function compile(path: string): Segment[] {
  return path
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      const m = /^(?::([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)\})$/.exec(s);
      return m ? { param: (m[1] ?? m[2]) as string } : { literal: s };
    });
}

export class RouteTable {
  private readonly byService = new Map<string, Route[]>();

  add(method: string, path: string, handler: CallHandler): void {
    const segments = compile(path);
    const service = (segments[0] as { literal: string }).literal;
    const list = this.byService.get(service) ?? [];
    list.push({ method: method.toUpperCase(), segments: segments.slice(1), handler });
    this.byService.set(service, list);
  }

  hasService(name: string): boolean {
    return this.byService.has(name);
  }

  /** Matches decoded path segments (the first is the service). */
  match(method: string, segments: readonly string[]): Match {
    const routes = this.byService.get(segments[0] ?? '');
    if (!routes) return { kind: 'none' };
    let allowed: string[] | undefined;
    for (const route of routes) {
      if (route.segments.length !== segments.length - 1) continue;
      const params = matchSegments(route.segments, segments);
      if (!params) continue;
      if (route.method === method) return { kind: 'found', handler: route.handler, params };
      allowed ??= [];
      if (!allowed.includes(route.method)) allowed.push(route.method);
    }
    return allowed ? { kind: 'method', allowed } : { kind: 'none' };
  }
}

/** Matches `pattern` against `path` after its first segment (the service). */
function matchSegments(pattern: readonly Segment[], path: readonly string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    const s = path[i + 1] as string;
    if ('literal' in p) {
      if (p.literal !== s) return undefined;
    } else params[p.param] = s;
  }
  return params;
}
