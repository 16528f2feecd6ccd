/**
 * When the controller may run open (issue 18): with no token configured and listening on a loopback
 * address only, for local development, where every caller is `{kind: 'open'}` and may do what an
 * administrator may. Bound to any other address (0.0.0.0, ::, a LAN or public address, a host
 * name) without tokens, it refuses to start: an API that changes resources, open to a network, is
 * a mistake to stop at start, not a risk to run with.
 */
import { isIP } from 'node:net';

/** Whether an address a server listens on, or a connection came in on, is this machine's loopback. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const a = address.replace(/^\[|\]$/g, '').toLowerCase();
  if (a === '::1' || a === '0:0:0:0:0:0:0:1') return true;
  // IPv4 loopback is all of 127.0.0.0/8, also when written as an IPv4-mapped IPv6 address.
  const v4 = a.startsWith('::ffff:') ? a.slice('::ffff:'.length) : a;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/**
 * Whether a `host` option binds loopback only. `localhost` does (it names this machine's loopback);
 * any other name is not trusted to, since DNS or /etc/hosts may point it anywhere.
 */
export function bindsLoopbackOnly(host: string): boolean {
  return host.toLowerCase() === 'localhost' || isLoopbackAddress(host);
}

/** The error startController throws when asked to listen on a non-loopback address without tokens. */
export function openBindError(host: string): Error {
  return new Error(
    `Refusing to serve the controller API on ${host} without authentication: no token is configured, and ` +
      'anyone who can reach that address could read and change every resource. Either listen on 127.0.0.1 ' +
      '(host: "127.0.0.1", for local development: the API runs open there), or configure bearer tokens: ' +
      'the `tokens` option, or APSKIT_TOKENS_FILE naming a tokens file (make one with ' +
      '`apskit token add --role admin --file tokens.json`; see docs/security.md, "Tokens and roles").',
  );
}
