/**
 * The endpoint's calls to the controller as an installed instance: mutual TLS with the instance
 * certificate and key the installation gave (docs.cloudblue.com/cbc/sdk/21.0/api/rest/protocol/session:
 * an application instance authenticates its requests to the controller with its certificate), to the
 * controller URI recorded at installation only.
 *
 * Node's `fetch` cannot present a client certificate without undici's Agent, which this package does
 * not depend on; so this is a `fetch` of the few features the loader and `controllerClient()` use,
 * over node:https. A request context is bound to its instance here, so that both find the
 * instance's transport from the context they already receive.
 */
import { X509Certificate } from 'node:crypto';
import https from 'node:https';
import { isIP } from 'node:net';
import { connect as tlsConnect, rootCertificates, type TLSSocket } from 'node:tls';

/** How an installed instance calls its controller. */
export interface InstanceBinding {
  readonly instanceId: string;
  /** The controller URI recorded at installation (when the install named one). */
  readonly controllerUri?: string;
  /** A fetch that presents the instance certificate (https: URLs) . */
  readonly fetch: typeof fetch;
}

export interface MutualTlsOptions {
  readonly cert: string;
  readonly key: string;
  /**
   * Certificates trusted for the controller's server certificate besides Node's roots: a server
   * certificate that chains to one of them (name checked), or that is one of them, is accepted.
   */
  readonly ca?: readonly string[];
}

/** The most bytes of an answer read from the controller (a resource or a list of them). */
const MAX_ANSWER = 32 * 1024 * 1024;

const bindings = new WeakMap<object, InstanceBinding>();

/** Binds a request context to the instance it was authenticated for. */
export function bindInstance(context: object, binding: InstanceBinding): void {
  bindings.set(context, binding);
}

/** The instance a request context was authenticated for, if any. */
export function instanceBinding(context: object | undefined): InstanceBinding | undefined {
  return context === undefined ? undefined : bindings.get(context);
}

/**
 * A fetch over node:https presenting `cert`/`key`. The controller's server is accepted when its
 * certificate chains to Node's roots or to one of `ca` for the URL's host, or when it is one of `ca`
 * itself: the installation's controller certificate is passed there, so a controller serving with it
 * needs no set-up, signed by a CA the endpoint never saw or not. The TLS handshake is checked before
 * a byte of the request is written. An http: URL has no TLS to present a certificate over and is
 * refused: an installed instance calls its controller over HTTPS.
 */
export function mutualTlsFetch(options: MutualTlsOptions): typeof fetch {
  const ca = [...rootCertificates, ...(options.ca ?? [])];
  const pinned = new Set<string>();
  for (const pem of options.ca ?? []) {
    try {
      pinned.add(new X509Certificate(pem).fingerprint256);
    } catch {
      // Not a certificate: it cannot match a server's.
    }
  }
  const failed = (cause: unknown): TypeError => new TypeError('fetch failed', { cause });

  /** A TLS connection to the URL's host whose server certificate passed, or a rejection. */
  const connect = (url: URL, signal: AbortSignal | undefined): Promise<TLSSocket> =>
    new Promise<TLSSocket>((resolve, reject) => {
      const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
      const socket = tlsConnect({
        host,
        port: url.port === '' ? 443 : Number(url.port),
        servername: isIP(host) ? undefined : host,
        cert: options.cert,
        key: options.key,
        ca,
        // Judged below, once the handshake is done: chain and name (`authorized`), or the pin.
        rejectUnauthorized: false,
        ALPNProtocols: ['http/1.1'],
      });
      const onAbort = (): void => fail(signal?.reason);
      const fail = (error: unknown): void => {
        signal?.removeEventListener('abort', onAbort);
        socket.destroy();
        reject(error);
      };
      if (signal?.aborted) return fail(signal.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      socket.once('error', (e) => fail(failed(e)));
      socket.once('secureConnect', () => {
        const fingerprint = socket.getPeerCertificate()?.fingerprint256;
        if (!socket.authorized && !(fingerprint && pinned.has(fingerprint))) {
          fail(
            failed({
              code: 'CERT_UNTRUSTED',
              message: `the controller's server certificate is not trusted (${String(socket.authorizationError)})`,
            }),
          );
          return;
        }
        signal?.removeEventListener('abort', onAbort);
        socket.removeAllListeners('error');
        resolve(socket);
      });
    });

  const call = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    if (url.protocol !== 'https:') throw failed({ code: 'ERR_NOT_HTTPS', message: 'not an https: URL' });
    const signal = init.signal ?? undefined;
    const socket = await connect(url, signal);
    return new Promise<Response>((resolve, reject) => {
      const headers: Record<string, string> = {};
      new Headers(init.headers).forEach((value, name) => (headers[name] = value));
      const body = typeof init.body === 'string' ? init.body : undefined;
      if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
      const req = https.request(url, {
        method: init.method ?? 'GET',
        headers,
        // The verified connection, used for this one request: no pool keeps a socket (and the process) alive.
        createConnection: () => socket,
        signal,
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER) {
            res.destroy(new Error(`the answer is larger than ${MAX_ANSWER} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', (e) => reject(failed(e)));
        res.on('end', () => {
          socket.end();
          const answerHeaders = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            if (value === undefined) continue;
            for (const v of Array.isArray(value) ? value : [value]) answerHeaders.append(name, v);
          }
          const status = res.statusCode ?? 502;
          const noBody = status === 204 || status === 304 || (init.method ?? 'GET') === 'HEAD';
          try {
            resolve(
              new Response(noBody ? null : Buffer.concat(chunks), {
                status: status >= 200 && status <= 599 ? status : 502,
                statusText: res.statusMessage,
                headers: answerHeaders,
              }),
            );
          } catch (e) {
            reject(failed(e));
          }
        });
      });
      req.on('error', (e: Error) => {
        socket.destroy();
        // An abort keeps its name (fetchFailure reports it as a timeout); anything else is fetch's "fetch failed".
        if (e.name === 'AbortError') reject(signal?.reason ?? e);
        else reject(failed(e));
      });
      req.end(body);
    });
  };
  return call as typeof fetch;
}
