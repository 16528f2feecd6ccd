/**
 * How the embedded controller's in-process endpoint is known as the app when it calls the
 * controller back over HTTP (controllerClient: the app's own writes), where there may be no TLS and
 * so no instance certificate: a secret made per controller object, in this process's memory only,
 * sent as a bearer token to the controller's own URI and nowhere else. It is never written, logged,
 * served by any route, or derived from anything a client sees (the instance id is public), so the
 * APS-Instance-ID header, or any other thing a client can send, grants nothing.
 */
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

/**
 * A fetch for the in-process endpoint's calls to the controller: adds the secret as
 * `Authorization: Bearer` to a request for the controller's own URI (its origin and path below it),
 * and sends any other request as it is. The URI is read per call: it is known once the server listens.
 */
export function appSecretFetch(controller: Controller, inner: typeof fetch = fetch): typeof fetch {
  return (input, init) => {
    const own = controller.controllerUri;
    const url = input instanceof Request ? input.url : String(input);
    if (own === undefined || !isBelow(url, own)) return inner(input, init);
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
