/**
 * How the controller reaches an endpoint. Over HTTP it drives any APS endpoint, whatever runtime it
 * is written in; in process it drives an APSKit router without a socket, for speed in tests and
 * single-process apps. Both speak the same protocol: requests and answers are the HTTP ones.
 */
export interface EndpointRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Below the endpoint's base URL: `/provisionables/`, `/provisionables/{id}`, … */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

export interface EndpointAnswer {
  readonly status: number;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The parsed JSON body, or undefined when there was none. */
  readonly body: unknown;
}

export interface Transport {
  call(request: EndpointRequest): Promise<EndpointAnswer>;
}

/** The endpoint could not be reached, or did not answer in time: worth trying again later. */
export class TransportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransportError';
  }
}

export function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
