/**
 * What keeps a web page out of a local controller (issue 15 #5). A controller on 127.0.0.1 is
 * reachable from any page the developer's browser opens: through DNS rebinding (a name of the
 * attacker's that resolves to 127.0.0.1, so the browser sends the attacker's name as Host), or by a
 * cross-site "simple" request (a form POST, or fetch with `Content-Type: text/plain`, which needs no
 * preflight). So, before anything else runs:
 *
 * - the Host must be a loopback name, the host of the controller's own URI, or one allowed by
 *   configuration (421 otherwise): a rebound name is refused;
 * - a state-changing request (POST, PUT, PATCH, DELETE) whose `Origin` is not the controller's own
 *   (the Host it was sent to), or that the browser marks `Sec-Fetch-Site: cross-site`, is refused (403);
 * - a state-changing request with a body must say `Content-Type: application/json`, and one without
 *   a body may say nothing else (415): no simple request can carry that type without a preflight,
 *   which this API never answers.
 *
 * Requests without Origin or Sec-Fetch-Site (curl, the SDK, an app calling back) pass the last two
 * checks: they are not made by a browser on a page's behalf.
 */
import type { RequestHandler } from 'express';
import { ApsError, ForbiddenError } from '@apskit/core';
import { sendError } from '@apskit/express';

export interface RequestGuardOptions {
  /**
   * Host names allowed besides the loopback ones and the host of `controllerUri`; `'*'` allows any.
   * Default APSKIT_ALLOWED_HOSTS (comma-separated).
   */
  readonly allowedHosts?: readonly string[];
  /** The controller's own URI, read per request (it is known only once the server listens). */
  readonly controllerUri?: () => string | undefined;
}

/** The names a browser uses for this machine, which no DNS answer of an attacker's can stand for. */
const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** `Example.COM.`, `example.com:3000`, `::1` → `example.com`, `example.com`, `[::1]`; undefined if not a host. */
export function hostnameOf(value: string): string | undefined {
  const trimmed = value.trim();
  // A bare IPv6 address (more than one colon, no brackets) as configured: bracket it as URLs do.
  const text = !trimmed.startsWith('[') && (trimmed.match(/:/g) ?? []).length > 1 ? `[${trimmed}]` : trimmed;
  if (text === '' || /[/?#@\s\\]/.test(text)) return undefined;
  try {
    return new URL(`http://${text}`).hostname.replace(/\.$/, '');
  } catch {
    return undefined;
  }
}

/** The allowed host names: the option, else APSKIT_ALLOWED_HOSTS; `'*'` for any. */
function configuredHosts(option: readonly string[] | undefined): readonly string[] {
  const list = option ?? (process.env.APSKIT_ALLOWED_HOSTS ?? '').split(',');
  return list.map((h) => h.trim()).filter((h) => h !== '');
}

function isJsonType(contentType: string): boolean {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase() === 'application/json';
}

function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * The guard, as middleware. `controllerApi()` runs it in front of `/aps` and `/apskit`;
 * `serveController` in front of the console too. A server that mounts the API some other way can
 * mount this in front of it.
 */
export function requestGuard(options: RequestGuardOptions = {}): RequestHandler {
  const configured = configuredHosts(options.allowedHosts);
  const anyHost = configured.includes('*');
  const allowed = new Set(LOOPBACK);
  for (const entry of configured) {
    if (entry === '*') continue;
    const name = hostnameOf(entry);
    if (name === undefined) throw new Error(`allowedHosts: "${entry}" is not a host name`);
    allowed.add(name);
  }
  let ownUri: string | undefined;
  let ownHost: string | undefined;
  const isAllowed = (hostname: string): boolean => {
    if (anyHost || allowed.has(hostname)) return true;
    const uri = options.controllerUri?.();
    if (uri !== ownUri) {
      ownUri = uri;
      try {
        ownHost = uri === undefined ? undefined : new URL(uri).hostname.replace(/\.$/, '');
      } catch {
        ownHost = undefined;
      }
    }
    return hostname === ownHost;
  };

  return (req, res, next) => {
    const host = req.headers.host;
    const hostname = host === undefined ? undefined : hostnameOf(host);
    if (hostname === undefined || !isAllowed(hostname)) {
      const named = host === undefined ? 'no Host' : `Host "${host.slice(0, 100)}"`;
      sendError(
        res,
        new ApsError(
          421,
          'MisdirectedRequest',
          `This controller does not answer to ${named}: it answers to ${[...allowed].join(', ')} and its own ` +
            'URI; allow more with the allowedHosts option or APSKIT_ALLOWED_HOSTS',
        ),
        undefined,
      );
      return;
    }
    if (!STATE_CHANGING.has(req.method)) return next();

    const origin = req.headers.origin;
    if (origin !== undefined && !sameOrigin(origin, host as string)) {
      sendError(
        res,
        new ForbiddenError(
          `Refused: a ${req.method} from another origin ("${origin.slice(0, 100)}") changes nothing here`,
        ),
        undefined,
      );
      return;
    }
    if (req.headers['sec-fetch-site'] === 'cross-site') {
      sendError(res, new ForbiddenError(`Refused: a cross-site ${req.method} changes nothing here`), undefined);
      return;
    }
    const type = req.headers['content-type'];
    if (type !== undefined ? !isJsonType(type) : hasBody(req.headers)) {
      sendError(
        res,
        new ApsError(
          415,
          'UnsupportedMediaType',
          `A ${req.method} body must be JSON, sent with Content-Type: application/json` +
            (type === undefined ? '' : ` (not "${type.slice(0, 100)}")`),
        ),
        undefined,
      );
      return;
    }
    next();
  };
}

/** Whether `origin` is the origin of a page served from `host`: same name, same port. */
function sameOrigin(origin: string, host: string): boolean {
  try {
    const o = new URL(origin);
    if (o.protocol !== 'http:' && o.protocol !== 'https:') return false;
    if (o.origin === 'null') return false;
    const h = new URL(`${o.protocol}//${host}`);
    return o.hostname === h.hostname && o.port === h.port;
  } catch {
    return false;
  }
}
