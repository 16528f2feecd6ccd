/**
 * The endpoint's side of APS trust, per application instance
 * (docs.cloudblue.com/cbc/sdk/21.0/concepts/security/model, api/rest/protocol/session):
 *
 * - the installation request (a provision POST to the root service carrying `aps.x509`) gives the
 *   instance its certificate and key and names the controller's certificate: they are checked,
 *   stored, and removed from what the app sees and from the answer;
 * - from then on, every request naming that instance (APS-Instance-ID) must present exactly that
 *   controller certificate over TLS: none is 401, another 403, as the Node runtime answers 403 to
 *   any certificate but its apsc.crt;
 * - the instance's calls to the controller present the instance certificate, and go to the
 *   controller URI recorded at installation, never to one a later request names.
 *
 * A first installation is accepted from whoever presents, over TLS, the controller certificate it
 * carries (trust on first use), unless `installation.accept` says otherwise or `clientCertificate`
 * pins the controller up front. A second installation of an installed instance replaces its
 * credentials only when it comes from the controller pinned for that instance (a controller renewing
 * the instance's certificate); from anyone else it is a 403 and nothing changes.
 */
import { X509Certificate } from 'node:crypto';
import type { Logger } from 'pino';
import { ApsError, BadRequestError, ForbiddenError, UnauthorizedError } from '@apskit/core';
import { controllerBase, quote } from '../controller-uri';
import type { CredentialStore, InstanceCredentials } from './credential-store';
import { isInstanceId } from './credential-store';
import { carriesX509, InstallationError, readInstallation, withoutX509 } from './installation';
import { mutualTlsFetch, type InstanceBinding } from './instance-fetch';

/** What `installation.accept` is asked about. Holds no key. */
export interface InstallationRequest {
  readonly instanceId: string;
  /** SHA-256 fingerprint (`AB:CD:…`) of the controller certificate the installation carries and the caller presented. */
  readonly controllerFingerprint: string;
  readonly controllerCertificate: string;
  /** The APS-Controller-URI of the install request, when it is an http(s) URL. */
  readonly controllerUri?: string;
  /** True when the instance already has credentials (the caller presented its pinned controller certificate). */
  readonly reinstall: boolean;
}

export interface InstallationOptions {
  /**
   * Whether to accept an installation. Default: every first installation presented over TLS by the
   * controller certificate it carries (trust on first use), and every re-installation from the
   * instance's pinned controller. Return false to refuse it (403, nothing stored): `apskit deploy`
   * accepts the first one only.
   */
  accept?: (installation: InstallationRequest) => boolean | Promise<boolean>;
  /**
   * Refuse every request that does not name an installed instance (or come from the controller
   * pinned with `clientCertificate`): 401 without a client certificate, 403 with one. Default false:
   * such requests are served as before installation, unauthenticated (their APS-Controller-URI is
   * not believed).
   */
  required?: boolean;
}

export interface InstanceTrustOptions {
  readonly store: CredentialStore;
  /** The service whose type implements the core application type: where installations arrive. */
  readonly rootService: string | undefined;
  /** Whether a controller URI is configured (then the install request need not name one). */
  readonly configuredControllerUri: boolean;
  /** Extra certificates trusted for the controller's server certificate on outgoing calls. */
  readonly controllerCa?: readonly string[];
  readonly installation?: InstallationOptions;
  readonly logger?: Logger;
}

/** One request as the trust check sees it, whatever the transport. */
export interface TrustInput {
  readonly method: string;
  /** The path below the endpoint's root, without the query. */
  readonly path: string;
  readonly instanceId: string | undefined;
  readonly controllerUri: string | undefined;
  /** SHA-256 fingerprint of the client certificate presented over TLS, if any. */
  readonly peerFingerprint: string | undefined;
  /** Whether the static `clientCertificate` pin already authenticated the caller. */
  readonly pinned: boolean;
  readonly body: unknown;
}

