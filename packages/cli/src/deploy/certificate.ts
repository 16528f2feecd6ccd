/**
 * The HTTPS endpoint's certificate: the one the user gives (--cert, --key), checked before any port
 * is opened, or a self-signed one that APSKit makes once and keeps under the data folder, so that the
 * fingerprint the platform was shown stays the same from one run to the next.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import { generate } from 'selfsigned';
import { CliError } from '../cli-error';

export interface TlsMaterial {
  readonly key: string;
  readonly cert: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** SHA-256, `AB:CD:…`, as Node reports peer certificates. */
  readonly fingerprint: string;
  readonly validTo: Date;
  /** Made by APSKit (now or on an earlier run), not given by the user. */
  readonly selfSigned: boolean;
  /** Made on this run. */
  readonly generated: boolean;
}

/** Loads a certificate and key the user gives, with a message that says which file is wrong and how. */
export function loadCertificateFiles(certFile: string, keyFile: string): TlsMaterial {
  const cert = readPem(certFile, 'certificate');
  const key = readPem(keyFile, 'key');
  const x509 = parseCertificate(cert, certFile);
  const privateKey = parseKey(key, keyFile);
  if (!x509.checkPrivateKey(privateKey))
    throw new CliError(`The key ${keyFile} does not belong to the certificate ${certFile}: give the pair's key`);
  try {
    // What the HTTPS server will do with them; catches what the checks above do not (a chain, say).
    createSecureContext({ cert, key });
  } catch (e) {
    throw new CliError(`The certificate ${certFile} and key ${keyFile} do not load: ${(e as Error).message}`);
  }
  return material(cert, key, certFile, keyFile, x509, false, false);
}

/**
 * The controller certificate `--controller-cert` pins: one PEM certificate, no key (a controller's key
 * never leaves it). Checked before any port is opened.
 */
export function loadControllerCertificate(file: string): { readonly file: string; readonly pem: string } {
  const pem = readPem(file, 'controller certificate');
  if (/PRIVATE KEY-----/.test(pem))
    throw new CliError(
      `The controller certificate ${file} holds a private key: give the controller's certificate only, never its key`,
    );
  const x509 = parseCertificate(pem, file);
  return { file, pem: x509.toString() };
}

/**
 * The self-signed certificate kept in `<dataDir>/tls/endpoint.{cert,key}`: reused while it loads, is
 * valid for at least another day and names every host; made anew otherwise.
 */
export async function selfSignedCertificate(dataDir: string, hosts: readonly string[]): Promise<TlsMaterial> {
  const dir = join(dataDir, 'tls');
  const certFile = join(dir, 'endpoint.cert');
  const keyFile = join(dir, 'endpoint.key');
  if (existsSync(certFile) && existsSync(keyFile)) {
    const kept = reusable(certFile, keyFile, hosts);
    if (kept) {
      makePrivate(dir, keyFile); // kept by an older APSKit, which left them readable by all
      return kept;
    }
  }

  const now = Date.now();
  const names = [...new Set(['localhost', '127.0.0.1', '::1', ...hosts])];
  const pems = await generate([{ name: 'commonName', value: hosts[0] ?? 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 60_000), // a minute's slack for a client whose clock is a little behind
    notAfterDate: new Date(now + 825 * 86_400_000), // the longest validity clients accept for a server certificate
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: names.map((n) => (isIP(n) ? { type: 7 as const, ip: n } : { type: 2 as const, value: n })),
      },
    ],
  });
  makePrivate(dir, keyFile);
  writeFileSync(keyFile, pems.private, { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  writeFileSync(certFile, pems.cert);
  return material(pems.cert, pems.private, certFile, keyFile, new X509Certificate(pems.cert), true, true);
}

/**
 * The key is for the owner only (0600), in a folder only the owner enters (0700) (issue 15 #8). The
 * folder is APSKit's own, so an existing one (made 0755 by an older APSKit) is tightened too; `mode`
 * applies to every folder mkdir creates, the data folder included, and the chmod makes it exact under
 * any umask. An existing key file keeps its mode on write, so it is made private before a new key is
 * written into it.
 */
function makePrivate(dir: string, keyFile: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  if (existsSync(keyFile)) chmodSync(keyFile, 0o600);
}

function reusable(certFile: string, keyFile: string, hosts: readonly string[]): TlsMaterial | undefined {
  try {
    const loaded = loadCertificateFiles(certFile, keyFile);
    const x509 = new X509Certificate(loaded.cert);
    const fresh = loaded.validTo.getTime() > Date.now() + 86_400_000;
    const covers = hosts.every((h) => (isIP(h) ? x509.checkIP(h) : x509.checkHost(h)) !== undefined);
    return fresh && covers ? { ...loaded, selfSigned: true } : undefined;
  } catch {
    return undefined; // APSKit's own files, unreadable: made anew
  }
}

function readPem(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new CliError(`Cannot read the ${what} file ${file}: ${why}`);
  }
}

function parseCertificate(pem: string, file: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (e) {
    throw new CliError(`The certificate ${file} does not load (is it a PEM certificate?): ${(e as Error).message}`);
  }
}

function parseKey(pem: string, file: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch (e) {
    throw new CliError(
      `The key ${file} does not load (is it an unencrypted PEM private key?): ${(e as Error).message}`,
    );
  }
}

function material(
  cert: string,
  key: string,
  certFile: string,
  keyFile: string,
  x509: X509Certificate,
  selfSigned: boolean,
  generated: boolean,
): TlsMaterial {
  return {
    cert,
    key,
    certFile,
    keyFile,
    fingerprint: x509.fingerprint256,
    validTo: new Date(x509.validTo),
    selfSigned,
    generated,
  };
}
