import type { InstanceBinding } from '../trust/instance-fetch';

/**
 * An APS request and its answer, independent of any HTTP server. The express adapter translates
 * to and from these; the embedded controller's in-process transport builds them directly.
 */
export interface ApsCall {
  readonly method: string;
  /** The path below the endpoint's root, without the query: `/provisionables/42`. */
  readonly path: string;
  /** Header names in lower case, as Node gives them. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly query: Readonly<Record<string, unknown>>;
  /** The parsed JSON body, or undefined when there is none. */
  readonly body: unknown;
  /** True when the raw body may hold `__proto__`, `constructor` or `prototype` keys. */
  readonly unsafeKeys?: boolean;
  /**
   * Whether the sender is known to be the controller, so that its APS-Controller-URI may be believed
   * when the endpoint has no configured `controllerUri`. Absent means true: `dispatch()` is called by
   * code in this process (the embedded controller's in-process transport). An adapter that relays
   * requests from a network sets it to false unless it authenticated the sender; the express adapter
   * sets it true only behind the pinned client-certificate check.
   */
  readonly trusted?: boolean;
  /**
   * The installed application instance the request was authenticated for (its controller certificate
   * was presented): its calls to the controller use its certificate and the controller URI recorded
   * at installation, never the request's APS-Controller-URI. Set by the express adapter for an
   * installed instance; an in-process caller (the embedded controller) may set it too.
   */
  readonly instance?: InstanceBinding;
  /** Path parameters, set by the route table. */
  readonly params: Readonly<Record<string, string>>;
}

export interface ApsReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** JSON to send; undefined sends no body. */
  readonly body?: unknown;
  /**
   * The body's JSON text, when the endpoint has made it (it does, to find an answer JSON cannot
   * express before any byte is written): the express adapter writes it, and an in-process caller
   * can parse it, instead of serializing the body again.
   */
  readonly json?: string;
}

export type CallHandler = (call: ApsCall) => Promise<ApsReply>;