export type TrustDecision =
  | { readonly refused: ApsError }
  | {
      readonly refused?: undefined;
      /** Whether the caller is authenticated as the controller. */
      readonly trusted: boolean;
      /** The body the app sees: without `aps.x509`. */
      readonly body: unknown;
      /** The installed instance the request is for, when its controller certificate was presented. */
      readonly instance?: InstanceBinding;
      /** True for an installation that was stored. */
      readonly installed: boolean;
    };

interface Known {
  readonly fingerprint: string;
  readonly binding: InstanceBinding;
}

export class InstanceTrust {
  private readonly known = new Map<string, Known>();
  private listed: Promise<Set<string>> | undefined;
  /** The installed ids once the store was listed: lets most requests be decided without a promise. */
  private ids: Set<string> | undefined;

  constructor(private readonly options: InstanceTrustOptions) {}

  /**
   * The decision when it needs no look-up (no `aps.x509`, and an instance id that is none, or known
   * not to be installed): the common request, decided without a promise. Undefined otherwise: ask `check`.
   */
  quick(input: TrustInput): TrustDecision | undefined {
    if (this.options.installation?.required && !input.pinned) return undefined;
    const id = input.instanceId;
    // An id that cannot name a folder was never installed: no look-up needed.
    if (id && isInstanceId(id) && !(this.ids !== undefined && !this.ids.has(id))) return undefined;
    if (carriesX509(input.body)) return undefined;
    return { trusted: input.pinned, body: input.body, installed: false };
  }

  /** Decides on one request that came over the network. */
  async check(input: TrustInput): Promise<TrustDecision> {
    const x509 = carriesX509(input.body);
    const id = input.instanceId;
    if (x509 && !this.isInstallPath(input)) {
      return refuse(
        new BadRequestError(
          this.options.rootService === undefined
            ? 'aps.x509 is accepted only in the installation POST to the root service, and this endpoint serves no type implementing the core application type'
            : `aps.x509 is accepted only in the installation POST to the root service /${this.options.rootService}/`,
        ),
      );
    }
    // An id that cannot name a folder is never looked up (it cannot have been installed), nor installed.
    const valid = id !== undefined && id !== '' && isInstanceId(id);
    if (x509 && id && !valid) {
      return refuse(
        new BadRequestError(`APS-Instance-ID is not an instance id: ${quote(id, 80)}`, { field: 'APS-Instance-ID' }),
      );
    }
    const known = valid ? await this.lookup(id) : undefined;
    if (known) {
      if (!input.peerFingerprint) {
        return refuse(
          new UnauthorizedError(`Instance ${id} accepts only its controller's client certificate (mutual TLS)`),
        );
      }
      if (input.peerFingerprint !== known.fingerprint) {
        return refuse(
          new ForbiddenError(`This client certificate is not the controller certificate of instance ${id}`),
        );
      }
      if (!x509) return { trusted: true, body: input.body, instance: known.binding, installed: false };
      return this.install(input, id as string, true);
    }
    if (x509) {
      if (!id) return refuse(new BadRequestError('An installation (aps.x509) needs the APS-Instance-ID header'));
      return this.install(input, id, false);
    }
    if (this.options.installation?.required && !input.pinned) {
      const why = id
        ? `Instance ${quote(id, 80)} is not installed on this endpoint`
        : 'The request names no installed instance (APS-Instance-ID)';
      return refuse(input.peerFingerprint ? new ForbiddenError(why) : new UnauthorizedError(why));
    }
    return { trusted: input.pinned, body: input.body, installed: false };
  }

  /** The installed instance `id`, read from the store once and then kept. */
  async lookup(id: string): Promise<Known | undefined> {
    const cached = this.known.get(id);
    if (cached) return cached;
    this.listed ??= this.options.store.list().then((ids) => (this.ids = new Set(ids)));
    let ids: Set<string>;
    try {
      ids = await this.listed;
    } catch (e) {
      this.listed = undefined;
      this.ids = undefined;
      throw e;
    }
    if (!ids.has(id)) return undefined;
    const credentials = await this.options.store.get(id);
    if (!credentials) return undefined;
    return this.remember(id, credentials);
  }

