/**
 * Mutual TLS as APS does it: the controller calls the endpoint with its client certificate, and the
 * endpoint accepts that one certificate only. Certificates are pinned by SHA-256 fingerprint, so a
 * self-signed controller certificate works without a CA.
 */
import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { NextFunction, Request, Response } from 'express';
import { ForbiddenError, UnauthorizedError } from '@apskit/core';
import { sendError } from '../protocol/send';

export interface ClientCertificateOptions {
  /** The controller's certificates, as PEM text or SHA-256 fingerprints (hex, colons optional). */
  pinned: string | readonly string[];
}

/** `AB:CD:…` in upper case, the form Node reports peer fingerprints in. */
export function fingerprintOf(pemOrFingerprint: string): string {
  const text = pemOrFingerprint.trim();
  if (text.includes('-----BEGIN CERTIFICATE-----')) return new X509Certificate(text).fingerprint256;
  const hex = text.replace(/:/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) throw new Error('A pinned certificate must be PEM text or a SHA-256 fingerprint');
  return hex.match(/../g)!.join(':');
}

/**
 * The SHA-256 fingerprint of the client certificate presented on this request's TLS connection, or
 * undefined (plain HTTP, or no certificate sent). The TLS server accepts any certificate
 * (`rejectUnauthorized: false`): the pin, compared here, decides.
 */
export function peerFingerprint(req: Request): string | undefined {
  const socket = req.socket as Partial<TLSSocket>;
  const cert = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : undefined;
  return cert?.fingerprint256 || undefined;
}

/**
 * `peerCertificateOf` says whose certificate a request carries (security/peer-certificate.ts: the
 * connection's, or the one a trusted proxy passes on); by default the connection's.
 */
export function requirePinnedClientCertificate(
  options: ClientCertificateOptions,
  peerCertificateOf: (req: Request) => { readonly fingerprint256: string } | undefined = (req) => {
    const fingerprint256 = peerFingerprint(req);
    return fingerprint256 === undefined ? undefined : { fingerprint256 };
  },
) {
  const pinned = new Set((typeof options.pinned === 'string' ? [options.pinned] : options.pinned).map(fingerprintOf));
  return (req: Request, res: Response, next: NextFunction): void => {
    let fingerprint: string | undefined;
    try {
      fingerprint = peerCertificateOf(req)?.fingerprint256;
    } catch (e) {
      // A trusted proxy's header that holds no certificate: the 400 the reader made.
      sendError(res, e, undefined);
      return;
    }
    if (!fingerprint) {
      sendError(res, new UnauthorizedError('A client certificate is required (mutual TLS)'), undefined);
      return;
    }
    if (!pinned.has(fingerprint)) {
      sendError(res, new ForbiddenError('This client certificate is not the controller’s'), undefined);
      return;
    }
    next();
  };
}
