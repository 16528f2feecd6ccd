/**
 * What an app calls to reach the controller that is calling it, as APS PHP apps do through
 * `\APS\Request::getController()`: read and write its resources, follow links, and anything else at
 * the controller's API. The controller is the one named by the current request (APS-Controller-URI);
 * the app identifies itself with its instance id, as the local APSKit controller expects (the platform
 * expects the instance certificate, which a `fetch` with that certificate provides).
 */
import { ApsError, apsContext, type ApsRequestContext, type JsonValue } from '@apskit/core';

export interface ControllerClient {
  /** `GET /aps/2/resources/{id}` */
  getResource<T extends object = Record<string, unknown>>(id: string): Promise<T>;
  /** `PUT /aps/2/resources/{id}` as the app: its properties written, the app not called back. */
  updateResource<T extends object = Record<string, unknown>>(id: string, properties: object): Promise<T>;
  /** `GET /aps/2/resources/{id}/{relation}`: the linked resources. */
  linked<T extends object = Record<string, unknown>>(id: string, relation: string): Promise<T[]>;
  /** Any call to the controller's API; a path such as `/apskit/tasks?resourceId=…`. */
  request<T = unknown>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T>;
}

export interface ControllerClientOptions {
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** A client of the controller that sent the current request (or of the one `context` names). */
export function controllerClient(
  context: ApsRequestContext = apsContext(),
  options: ControllerClientOptions = {},
): ControllerClient {
  const base = context.controllerUri;
  if (!base) throw new ApsError(500, 'Exception', 'This request names no controller (no APS-Controller-URI header)');
  const root = base.endsWith('/') ? base.slice(0, -1) : base;
  const doFetch = options.fetch ?? fetch;

  const request = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const headers: Record<string, string> = {};
    if (context.instanceId) headers['APS-Instance-ID'] = context.instanceId;
    if (context.transactionId) headers['APS-Transaction-ID'] = context.transactionId;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await doFetch(root + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
    } catch (e) {
      throw new ApsError(502, 'BadGateway', `The controller did not answer ${method} ${path}: ${(e as Error).message}`);
    }
    const text = await response.text();
    const parsed: unknown = text === '' ? undefined : safeJson(text);
    if (!response.ok) {
      // The controller's APS error passes on as it is, so the caller sees the same status and message.
      const err = parsed as { code?: unknown; error?: unknown; message?: unknown; details?: JsonValue } | undefined;
      throw new ApsError(
        response.status,
        typeof err?.error === 'string' ? err.error : 'ControllerError',
        typeof err?.message === 'string'
          ? err.message
          : `The controller answered HTTP ${response.status} to ${method} ${path}`,
        err?.details,
      );
    }
    return parsed as T;
  };

  const resource = (id: string): string => `/aps/2/resources/${encodeURIComponent(id)}`;
  return {
    getResource: (id) => request('GET', resource(id)),
    updateResource: (id, properties) => request('PUT', resource(id), properties),
    linked: (id, relation) => request('GET', `${resource(id)}/${encodeURIComponent(relation)}`),
    request: (method, path, body) => request(method, path, body),
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