  private remember(id: string, credentials: InstanceCredentials): Known {
    const known: Known = {
      fingerprint: new X509Certificate(credentials.controllerCertificate).fingerprint256,
      binding: {
        instanceId: id,
        controllerUri: credentials.controllerUri,
        fetch: mutualTlsFetch({
          cert: credentials.instanceCertificate,
          key: credentials.instanceKey,
          ca: [
            credentials.controllerCertificate,
            ...(credentials.controllerCa === undefined ? [] : [credentials.controllerCa]),
            ...(this.options.controllerCa ?? []),
          ],
        }),
      },
    };
    this.known.set(id, known);
    return known;
  }

  private async install(input: TrustInput, id: string, reinstall: boolean): Promise<TrustDecision> {
    let installation;
    try {
      installation = readInstallation(input.body);
    } catch (e) {
      if (e instanceof InstallationError) {
        return refuse(new BadRequestError(e.message, { field: e.field }));
      }
      throw e;
    }
    if (!reinstall) {
      // The key travels in this body: over anything but TLS with the controller's own certificate, refuse it.
      if (!input.peerFingerprint) {
        return refuse(
          new UnauthorizedError(
            'An installation must come over TLS with the controller certificate it carries (aps.x509.controller)',
          ),
        );
      }
      if (input.peerFingerprint !== installation.controllerFingerprint) {
        return refuse(
          new ForbiddenError(
            'The client certificate is not the controller certificate of this installation (aps.x509.controller)',
          ),
        );
      }
    }
    const header = input.controllerUri?.trim();
    const controllerUri = header && controllerBase(header) ? header : undefined;
    if (!controllerUri && !this.options.configuredControllerUri) {
      return refuse(
        new BadRequestError(
          'An installation needs the APS-Controller-URI header (an http:// or https:// URL): the instance calls that controller only',
          { field: 'APS-Controller-URI' },
        ),
      );
    }
    const accept = this.options.installation?.accept;
    if (accept) {
      const accepted = await accept({
        instanceId: id,
        controllerFingerprint: installation.controllerFingerprint,
        controllerCertificate: installation.controllerCertificate,
        controllerUri,
        reinstall,
      });
      if (!accepted)
        return refuse(new ForbiddenError(`This endpoint does not accept this installation of instance ${id}`));
    }
    const credentials: InstanceCredentials = {
      instanceCertificate: installation.instanceCertificate,
      instanceKey: installation.instanceKey,
      controllerCertificate: installation.controllerCertificate,
      ...(installation.controllerCa === undefined ? {} : { controllerCa: installation.controllerCa }),
      controllerUri,
      installedAt: new Date().toISOString(),
    };
    await this.options.store.put(id, credentials);
    (await this.listed)?.add(id);
    const known = this.remember(id, credentials);
    this.options.logger?.info(
      { instanceId: id, controllerFingerprint: installation.controllerFingerprint, controllerUri, reinstall },
      reinstall
        ? 'application instance re-installed: credentials replaced'
        : 'application instance installed: credentials stored',
    );
    return { trusted: true, body: withoutX509(input.body), instance: known.binding, installed: true };
  }

  private isInstallPath(input: TrustInput): boolean {
    if (input.method.toUpperCase() !== 'POST' || this.options.rootService === undefined) return false;
    const segments = input.path.split('/').filter((s) => s !== '');
    if (segments.length !== 1) return false;
    try {
      return decodeURIComponent(segments[0] as string) === this.options.rootService;
    } catch {
      return false;
    }
  }
}

function refuse(error: ApsError): TrustDecision {
  return { refused: error };
}
