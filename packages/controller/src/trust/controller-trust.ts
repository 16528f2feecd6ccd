/**
 * The controller's side of trust, as the APS platform has it (docs.cloudblue.com/cbc/sdk/21.0/
 * concepts/security/model: "it generates a pair of X509 certificate and private key for every APS
 * application instance when installing the latter. During the same installation process, the APS
 * controller sends its own SSL certificate to the newly created APS application instance"):
 *
 * - its own small CA, made once and kept (see credential-keeping), and its client certificate,
 *   signed by that CA, which it presents when it calls the endpoint;
 * - per application instance, a certificate (subject `CN=<instance id>`) and key signed by that CA,
 *   made when the instance is created and sent to the endpoint in the installation request
 *   (install-credentials); the controller keeps the certificate, to know the application by it, and
 *   forgets the key once the endpoint has taken it;
 * - `identify`: which live instance a client certificate is, if any;
 * - a server certificate for the API over HTTPS, signed by the same CA.
 */
import type { IncomingMessage } from 'node:http';
import { X509Certificate } from 'node:crypto';
import { TLSSocket } from 'node:tls';
import {
  fileKeeping,
  forgetInstanceKey,
  keptInstance,
  metaKeeping,
  type ControllerCredentials,
  type CredentialKeeping,
  type InstanceCredentials,
  type MetaPort,
} from './credential-keeping';
import type { InstallCredentials } from './install-credentials';
import { derDigest, fingerprint256, issueLeaf, makeCa, type KeyPairPem } from './pki';

/** A peer certificate as Node gives it: `socket.getPeerCertificate()` (raw DER), or an X509Certificate. */
export type PeerCertificateLike = { readonly raw?: Buffer } | X509Certificate;

/** The application instance a client certificate proves. */
export interface InstanceIdentity {
  readonly instanceId: string;
}

export interface ControllerTrustOptions {
  /** The store's meta table: instance certificates, and the CA when `directory` is not given. */
  readonly meta: MetaPort;
  /** Where the CA and the controller's certificate are kept as files; default: in `meta`. */
  readonly directory?: string;
  readonly clock?: () => number;
}

/** Validity, in days: long, because the endpoint pins the exact certificates (see docs/security.md, rotation). */
const CA_DAYS = 20 * 365;
const LEAF_DAYS = 10 * 365;
/** The API's server certificate is made at each start; clients trust the CA, not it. */
const SERVER_DAYS = 397;

export class ControllerTrust {
  private readonly keeping: CredentialKeeping;
  private credentials: ControllerCredentials | undefined;
  private caX509: X509Certificate | undefined;
  private live: { instanceId: string; cert: string; digest: string; key?: string } | undefined;
  private readonly clock: () => number;

  constructor(private readonly options: ControllerTrustOptions) {
    this.keeping = options.directory ? fileKeeping(options.directory) : metaKeeping(options.meta);
    this.clock = options.clock ?? Date.now;
  }

  /** Loads (or makes, the first time) the CA, the controller's certificate and the instance's. */
  async open(instanceId: string): Promise<void> {
    if (!this.credentials) {
      this.credentials = await this.keeping.controller(async () => {
        const now = this.clock();
        // A name of its own, so that trust stores holding several APSKit CAs never confuse them.
        const ca = await makeCa(`CN=APSKit controller CA ${now.toString(36)}, O=APSKit`, CA_DAYS, now);
        const controller = await issueLeaf(ca, {
          subject: 'CN=APSKit controller, O=APSKit',
          kind: 'client',
          days: LEAF_DAYS,
          now,
        });
        return { ca, controller };
      });
      this.caX509 = new X509Certificate(this.credentials.ca.cert);
    }
    if (this.live?.instanceId === instanceId) return;
    const instance: InstanceCredentials = await keptInstance(this.options.meta, instanceId, () =>
      issueLeaf(this.ca(), {
        subject: `CN=${instanceId}, OU=APS application instance, O=APSKit`,
        kind: 'client',
        days: LEAF_DAYS,
        now: this.clock(),
      }),
    );
    const digest = derDigest(new X509Certificate(instance.cert).raw);
    this.live = { instanceId, cert: instance.cert, digest, key: instance.key };
  }

