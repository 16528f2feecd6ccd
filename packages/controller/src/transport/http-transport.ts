import { parseJson, TransportError, type EndpointAnswer, type EndpointRequest, type Transport } from './transport';

export interface HttpTransportOptions {
  /** Per call; an endpoint slower than this is treated as unreachable. Default 30 s. */
  timeoutMs?: number;
  /** A fetch to use instead of the global one (a client with TLS certificates, say). */
  fetch?: typeof fetch;
}

/** Calls an APS endpoint at `baseUrl` over HTTP(S). */
export class HttpTransport implements Transport {
  private readonly base: string;

  constructor(
    baseUrl: string,
    private readonly options: HttpTransportOptions = {},
  ) {
    this.base = baseUrl.replace(/\/+$/, '');
  }

  async call(request: EndpointRequest): Promise<EndpointAnswer> {
    const doFetch = this.options.fetch ?? fetch;
    let response: Response;
    try {
      response = await doFetch(this.base + request.path, {
        method: request.method,
        headers:
          request.body === undefined ? request.headers : { ...request.headers, 'Content-Type': 'application/json' },
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
    } catch (e) {
      throw new TransportError(
        `Endpoint ${this.base} did not answer ${request.method} ${request.path}: ${(e as Error).message}`,
      );
    }
    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => (headers[key] = value));
    return { status: response.status, headers, body: parseJson(await response.text()) };
  }
}
