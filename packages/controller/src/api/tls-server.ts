/**
 * The controller API over HTTPS. The server asks every client for a certificate and requires none:
 * people and tools call with bearer tokens and no certificate, and the application presents its
 * instance certificate, which `controller.trust.identify` recognises (the TLS handshake accepts any
 * certificate; which one proves what is decided per request, not by the handshake).
 *
 * Its certificate is the one given, or one the controller's CA signs at each start for the names
 * the controller answers to (loopback, the bound host, `allowedHosts`, the host of `controllerUri`):
 * a client trusts the CA (its file, `caFile`) rather than a certificate that changes.
 */
import type { ServerOptions } from 'node:https';
import { isIP } from 'node:net';
import type { Controller } from '../controller';

/** A server certificate and key, PEM (a chain after the certificate, if any). */
export interface TlsServerCertificate {
  readonly cert: string;
  readonly key: string;
}

/** `true`: a certificate signed by the controller's CA; or the certificate to use. */
export type ServeTlsOption = true | TlsServerCertificate;

const WILDCARD_ADDRESSES: ReadonlySet<string> = new Set(['0.0.0.0', '::', '[::]']);

export async function tlsServerOptions(
  controller: Controller,
  option: ServeTlsOption,
  host: string,
): Promise<ServerOptions> {
  // The CA is loaded (or made, the first time) before anything listens.
  await controller.open();
  const own = option === true ? await controller.trust.serverCredentials(serverNames(controller, host)) : option;
  return {
    cert: own.cert,
    key: own.key,
    // Client certificates are checked against the controller's CA (socket.authorized says so), and
    // never required: the route decides what a certificate proves (see trust.identify).
    ca: [controller.trust.caCertificate],
    requestCert: true,
    rejectUnauthorized: false,
  };
}

/** The names a CA-signed server certificate carries. */
export function serverNames(controller: Controller, host: string): string[] {
  const names = ['localhost', '127.0.0.1', '::1'];
  const bound = host.replace(/^\[|\]$/g, '');
  if (!WILDCARD_ADDRESSES.has(bound)) names.push(bound);
  for (const h of controller.options.allowedHosts ?? []) if (h !== '*') names.push(h);
  const uri = controller.controllerUri ?? controller.options.controllerUri;
  if (uri) {
    try {
      names.push(new URL(uri).hostname.replace(/^\[|\]$/g, ''));
    } catch {
      // Not a URL: nothing to name.
    }
  }
  return [...new Set(names.filter((n) => n !== '' && (isIP(n) !== 0 || /^[a-z0-9.*-]+$/i.test(n))))];
}
