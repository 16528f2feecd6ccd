/**
 * What an app calls to reach the controller that is calling it, as APS PHP apps do through
 * `\APS\Request::getController()`: read and write its resources, follow links, and anything else at
 * the controller's API. The controller is the one the request context names: the endpoint's
 * configured `controllerUri`, or the APS-Controller-URI header of an authenticated request (never
 * the header of an unauthenticated one, see controller-uri.ts). The app identifies itself with its
 * instance id and, for an installed instance, with its instance certificate over mutual TLS, as the
 * platform expects (docs.cloudblue.com/cbc/sdk/21.0/api/rest/protocol/session), calling only the
 * controller URI recorded at installation.
 */
import { ApsError, ApsHeader, apsContext, type ApsRequestContext, type JsonValue } from '@apskit/core';
import { CONTROLLER_URI_ENV, controllerBase, fetchFailure, quote } from './controller-uri';
import { echoHeaderValue } from './protocol/headers';
import { instanceBinding } from './trust/instance-fetch';

export interface ControllerClient {
  /** `GET /aps/2/resources/{id}` */
  getResource<T extends object = Record<string, unknown>>(id: string): Promise<T>;
  /** `PUT /aps/2/resources/{id}` as the app: its properties written, the app not called back. */
  updateResource<T extends object = Record<string, unknown>>(id: string, properties: object): Promise<T>;
  /** `GET /aps/2/resources/{id}/{relation}`: the linked resources. */
  linked<T extends object = Record<string, unknown>>(id: string, relation: string): Promise<T[]>;
  /**
   * `PUT /aps/2/resources/{id}` as the app asking for a configure (`APSKit-App-Write: configure`):
   * a task calls the endpoint's configure() (and configureAsync()) as for a client's PUT. Answers the
   * resource as the first attempt left it and the task's id (`APSKit-Task-ID`).
   */
  configureResource<T extends object = Record<string, unknown>>(
    id: string,
    properties: object,
  ): Promise<{ resource: T; taskId: string | undefined; status: number }>;
  /** Any call to the controller's API; a path such as `/apskit/tasks?resourceId=…`. */
  request<T = unknown>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T>;
}

export interface ControllerClientOptions {
  /** Default: for an installed instance, a fetch presenting its certificate; otherwise the global fetch. */
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** The longest controller error message passed on to the app (and from there, maybe, to its caller). */
const MAX_MESSAGE = 500;
/** Details of a controller error larger than this (as JSON) are dropped. */
const MAX_DETAILS = 4096;

/**
 * A client of the controller of the current request (or of the one `context` names).
 *
 * @throws ApsError 500 when the request has no trusted controller: configure `controllerUri` (or
 *   APSKIT_CONTROLLER_URI) on the endpoint, or require the controller's client certificate.
 */
export function controllerClient(
  context: ApsRequestContext = apsContext(),
  options: ControllerClientOptions = {},
): ControllerClient {
  const uri = context.controllerUri;
  if (!uri) {
    throw new ApsError(
      500,
      'Exception',
      'This request has no trusted controller to call: configure the endpoint with `controllerUri` ' +
        `(or ${CONTROLLER_URI_ENV}), or require the controller's client certificate (\`clientCertificate\`) ` +
        'so that its APS-Controller-URI header is believed',
    );
  }
  const base = controllerBase(uri);
  if (!base) throw new ApsError(500, 'Exception', `The controller URI is not an http(s) URL: ${quote(uri)}`);
  const root = base.href.slice(0, -1);
  const doFetch = options.fetch ?? instanceBinding(context)?.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;

  const send = async (
    method: string,
    path: string,
    body?: unknown,
    extra: Record<string, string> = {},
  ): Promise<{ status: number; headers: Headers; body: unknown }> => {
    const headers: Record<string, string> = { ...extra };
    if (context.instanceId) headers[ApsHeader.instanceId] = echoHeaderValue(context.instanceId);
    if (context.transactionId) headers[ApsHeader.transactionId] = echoHeaderValue(context.transactionId);
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const what = `${method} ${quote(path, 120)}`;
    let response: Response;
    try {
      response = await doFetch(root + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        // A redirect would carry the app's identity (and body) wherever the answer says.
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      throw new ApsError(502, 'BadGateway', `The controller did not answer ${what}: ${fetchFailure(e, timeoutMs)}`);
    }
    const text = await response.text();
    const parsed: unknown = text === '' ? undefined : safeJson(text);
    if (!response.ok) throw controllerError(response.status, parsed, what);
    return { status: response.status, headers: response.headers, body: parsed };
  };
  const request = async <T>(method: string, path: string, body?: unknown): Promise<T> =>
    (await send(method, path, body)).body as T;

  const resource = (id: string): string => `/aps/2/resources/${encodeURIComponent(id)}`;
  return {
    getResource: (id) => request('GET', resource(id)),
    updateResource: (id, properties) => request('PUT', resource(id), properties),
    configureResource: async <T extends object>(id: string, properties: object) => {
      const answer = await send('PUT', resource(id), properties, { [ApsHeader.appWrite]: 'configure' });
      return {
        resource: answer.body as T,
        taskId: answer.headers.get(ApsHeader.taskId) ?? undefined,
        status: answer.status,
      };
    },
    linked: (id, relation) => request('GET', `${resource(id)}/${encodeURIComponent(relation)}`),
    request: (method, path, body) => request(method, path, body),
  };
}

/**
 * The controller's failure as the app's error. A well-formed APS error of the controller keeps its
 * status, error name and message (bounded: first line, MAX_MESSAGE characters) and small details, so
 * that a 404 stays a 404; anything else becomes "the controller answered HTTP n", without its body.
 */
function controllerError(status: number, parsed: unknown, what: string): ApsError {
  const code = status >= 400 && status <= 599 ? status : 502;
  const err = parsed as { code?: unknown; error?: unknown; message?: unknown; details?: JsonValue } | undefined;
  const wellFormed =
    err !== null &&
    typeof err === 'object' &&
    typeof err.code === 'number' &&
    typeof err.error === 'string' &&
    /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/.test(err.error) &&
    typeof err.message === 'string';
  if (!wellFormed) {
    return new ApsError(code, 'ControllerError', `The controller answered HTTP ${status} to ${what}`);
  }
  const message = quote((err.message as string).split('\n')[0] ?? '', MAX_MESSAGE).trim();
  let details: JsonValue | undefined;
  if (err.details !== undefined && JSON.stringify(err.details).length <= MAX_DETAILS) details = err.details;
  return new ApsError(
    code,
    err.error as string,
    message || `The controller answered HTTP ${status} to ${what}`,
    details,
  );
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
