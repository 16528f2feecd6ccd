/**
 * Whose client certificate a request carries: the one presented on its own TLS connection, or,
 * behind a TLS-terminating proxy trusted explicitly (`trustedProxy`), the one the proxy passes on in
 * a header (nginx: `proxy_set_header X-SSL-Client-Cert $ssl_client_escaped_cert;`).
 *
 * The header is believed only on a connection from the trusted proxy: its pinned certificate
 * presented over mutual TLS, and/or a listed peer address (every condition configured must hold).
 * From anyone else it is ignored, and logged: a client cannot name its own certificate. From the
 * proxy, the header is the client's certificate, or there is none: the proxy's own certificate is
 * never the client's.
 */
import { X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { BadRequestError } from '@apskit/core';
import { fingerprintOf } from './client-certificate';

export interface TrustedProxyOptions {
  /**
   * The request header the proxy puts the client certificate in. Default `x-ssl-client-cert`. Its
   * value: a URL-encoded PEM (nginx `$ssl_client_escaped_cert`), a PEM, or a base64 DER; empty or
   * absent when the client presented none.
   */
  readonly certificateHeader?: string;
  /**
   * The proxy's own client certificate (PEM or SHA-256 fingerprint), which it presents over mutual
   * TLS when it connects (nginx `proxy_ssl_certificate`): only a connection presenting it is the proxy.
   */
  readonly proxyCertificate?: string | readonly string[];
  /** The socket peer addresses (or CIDR ranges, `10.0.0.0/24`) the proxy connects from. */
  readonly addresses?: readonly string[];
}

/** `APSKIT_TRUSTED_PROXY_ADDRESSES`: comma-separated addresses of a trusted proxy, when no `trustedProxy` option is given. */
export const TRUSTED_PROXY_ADDRESSES_ENV = 'APSKIT_TRUSTED_PROXY_ADDRESSES';

export const DEFAULT_CERTIFICATE_HEADER = 'x-ssl-client-cert';

/** A client certificate, however it reached this process. */
export interface PeerCertificate {
  /** SHA-256 fingerprint, `AB:CD:…`, the form Node reports peer fingerprints in. */
  readonly fingerprint256: string;
  /** DER. */
  readonly raw: Buffer;
  /** `tls`: presented on this request's connection; `proxy`: passed on by the trusted proxy. */
  readonly via: 'tls' | 'proxy';
}

/** What the reader tells of a header it ignored: it came from a peer that is not the trusted proxy. */
export interface IgnoredHeader {
  readonly header: string;
  readonly remoteAddress: string | undefined;
}

/**
 * The client certificate of a request, or undefined. Throws a BadRequestError (400, naming the
 * header) when the trusted proxy passed on a header that holds no certificate; answer it as such.
 */
export type PeerCertificateOf = (req: IncomingMessage) => PeerCertificate | undefined;

/** The certificate presented on the request's own TLS connection. */
function tlsPeer(req: IncomingMessage): PeerCertificate | undefined {
  const socket = req.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function') return undefined;
  const cert = socket.getPeerCertificate();
  if (!cert?.fingerprint256 || !cert.raw) return undefined;
  return { fingerprint256: cert.fingerprint256, raw: cert.raw, via: 'tls' };
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/i;

/** The trusted proxy option from the environment (APSKIT_TRUSTED_PROXY_ADDRESSES), or undefined. */
export function trustedProxyFromEnv(env: NodeJS.ProcessEnv = process.env): TrustedProxyOptions | undefined {
  const value = env[TRUSTED_PROXY_ADDRESSES_ENV]?.trim();
  if (!value) return undefined;
  return {
    addresses: value
      .split(',')
      .map((a) => a.trim())
      .filter((a) => a !== ''),
  };
}

/** `::ffff:10.0.0.5` is `10.0.0.5`: a dual-stack socket reports IPv4 peers so. */
function plainAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? (mapped[1] as string) : address;
}

function addressList(addresses: readonly string[]): (address: string | undefined) => boolean {
  const list = new BlockList();
  for (const entry of addresses) {
    const [given, prefix, ...rest] = entry.trim().split('/');
    const address = plainAddress(given ?? '');
    const family = isIP(address);
    const bits = prefix === undefined ? undefined : Number(prefix);
    const max = family === 4 ? 32 : 128;
    if (
      family === 0 ||
      rest.length > 0 ||
      (bits !== undefined && (prefix === '' || !Number.isInteger(bits) || bits < 0 || bits > max))
    )
      throw new Error(`trustedProxy.addresses: "${entry}" is not an IP address or a CIDR range (10.0.0.0/24)`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, bits, type);
  }
  return (remote) => {
    if (!remote) return false;
    const address = plainAddress(remote);
    const family = isIP(address);
    return family !== 0 && list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  };
}

/**
 * The DER of the certificate in a proxy's header: URL-encoded PEM, PEM (its line breaks may be
 * spaces, as a header cannot hold them), or base64 DER; the first certificate when several (a TLS
 * chain is sent leaf first). Undefined for an empty value; throws for anything else.
 */
export function certificateFromHeader(value: string): X509Certificate | undefined {
  let text = value.trim();
  if (text === '') return undefined;
  if (text.includes('%')) {
    try {
      text = decodeURIComponent(text);
    } catch {
      throw new Error('it is not valid URL encoding');
    }
  }
  let base64 = text;
  if (text.includes('-----BEGIN')) {
    const pem = /-----BEGIN CERTIFICATE-----([^-]*)-----END CERTIFICATE-----/.exec(text);
    if (!pem) throw new Error('it holds no PEM certificate');
    base64 = pem[1] as string;
  }
  base64 = base64.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) throw new Error('it is neither a PEM certificate nor base64 DER');
  try {
    return new X509Certificate(Buffer.from(base64, 'base64'));
  } catch {
    throw new Error('it is not an X.509 certificate');
  }
}