  /** The CA certificate (PEM): what a client trusts to reach the API over HTTPS, and what signs the instance's. */
  get caCertificate(): string {
    return this.ca().cert;
  }

  /** The CA certificate's file, when the controller keeps its certificates in files. */
  get caFile(): string | undefined {
    return this.keeping.caFile;
  }

  /** SHA-256 fingerprint of the CA certificate, `AB:CD:…`. */
  get caFingerprint(): string {
    return fingerprint256(this.ca().cert);
  }

  /** The controller's client certificate and key, presented to the endpoint over HTTPS. */
  get clientCredentials(): KeyPairPem | undefined {
    return this.credentials?.controller;
  }

  /** The live instance's certificate (PEM), once opened. */
  get instanceCertificate(): string | undefined {
    return this.live?.cert;
  }

  /**
   * What the installation request carries in `aps.x509` (see install-credentials), while the
   * controller still holds the instance's key; undefined once the endpoint has it.
   */
  installCredentials(): InstallCredentials | undefined {
    const live = this.live;
    const credentials = this.credentials;
    if (!live?.key || !credentials) return undefined;
    return {
      self: `${live.cert.trimEnd()}\n${live.key.trimEnd()}\n`,
      controller: credentials.controller.cert,
      ca: credentials.ca.cert,
    };
  }

  /** The endpoint has the instance's key: the controller keeps the certificate only. */
  async installed(): Promise<void> {
    const live = this.live;
    if (!live?.key) return;
    await forgetInstanceKey(this.options.meta, live.instanceId, live.cert);
    this.live = { instanceId: live.instanceId, cert: live.cert, digest: live.digest };
  }

  /**
   * The application instance a client certificate proves: defined only for the very certificate this
   * controller issued to its live instance, checked against this controller's CA (signature, issuer,
   * validity) and compared whole, so that a certificate of another CA with the same subject, or of an
   * instance this controller no longer has, proves nothing.
   */
  identify(peer: PeerCertificateLike | null | undefined): InstanceIdentity | undefined {
    const live = this.live;
    const ca = this.caX509;
    if (!peer || !live || !ca) return undefined;
    let cert: X509Certificate;
    try {
      if (peer instanceof X509Certificate) cert = peer;
      else if (peer.raw && peer.raw.length > 0) cert = new X509Certificate(peer.raw);
      else return undefined;
    } catch {
      return undefined;
    }
    if (derDigest(cert.raw) !== live.digest) return undefined;
    if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return undefined;
    const now = this.clock();
    if (now < Date.parse(cert.validFrom) || now > Date.parse(cert.validTo)) return undefined;
    return { instanceId: live.instanceId };
  }

  /** `identify` of the client certificate a request came with over TLS (none over plain HTTP). */
  identifyRequest(req: Pick<IncomingMessage, 'socket'>): InstanceIdentity | undefined {
    const socket = req.socket;
    if (!(socket instanceof TLSSocket)) return undefined;
    return this.identify(socket.getPeerCertificate());
  }

  /** A server certificate for the API, naming `hosts`, signed by the CA. */
  serverCredentials(hosts: readonly string[]): Promise<KeyPairPem> {
    return issueLeaf(this.ca(), {
      subject: 'CN=APSKit controller API, O=APSKit',
      kind: 'server',
      days: SERVER_DAYS,
      hosts,
      now: this.clock(),
    });
  }

  private ca(): KeyPairPem {
    if (!this.credentials)
      throw new Error("The controller's certificates are not loaded yet: start the controller first");
    return this.credentials.ca;
  }
}
