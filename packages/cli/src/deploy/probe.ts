/**
 * Checks that a freshly started endpoint answers as an APS endpoint: a GET on a service's collection
 * path (which has no GET operation) must come back as a JSON APS error, the way the platform would
 * see it, over the real socket. Over HTTPS the answer must come from the certificate being served.
 */
import http from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { ApsHeader } from '@apskit/core';

export interface ProbeOptions {
  /** For HTTPS: the SHA-256 fingerprint the server must present. */
  readonly fingerprint?: string;
  readonly timeoutMs?: number;
}

/** Resolves when `url` answers with an APS JSON body; rejects with the reason otherwise. */
export function probe(url: string, options: ProbeOptions = {}): Promise<void> {
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  return new Promise<void>((resolve, reject) => {
    const req = client.get(
      target,
      {
        // The certificate may be self-signed or name a public host while we call the loopback address:
        // the fingerprint, not a CA, says it is ours.
        ...(target.protocol === 'https:' ? { rejectUnauthorized: false } : {}),
        agent: false, // one request, one connection: nothing left open for the server's close to wait on
        headers: { Accept: 'application/json', [ApsHeader.transactionId]: 'apskit-deploy-check' },
        timeout: options.timeoutMs ?? 5000,
      },
      (res) => {
        if (options.fingerprint !== undefined) {
          const presented = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
          if (presented !== options.fingerprint) {
            res.destroy();
            reject(new Error(`it presented another certificate (${presented})`));
            return;
          }
        }
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('error', reject);
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 500) return reject(new Error(`it answered HTTP ${status}`));
          try {
            const json: unknown = JSON.parse(body);
            if (typeof json === 'object' && json !== null) return resolve();
          } catch {
            // falls through to the rejection below
          }
          reject(new Error(`it answered HTTP ${status} without an APS JSON body`));
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs ?? 5000} ms`)));
    req.on('error', reject);
  });
}
