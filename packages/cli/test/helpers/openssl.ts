/**
 * Certificates for the tests' doubles of another party (a controller written from the APS docs), made
 * by openssl in a temporary folder: no APSKit code makes them. A CA and leaves it signs, or
 * self-signed leaves; EC P-256 keys, which openssl makes in milliseconds.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Pem {
  readonly cert: string;
  readonly key: string;
  readonly certFile: string;
  readonly keyFile: string;
}

function openssl(args: readonly string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function read(dir: string, name: string): Pem {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile, keyFile };
}

const KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/** A self-signed CA (basicConstraints CA:TRUE). */
export function makeCa(dir: string, name: string): Pem {
  openssl(
    [
      'req',
      '-x509',
      ...KEY,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      '-subj',
      `/CN=${name}`,
      '-days',
      '30',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  return read(dir, name);
}

export interface LeafOptions {
  /** Days of validity; a negative number makes a certificate that has already expired. Default 30. */
  readonly days?: number;
  /** The extensions, as openssl's `-extfile` lines. Default: a TLS client and server certificate for 127.0.0.1. */
  readonly extensions?: readonly string[];
}

const DEFAULT_EXTENSIONS = [
  'basicConstraints=CA:FALSE',
  'keyUsage=critical,digitalSignature',
  'extendedKeyUsage=clientAuth,serverAuth',
  'subjectAltName=IP:127.0.0.1,DNS:localhost',
];

/** A leaf signed by `ca`, or self-signed when `ca` is undefined. */
export function makeLeaf(dir: string, name: string, ca: Pem | undefined, options: LeafOptions = {}): Pem {
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, `${(options.extensions ?? DEFAULT_EXTENSIONS).join('\n')}\n`);
  openssl(['req', ...KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`], dir);
  const days = String(options.days ?? 30);
  const sign = ca ? ['-CA', ca.certFile, '-CAkey', ca.keyFile, '-CAcreateserial'] : ['-signkey', `${name}.key`];
  openssl(['x509', '-req', '-in', `${name}.csr`, ...sign, '-days', days, '-extfile', ext, '-out', `${name}.crt`], dir);
  return read(dir, name);
}
