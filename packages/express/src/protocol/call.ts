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
  /** Path parameters, set by the route table. */
  readonly params: Readonly<Record<string, string>>;
}

export interface ApsReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** JSON to send; undefined sends no body. */
  readonly body?: unknown;
}

export type CallHandler = (call: ApsCall) => Promise<ApsReply>;
