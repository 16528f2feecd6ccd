/**
 * The certificates in the installation request, and what comes back.
 *
 * The APS controller creates an application instance by POSTing the root resource (the type that
 * implements the core application type) to the root service, "along with" a certificate and key it
 * generated for the instance (docs.cloudblue.com/cbc/sdk/21.0/api/rest/application/deployment). They
 * travel in the resource's `aps` block, as the public runtimes read them (`aps.x509.self`,
 * `aps.x509.controller`, each a PEM string; the .NET runtime passes both to its binding store, the PHP
 * runtime keeps `self` as the instance's `.pem`):
 *
 *   "aps": { "type": "…", "x509": {
 *     "self": "-----BEGIN CERTIFICATE-----…-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----…",
 *     "controller": "-----BEGIN CERTIFICATE-----…",
 *     "ca": "-----BEGIN CERTIFICATE-----…" } }
 *
 * `self` is the instance's certificate followed by its private key (one PEM bundle, usable as a
 * client certificate file as it is); `controller` the certificate the controller presents on every
 * call, which the endpoint pins. `ca` is APSKit's addition: the controller's CA, which signs its API's
 * server certificate, for an endpoint to trust when it calls back over HTTPS; a runtime that does not
 * know it ignores it.
 *
 * The key is the endpoint's to keep. The controller stores the resource as it was before the key was
 * added, and an answer that brings the key (or any PEM private key) back has it removed before
 * anything of it is stored or remembered.
 */
import type { EndpointAnswer } from '../transport/transport';

/** `aps.x509` of the installation request. */
export interface InstallCredentials {
  /** The instance's certificate, then its private key: PEM. */
  readonly self: string;
  /** The controller's client certificate: PEM. */
  readonly controller: string;
  /** The controller's CA certificate: PEM (APSKit's addition). */
  readonly ca: string;
}

/** `body` with `aps.x509` set; the body given is not changed. */
export function withInstallCredentials(body: unknown, x509: InstallCredentials): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const resource = body as Record<string, unknown>;
  const aps =
    resource.aps !== null && typeof resource.aps === 'object' ? (resource.aps as Record<string, unknown>) : {};
  return { ...resource, aps: { ...aps, x509: { ...x509 } } };
}

const PRIVATE_KEY_PEM = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;

/**
 * The answer without `aps.x509` and without any string holding a PEM private key (a member or item
 * that holds one is left out): what the controller may store, remember and show.
 */
export function withoutSecrets(answer: EndpointAnswer): EndpointAnswer {
  return { ...answer, body: scrub(answer.body, true) };
}

function scrub(value: unknown, top: boolean): unknown {
  if (typeof value === 'string') return PRIVATE_KEY_PEM.test(value) ? undefined : value;
  if (Array.isArray(value)) return value.map((v) => scrub(v, false)).filter((v) => v !== undefined);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (top && k === 'aps' && v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const { x509: _x509, ...aps } = v as Record<string, unknown>;
      out.aps = scrub(aps, false);
      continue;
    }
    const s = scrub(v, false);
    if (s !== undefined) out[k] = s;
  }
  return out;
}