/**
 * `peerCertificateOf(req)` for this configuration: without `trustedProxy`, the TLS connection's
 * certificate (and a request carrying the default header is reported to `onIgnored`: nothing here
 * trusts it). Checks the options now: a bad one throws.
 */
/** How many peer addresses an ignored certificate header is reported for (once each). */
const MAX_REPORTED_PEERS = 100;

export function peerCertificateReader(
  trustedProxy: TrustedProxyOptions | undefined,
  onIgnored?: (ignored: IgnoredHeader) => void,
): PeerCertificateOf {
  const header = (trustedProxy?.certificateHeader ?? DEFAULT_CERTIFICATE_HEADER).toLowerCase();
  if (!TOKEN.test(header)) throw new Error(`trustedProxy.certificateHeader: "${header}" is not a header name`);
  // Said once per peer address, for at most MAX_REPORTED_PEERS of them: once per request would let
  // any client fill the log by sending the header.
  const reported = new Set<string>();
  const report = (req: IncomingMessage): void => {
    if (req.headers[header] === undefined || !onIgnored) return;
    const peer = req.socket.remoteAddress ?? 'unknown';
    if (reported.has(peer) || reported.size >= MAX_REPORTED_PEERS) return;
    reported.add(peer);
    onIgnored({ header, remoteAddress: req.socket.remoteAddress });
  };
  const seen = new WeakMap<IncomingMessage, PeerCertificate | BadRequestError | null>();
  const cached =
    (read: (req: IncomingMessage) => PeerCertificate | BadRequestError | null): PeerCertificateOf =>
    (req) => {
      let found = seen.get(req);
      if (found === undefined) {
        found = read(req);
        seen.set(req, found);
      }
      if (found instanceof BadRequestError) throw found;
      return found ?? undefined;
    };
  if (!trustedProxy) {
    return cached((req) => {
      report(req);
      return tlsPeer(req) ?? null;
    });
  }
  const certificates = trustedProxy.proxyCertificate;
  const pinned =
    certificates === undefined
      ? undefined
      : new Set((typeof certificates === 'string' ? [certificates] : certificates).map(fingerprintOf));
  const fromAddress = trustedProxy.addresses?.length ? addressList(trustedProxy.addresses) : undefined;
  if (!pinned?.size && !fromAddress)
    throw new Error('trustedProxy needs proxyCertificate or addresses: how else is the proxy known?');

  return cached((req) => {
    const own = tlsPeer(req);
    const isProxy =
      (!fromAddress || fromAddress(req.socket.remoteAddress)) &&
      (!pinned?.size || (own !== undefined && pinned.has(own.fingerprint256)));
    if (!isProxy) {
      report(req);
      return own ?? null;
    }
    const value = req.headers[header];
    if (value === undefined) return null;
    try {
      // Sent twice, Node joins the values with ", ", which is no certificate: a 400, never a choice of one.
      const cert = certificateFromHeader(Array.isArray(value) ? value.join(', ') : value);
      return cert ? { fingerprint256: cert.fingerprint256, raw: cert.raw, via: 'proxy' } : null;
    } catch (e) {
      return new BadRequestError(
        `The ${header} header from the trusted proxy holds no client certificate: ${(e as Error).message}`,
        { field: header },
      );
    }
  });
}
