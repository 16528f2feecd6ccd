/**
 * The endpoint without a server: an ApsCall in, an ApsReply out. The express adapter and the
 * in-process transport of the embedded controller both come through here.
 */
import { ApsError, MethodNotAllowedError, BadRequestError } from '@apskit/core';
import type { ApsCall, ApsReply } from './protocol/call';
import type { HandlerEnv } from './routes/handlers';
import type { CompiledService } from './routes/compile-service';
import { RouteTable } from './routes/route-table';
import { addServiceRoutes } from './routes/service-router';

export type DispatchRequest = Omit<ApsCall, 'params'>;

export interface Dispatcher {
  /** Whether a path belongs to one of the services (a path that does not is not the endpoint's). */
  owns(path: string): boolean;
  dispatch(request: DispatchRequest): Promise<ApsReply>;
}

function errorReply(error: ApsError): ApsReply {
  return { status: error.status, headers: {}, body: error.toJSON() };
}

export function createDispatcher(services: Iterable<CompiledService>, env: HandlerEnv): Dispatcher {
  const table = new RouteTable();
  for (const svc of services) addServiceRoutes(table, svc, env);

  return {
    owns(path) {
      const first = path.split('/')[1];
      return first !== undefined && table.hasService(safeDecode(first) ?? '');
    },
    async dispatch(request) {
      const segments: string[] = [];
      for (const raw of request.path.split('/')) {
        if (raw === '') continue;
        const decoded = raw.includes('%') ? safeDecode(raw) : raw;
        if (decoded === undefined) return errorReply(new BadRequestError(`Malformed path: ${request.path}`));
        segments.push(decoded);
      }
      const match = table.match(request.method.toUpperCase(), segments);
      if (match.kind === 'found') {
        return match.handler({
          method: request.method,
          path: request.path,
          headers: request.headers,
          query: request.query,
          body: request.body,
          unsafeKeys: request.unsafeKeys,
          trusted: request.trusted,
          instance: request.instance,
          params: match.params,
        });
      }
      if (match.kind === 'method') {
        const reply = errorReply(
          new MethodNotAllowedError(
            `${request.method} is not an APS operation at ${request.path}; use ${match.allowed.join(', ')}`,
          ),
        );
        return { ...reply, headers: { Allow: match.allowed.join(', ') } };
      }
      return errorReply(new ApsError(404, 'NotFound', `No APS operation at ${request.method} ${request.path}`));
    },
  };
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
