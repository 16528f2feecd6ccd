/**
 * The certificates the controller makes: its own small CA, and the leaves that CA signs (the
 * controller's client certificate, each application instance's certificate, the API's server
 * certificate). EC P-256 keys with ECDSA-SHA256 signatures: made in milliseconds, understood by
 * every TLS stack an APS endpoint runs on (OpenSSL under PHP and Node, .NET, Java). Keys are PKCS#8
 * PEM (`-----BEGIN PRIVATE KEY-----`), certificates PEM.
 */
import { createHash, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

// Node's WebCrypto, which the library's types call by the DOM's name.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;
/** A minute's slack for a peer whose clock is a little behind ours. */
const SLACK_MS = 60_000;

/** A certificate and its private key, both PEM. */
export interface KeyPairPem {
  readonly cert: string;
  readonly key: string;
}

/** The kinds of leaf the controller's CA signs, each with the extended key usage it needs. */
export type LeafKind = 'client' | 'server';

export interface LeafRequest {
  /** Distinguished name, `CN=…, O=…`. */
  readonly subject: string;
  readonly kind: LeafKind;
  readonly days: number;
  /** Host names and IP addresses the certificate names (a server certificate's subjectAltName). */
  readonly hosts?: readonly string[];
  readonly now?: number;
}

async function newKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function keyPem(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

async function signingKey(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decodeFirst(pem);
  return webcrypto.subtle.importKey('pkcs8', der, ALGORITHM, false, ['sign']) as Promise<CryptoKey>;
}

/** A positive random serial of 16 bytes (RFC 5280 allows 20; the top bit clear keeps it positive). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString('hex');
}

/** A CA certificate and key, self-signed, that signs leaves only (pathLen 0). */
export async function makeCa(subject: string, days: number, now = Date.now()): Promise<KeyPairPem> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: subject,
    notBefore: new Date(now - SLACK_MS),
    notAfter: new Date(now + days * DAY),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem'), key: await keyPem(keys.privateKey) };
}

/** A leaf certificate and its new key, signed by `ca`. */
export async function issueLeaf(ca: KeyPairPem, request: LeafRequest): Promise<KeyPairPem> {
  const now = request.now ?? Date.now();
  const keys = await newKeys();
  const issuer = new x509.X509Certificate(ca.cert);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension(
      [request.kind === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth],
      false,
    ),
    await x509.AuthorityKeyIdentifierExtension.create(issuer, false),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  if (request.hosts && request.hosts.length > 0) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension(
        [...new Set(request.hosts)].map((h) => (isIP(h) ? { type: 'ip', value: h } : { type: 'dns', value: h })),
        false,
      ),
    );
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: request.subject,
    issuer: issuer.subject,
    notBefore: new Date(now - SLACK_MS),
    notAfter: new Date(now + request.days * DAY),
    publicKey: keys.publicKey,
    signingKey: await signingKey(ca.key),
    signingAlgorithm: ALGORITHM,
    extensions,
  });
  return { cert: cert.toString('pem'), key: await keyPem(keys.privateKey) };
}

/** SHA-256 of the certificate's DER, `AB:CD:…`, as Node reports `fingerprint256` of a peer certificate. */
export function fingerprint256(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256;
}

/** SHA-256 of DER bytes, hex: a compact key for an exact certificate. */
export function derDigest(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex');
}
