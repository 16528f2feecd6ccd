/**
 * How the embedded controller's in-process endpoint is known as the app when it calls the
 * controller back over HTTP (controllerClient: the app's own writes), where there may be no TLS and
 * so no instance certificate: a secret made per controller object, in this process's memory only,
 * sent as a bearer token to the controller's own URI and nowhere else. It is never written, logged,
 * served by any route, or derived from anything a client sees (the instance id is public), so the
 * APS-Instance-ID header, or any other thing a client can send, grants nothing.
 */
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import type { Controller } from '../controller';
import { generateToken, sha256 } from './tokens';

interface AppSecret {
  readonly token: string;
  readonly hash: Buffer;
}

const secrets = new WeakMap<Controller, AppSecret>();

function secretOf(controller: Controller): AppSecret {
  let secret = secrets.get(controller);
  if (!secret) {
    const token = generateToken();
    secret = { token, hash: sha256(token) };
    secrets.set(controller, secret);
  }
  return secret;
}

/** The hash the authentication compares a bearer token with. */
export function appSecretHash(controller: Controller): Buffer {
  return secretOf(controller).hash;
}

const tlsFetches = new WeakMap<Controller, { readonly self: string; readonly fetch: typeof fetch }>();

/**
 * Over HTTPS (`serveController(controller, { tls })`), the in-process endpoint is the app the way an
 * installed endpoint is: it presents the instance certificate (the controller made its key and, in
 * process, never handed it over), and trusts the controller's CA for the server's certificate, which
 * Node's global fetch would not. Undefined when the instance has no key here.
 */
function instanceTlsFetch(controller: Controller): typeof fetch | undefined {
  const self = controller.trust.installCredentials()?.self;
  if (self === undefined) return undefined;
  const cached = tlsFetches.get(controller);
  if (cached?.self === self) return cached.fetch;
  const at = self.search(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
  if (at < 0) return undefined;
  const made = httpsFetch({ cert: self.slice(0, at), key: self.slice(at), ca: controller.trust.caCertificate });
  tlsFetches.set(controller, { self, fetch: made });
  return made;
}

/**
 * A fetch for the in-process endpoint's calls to the controller. To the controller's own URI (its
 * origin and path below it): over HTTPS with the instance certificate (see instanceTlsFetch), else
 * with the secret as `Authorization: Bearer`. Any other request is sent as it is. The URI is read per
 * call: it is known once the server listens.
 */
export function appSecretFetch(controller: Controller, inner: typeof fetch = fetch): typeof fetch {
  return (input, init) => {
    const own = controller.controllerUri;
    const url = input instanceof Request ? input.url : String(input);
    if (own === undefined || !isBelow(url, own)) return inner(input, init);
    const tls = url.startsWith('https:') && inner === fetch ? instanceTlsFetch(controller) : undefined;
    if (tls) return tls(input, init);
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    headers.set('Authorization', `Bearer ${secretOf(controller).token}`);
    return inner(input, { ...init, headers });
  };
}

function isBelow(url: string, base: string): boolean {
  try {
    const u = new URL(url);
    const b = new URL(base);
    const path = b.pathname.endsWith('/') ? b.pathname : `${b.pathname}/`;
    return u.origin === b.origin && (u.pathname === b.pathname || u.pathname.startsWith(path));
  } catch {
    return false;
  }
}

/** The largest answer the in-process endpoint reads from its controller (a page of resources). */
const MAX_ANSWER = 64 * 1024 * 1024;

/**
 * A fetch over node:https with a client certificate and a CA, of what controllerClient and the
 * resource loader use (method, headers, a string body, the signal; status, headers and text back).
 * The server's certificate must chain to `ca` (the controller's own CA) or Node's roots.
 */
function httpsFetch(tls: { cert: string; key: string; ca: string }): typeof fetch {
  const ca = [...rootCertificates, tls.ca];
  return (input, init = {}) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      const headers: Record<string, string> = {};
      new Headers(init.headers).forEach((value, name) => (headers[name] = value));
      const body = typeof init.body === 'string' ? init.body : undefined;
      if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
      const req = https.request(url, {
        method: init.method ?? 'GET',
        headers,
        cert: tls.cert,
        key: tls.key,
        ca,
        agent: false,
        signal: init.signal ?? undefined,
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER) res.destroy(new Error(`the answer is larger than ${MAX_ANSWER} bytes`));
          else chunks.push(chunk);
        });
        res.on('error', (e) => reject(new TypeError('fetch failed', { cause: e })));
        res.on('end', () => {
          const answer = new Headers();
          for (const [name, value] of Object.entries(res.headers))
            if (typeof value === 'string') answer.set(name, value);
          const status = res.statusCode ?? 502;
          const nullBody = status === 204 || status === 304;
          resolve(new Response(nullBody ? null : Buffer.concat(chunks), { status, headers: answer }));
        });
      });
      req.on('error', (e) => reject(new TypeError('fetch failed', { cause: e })));
      req.end(body);
    });
}
