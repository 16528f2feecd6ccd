/**
 * The installation request, as the APS controller sends it: a provision POST to the root service
 * (the service whose type implements the core application type) carrying, in the resource's `aps`
 * block, `x509.self` (the instance certificate followed by its private key, in PEM) and
 * `x509.controller` (the controller's certificate, in PEM), with the APS-Instance-ID and
 * APS-Controller-URI headers (docs.cloudblue.com/cbc/sdk/21.0/api/rest/application/deployment,
 * "APS Application Instance Deployment"; odin-public/aps-node-runtime `Endpoint.keysFromRequest`
 * splits `aps.x509.self` at the key's BEGIN line and keeps `aps.x509.controller` as apsc.crt).
 *
 * Everything here is pure: it reads a body, and says what it holds or which field is wrong. Error
 * messages name the field, never quote it: `aps.x509.self` holds a private key.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';

const CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const PRIVATE_KEY = /-----BEGIN ((?:RSA |EC |DSA )?PRIVATE KEY)-----[\s\S]+?-----END \1-----/g;

/** What an installation body holds, checked: the key matches the certificate. */
export interface Installation {
  readonly instanceCertificate: string;
  readonly instanceKey: string;
  readonly controllerCertificate: string;
  /** SHA-256 fingerprint of the controller certificate, `AB:CD:…`, as Node reports a peer's. */
  readonly controllerFingerprint: string;
  /**
   * `aps.x509.ca`, APSKit's addition (other runtimes ignore it): the CA the controller's API server
   * certificate chains to, when that certificate is not the controller certificate itself.
   */
  readonly controllerCa?: string;
}

/** A field of the installation that is wrong, named for the 400 that answers it. */
export class InstallationError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** Whether a body carries `aps.x509` at all (whatever its shape): such a body is an installation or an error, never a resource. */
export function carriesX509(body: unknown): boolean {
  const aps = apsBlock(body);
  return aps !== undefined && Object.prototype.hasOwnProperty.call(aps, 'x509');
}

/** The body without `aps.x509`: what the app sees and what may be answered or logged. */
export function withoutX509<T>(body: T): T {
  const aps = apsBlock(body);
  if (!aps || !Object.prototype.hasOwnProperty.call(aps, 'x509')) return body;
  const { x509: _removed, ...rest } = aps;
  return { ...(body as Record<string, unknown>), aps: rest } as T;
}

/**
 * Reads and checks `aps.x509` of an installation body.
 *
 * @throws InstallationError naming `aps.x509`, `aps.x509.self` or `aps.x509.controller`
 */
export function readInstallation(body: unknown): Installation {
  const x509 = apsBlock(body)?.x509;
  if (x509 === null || typeof x509 !== 'object' || Array.isArray(x509)) {
    throw new InstallationError('aps.x509', 'aps.x509 must be an object with "self" and "controller"');
  }
  const { self, controller, ca } = x509 as { self?: unknown; controller?: unknown; ca?: unknown };
  if (typeof self !== 'string' || self.trim() === '') {
    throw new InstallationError(
      'aps.x509.self',
      'aps.x509.self must be the instance certificate and its private key, in PEM',
    );
  }
  if (typeof controller !== 'string' || controller.trim() === '') {
    throw new InstallationError(
      'aps.x509.controller',
      'aps.x509.controller must be the controller certificate, in PEM',
    );
  }
  const selfCertificates = self.match(CERTIFICATE) ?? [];
  const keys = self.match(PRIVATE_KEY) ?? [];
  if (selfCertificates.length === 0) {
    throw new InstallationError('aps.x509.self', 'aps.x509.self holds no certificate (-----BEGIN CERTIFICATE-----)');
  }
  if (keys.length !== 1) {
    throw new InstallationError(
      'aps.x509.self',
      `aps.x509.self must hold exactly one unencrypted private key (it holds ${keys.length})`,
    );
  }
  const certificate = parseCertificate(selfCertificates[0] as string, 'aps.x509.self');
  let key: KeyObject;
  try {
    key = createPrivateKey(keys[0] as string);
  } catch {
    throw new InstallationError('aps.x509.self', 'aps.x509.self: the private key cannot be read');
  }
  if (!certificate.checkPrivateKey(key)) {
    throw new InstallationError('aps.x509.self', 'aps.x509.self: the private key is not that of the certificate');
  }
  const controllerPems = controller.match(CERTIFICATE) ?? [];
  if (controllerPems.length !== 1 || /PRIVATE KEY-----/.test(controller)) {
    throw new InstallationError(
      'aps.x509.controller',
      'aps.x509.controller must be one certificate in PEM, and no key',
    );
  }
  const controllerCertificate = parseCertificate(controllerPems[0] as string, 'aps.x509.controller');
  let controllerCa: string | undefined;
  if (ca !== undefined) {
    const caPems = typeof ca === 'string' ? (ca.match(CERTIFICATE) ?? []) : [];
    if (caPems.length === 0 || /PRIVATE KEY-----/.test(ca as string)) {
      throw new InstallationError('aps.x509.ca', 'aps.x509.ca must be certificates in PEM, and no key');
    }
    for (const pem of caPems) parseCertificate(pem, 'aps.x509.ca');
    controllerCa = `${caPems.join('\n')}\n`;
  }
  return {
    // The certificate (and any chain after it) as sent; the key on its own, as the Node runtime keeps them.
    instanceCertificate: `${selfCertificates.join('\n')}\n`,
    instanceKey: `${keys[0] as string}\n`,
    controllerCertificate: `${controllerPems[0] as string}\n`,
    controllerFingerprint: controllerCertificate.fingerprint256,
    ...(controllerCa === undefined ? {} : { controllerCa }),
  };
}

function parseCertificate(pem: string, field: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch {
    throw new InstallationError(field, `${field}: the certificate cannot be read`);
  }
}

function apsBlock(body: unknown): Record<string, unknown> | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const aps = (body as { aps?: unknown }).aps;
  return aps !== null && typeof aps === 'object' && !Array.isArray(aps) ? (aps as Record<string, unknown>) : undefined;
}
