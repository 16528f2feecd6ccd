/**
 * Which controller `apskit deploy` serves (issue 18). The endpoint is pinned by default: it waits for
 * an application instance to be installed over HTTPS and keeps, from then on, the controller
 * certificate of that installation as the only one it serves (trust on first use); or it serves only
 * the certificate given with `--controller-cert`. Another controller's installation is a 403 and
 * stores nothing, and a request that comes from no pinned controller is a 401 (no client certificate)
 * or a 403 (another one). The per-instance checks are the endpoint's (`@apskit/express`, installation
 * and credential store); this file decides only which installations are accepted.
 *
 * The pin survives a restart: it is the controller certificate of the instances the credential store
 * holds, so that a restarted deploy does not accept a stranger's installation as a first one.
 */
import { X509Certificate } from 'node:crypto';
import type { CredentialStore, InstallationRequest } from '@apskit/express';

export interface ControllerPin {
  /** The fingerprints served (SHA-256, `AB:CD:…`); empty while awaiting the first installation. */
  readonly fingerprints: () => readonly string[];
  /** Where the pin comes from, for the banner. */
  readonly source: () => PinSource;
  /** The endpoint's `installation.accept`. */
  accept(installation: InstallationRequest): boolean;
}

export type PinSource =
  | { readonly kind: 'given'; readonly file: string }
  | { readonly kind: 'installed'; readonly instances: number }
  | { readonly kind: 'awaiting' };

export interface PinEvents {
  /** A first installation was accepted: its controller is pinned from now on. */
  pinned?(installation: InstallationRequest): void;
  /** An installation from a controller that is not the pinned one was refused (403). */
  refused?(installation: InstallationRequest, pinned: readonly string[]): void;
}

/**
 * The pin of a deployment: the given certificate, else the controller certificates of the instances
 * already installed in `store`, else none until the first installation.
 */
export async function controllerPin(
  store: CredentialStore,
  given: { readonly file: string; readonly pem: string } | undefined,
  events: PinEvents = {},
): Promise<ControllerPin> {
  const pinned = new Set<string>();
  let installed = 0;
  if (given) {
    pinned.add(new X509Certificate(given.pem).fingerprint256);
  } else {
    for (const id of await store.list()) {
      const credentials = await store.get(id);
      if (!credentials) continue;
      pinned.add(new X509Certificate(credentials.controllerCertificate).fingerprint256);
      installed++;
    }
  }
  return {
    fingerprints: () => [...pinned],
    source: () =>
      given
        ? { kind: 'given', file: given.file }
        : installed > 0
          ? { kind: 'installed', instances: installed }
          : { kind: 'awaiting' },
    accept(installation) {
      if (pinned.has(installation.controllerFingerprint)) {
        if (!given) installed += installation.reinstall ? 0 : 1;
        return true;
      }
      // Decided synchronously, so that of two first installations arriving at once only one wins.
      if (!given && pinned.size === 0) {
        pinned.add(installation.controllerFingerprint);
        installed++;
        events.pinned?.(installation);
        return true;
      }
      events.refused?.(installation, [...pinned]);
      return false;
    },
  };
}
