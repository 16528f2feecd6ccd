import https from 'node:https';
import { parseJson, TransportError, type EndpointAnswer, type EndpointRequest, type Transport } from './transport';

/** A client certificate and its key, PEM. */
export interface ClientCertificate {
  readonly cert: string;
  readonly key: string;
}

export interface HttpTransportOptions {
  /** Per call; an endpoint slower than this is treated as unreachable. Default 30 s. */
  timeoutMs?: number;
  /**
   * A fetch to use instead of the built-in client (which then makes the TLS choices: `ca` and
   * `clientCertificate` are not used).
   */
  fetch?: typeof fetch;
  /**
   * Over HTTPS, the CA certificate(s), PEM, the endpoint's server certificate must chain to (a
   * self-signed endpoint's own certificate, say). Default: the system's CAs.
   */
  ca?: string | readonly string[];
  /**
   * Over HTTPS, the certificate presented to the endpoint (the controller's own, which the endpoint
   * pins at installation), read at each call: it is loaded when the controller starts.
   */
  clientCertificate?: () => ClientCertificate | undefined;
}

/** Calls an APS endpoint at `baseUrl` over HTTP(S). */
export class HttpTransport implements Transport {
  private readonly base: string;
  private agent: { for: ClientCertificate | undefined; agent: https.Agent } | undefined;

  constructor(
    baseUrl: string,
    private readonly options: HttpTransportOptions = {},
  ) {
    this.base = baseUrl.replace(/\/+$/, '');
  }

  /**
   * Whether the endpoint is reached over HTTPS: the only way the certificates of the installation
   * handshake mean anything (the controller presents its own on every call, which the endpoint pins).
   * Over plain HTTP the instance's key is never sent: it would cross in clear, and an endpoint that
   * kept it would then expect a certificate no plain-HTTP call can present.
   */
  get isHttps(): boolean {
    return this.base.startsWith('https:');
  }

  async call(request: EndpointRequest): Promise<EndpointAnswer> {
    const headers =
      request.body === undefined ? request.headers : { ...request.headers, 'Content-Type': 'application/json' };
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    const url = this.base + request.path;
    try {
      if (!this.options.fetch && url.startsWith('https:'))
        return await this.overTls(url, request.method, headers, body);
      const response = await (this.options.fetch ?? fetch)(url, {
        method: request.method,
        headers,
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const answerHeaders: Record<string, string> = {};
      response.headers.forEach((value, key) => (answerHeaders[key] = value));
      return { status: response.status, headers: answerHeaders, body: parseJson(await response.text()) };
    } catch (e) {
      throw new TransportError(
        `Endpoint ${this.base} did not answer ${request.method} ${request.path}: ${(e as Error).message}`,
      );
    }
  }

  private get timeoutMs(): number {
    return this.options.timeoutMs ?? 30_000;
  }

  /** node:https rather than fetch: it presents a client certificate and trusts a given CA without a dependency. */
  private overTls(
    url: string,
    method: string,
    headers: Readonly<Record<string, string>>,
    body: string | undefined,
  ): Promise<EndpointAnswer> {
    return new Promise((resolve, reject) => {
      const req = https.request(
        url,
        {
          method,
          headers: body === undefined ? headers : { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
          agent: this.tlsAgent(),
          signal: AbortSignal.timeout(this.timeoutMs),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const answerHeaders: Record<string, string> = {};
            for (const [name, value] of Object.entries(res.headers))
              if (value !== undefined) answerHeaders[name] = Array.isArray(value) ? value.join(', ') : value;
            resolve({
              status: res.statusCode ?? 0,
              headers: answerHeaders,
              body: parseJson(Buffer.concat(chunks).toString('utf8')),
            });
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  /** One keep-alive agent, made again only if the client certificate changes. */
  private tlsAgent(): https.Agent {
    const client = this.options.clientCertificate?.();
    if (this.agent && this.agent.for === client) return this.agent.agent;
    this.agent?.agent.destroy();
    const ca = this.options.ca;
    const agent = new https.Agent({
      keepAlive: true,
      ...(client ? { cert: client.cert, key: client.key } : {}),
      ...(ca === undefined ? {} : { ca: typeof ca === 'string' ? ca : [...ca] }),
    });
    this.agent = { for: client, agent };
    return agent;
  }
}
