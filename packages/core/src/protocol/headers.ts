/**
 * Header names of the APS endpoint protocol and of APSKit's own API: the one place they are spelled.
 * `ApsHeader` holds the names as APS documents them (the form written on outgoing messages);
 * `ApsHeaderKey` holds the same names lower-cased, the form Node gives incoming headers in
 * (`req.headers[ApsHeaderKey.requestPhase]`).
 */

/** Header names as written on the wire. */
export const ApsHeader = {
  /** Controller → endpoint: where the controller's `/aps/2/...` API is. */
  controllerUri: 'APS-Controller-URI',
  /** Controller → endpoint: the application instance. */
  instanceId: 'APS-Instance-ID',
  /** Both ways: the transaction a request belongs to; the endpoint echoes it. */
  transactionId: 'APS-Transaction-ID',
  /** Controller → endpoint: `sync`, or `async` when re-polling after a 202. */
  requestPhase: 'APS-Request-Phase',
  identityId: 'APS-Identity-ID',
  actorId: 'APS-Actor-ID',
  applicationId: 'APS-Application-ID',
  version: 'APS-Version',
  /** Endpoint → controller, on a 202: the task's message (its description first, its output later). */
  info: 'APS-Info',
  /** Endpoint → controller, on a 202: seconds until the controller calls the async phase. */
  retryTimeout: 'APS-Retry-Timeout',
  /** Client → APSKit controller: the caller's id for a request, unique per operation. */
  requestId: 'APSKit-Request-ID',
  /** APSKit controller → client: the task an operation started. */
  taskId: 'APSKit-Task-ID',
  /**
   * App → APSKit controller, on the app's PUT of its own resource: `configure` asks for a configure
   * (a task calling the endpoint's configure(), as a client's PUT does) instead of storing the
   * properties as they are, which is what the app's PUT does without it.
   */
  appWrite: 'APSKit-App-Write',
} as const;

export type ApsHeaderName = (typeof ApsHeader)[keyof typeof ApsHeader];

type Lower<T extends Record<string, string>> = { readonly [K in keyof T]: Lowercase<T[K]> };

/** The same names lower-cased: how Node presents incoming headers. */
export const ApsHeaderKey = Object.freeze(
  Object.fromEntries(Object.entries(ApsHeader).map(([k, v]) => [k, v.toLowerCase()])),
) as Lower<typeof ApsHeader>;

/** The APS protocol version the controller announces in `APS-Version`. */
export const APS_PROTOCOL_VERSION = '2.0';

/**
 * What an `APSKit-Request-ID` may be: 1 to 200 visible ASCII characters. The controller refuses any
 * other value, and its OpenAPI document states the same pattern.
 */
export const REQUEST_ID_PATTERN = /^[\x21-\x7e]{1,200}$/;
