/**
 * Which controller an endpoint may call. The APS PHP runtime calls whatever `APS-Controller-URI`
 * names; over an unauthenticated connection that lets any caller make the endpoint fetch any URL
 * (internal services, port scans). So the URL comes from configuration (`controllerUri`, or
 * APSKIT_CONTROLLER_URI), and the header is believed only from an authenticated caller: a request
 * that presented the pinned controller certificate, or an in-process `dispatch()`.
 */
import type { Logger } from 'pino';

/** The environment variable read when `EndpointOptions.controllerUri` is not given. */
export const CONTROLLER_URI_ENV = 'APSKIT_CONTROLLER_URI';

/** How many characters of a URI or a reason an error message quotes. */
const QUOTE = 200;

/**
 * The controller's API root as a URL ending in `/`, or undefined when `uri` is not an absolute
 * http(s) URL: `file:`, `data:` and the like are never fetched.
 */
export function controllerBase(uri: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  url.search = '';
  url.hash = '';
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

/**
 * The configured controller URI: the option, else APSKIT_CONTROLLER_URI, else undefined. A value
 * that is not an http(s) URL is refused when the endpoint is created, naming the setting.
 */
export function configuredControllerUri(
  option: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const fromEnv = env[CONTROLLER_URI_ENV];
  const value = option ?? (fromEnv === undefined || fromEnv.trim() === '' ? undefined : fromEnv.trim());
  if (value === undefined) return undefined;
  if (!controllerBase(value)) {
    const setting = option !== undefined ? 'the controllerUri option' : CONTROLLER_URI_ENV;
    throw new Error(`createEndpoint: ${setting} must be an http:// or https:// URL, not "${quote(value)}"`);
  }
  return value;
}

/** Gives the controller URI a request may use, from its APS-Controller-URI header and whether its sender is trusted. */
export type ControllerUriResolver = (header: string | undefined, trusted: boolean) => string | undefined;

/**
 * The configured URI always wins. Without one, the header of a trusted request is used as it is
 * (the loader then refuses one that is not an http(s) URL), and that of any other request is
 * ignored: the request is served as one that names no controller. An ignored header is logged, at
 * `warn` the first time (a deployment that needs `controllerUri` learns it) and at `debug` after,
 * so that a caller cannot flood the log.
 */
export function controllerUriResolver(
  configured: string | undefined,
  logger: Logger | undefined,
): ControllerUriResolver {
  const configuredHref = configured === undefined ? undefined : controllerBase(configured)?.href;
  let warned = false;
  const ignored = (header: string, why: string): void => {
    if (!logger) return;
    const level = warned ? 'debug' : 'warn';
    warned = true;
    logger[level]({ controllerUri: quote(header) }, `APS-Controller-URI ignored: ${why}`);
  };
  return (header, trusted) => {
    if (configured !== undefined) {
      if (header && controllerBase(header)?.href !== configuredHref) {
        if (trusted) logger?.debug({ controllerUri: quote(header) }, 'APS-Controller-URI differs from controllerUri');
        else ignored(header, 'the endpoint calls the configured controllerUri');
      }
      return configured;
    }
    if (!header) return undefined;
    if (trusted) return header;
    ignored(
      header,
      'the request is not authenticated (configure controllerUri or APSKIT_CONTROLLER_URI, or clientCertificate)',
    );
    return undefined;
  };
}

/**
 * Why a call to the controller failed, in a few words: whether it timed out, refused a redirect or
 * could not connect. Never the text of the answer.
 */
export function fetchFailure(error: unknown, timeoutMs: number): string {
  const e = error as { name?: unknown; cause?: { code?: unknown; message?: unknown } } | null;
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const cause = e?.cause;
  if (typeof cause?.message === 'string' && /redirect/i.test(cause.message)) {
    return 'it answered with a redirect, which is not followed';
  }
  if (typeof cause?.code === 'string' && /^[A-Z0-9_]{1,40}$/.test(cause.code)) return `unreachable (${cause.code})`;
  return 'unreachable';
}

/** At most QUOTE characters of `text`, control characters as spaces: for messages and logs. */
export function quote(text: string, max = QUOTE): string {
  // eslint-disable-next-line no-control-regex
  const clean = String(text).replace(/[\x00-\x1f\x7f-\x9f]+/g, ' ');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
