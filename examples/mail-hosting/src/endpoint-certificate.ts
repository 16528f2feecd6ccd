/**
 * The endpoint's HTTPS server certificate. The controller installs the application instance on the
 * endpoint only over HTTPS (the installation carries the instance's key), and the app calls the
 * controller back presenting that instance certificate: so this example serves its endpoint over
 * HTTPS, with a self-signed certificate for 127.0.0.1 and localhost that openssl makes on the first
 * run and that is kept in `dir` (the controller trusts exactly it: `endpoint: { url, ca }`). In
 * production, use your own certificate.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ServerCertificate {
  readonly cert: string;
  readonly key: string;
}

export function endpointCertificate(dir: string): ServerCertificate {
  const certFile = join(dir, 'endpoint.crt');
  const keyFile = join(dir, 'endpoint.key');
  if (!existsSync(certFile) || !existsSync(keyFile)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(
      join(dir, 'endpoint.ext'),
      [
        'basicConstraints=CA:FALSE',
        'keyUsage=critical,digitalSignature',
        'extendedKeyUsage=serverAuth',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '',
      ].join('\n'),
    );
    const openssl = (args: string[]): void => {
      execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    };
    const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'endpoint.key'];
    openssl(['req', ...key, '-out', 'endpoint.csr', '-subj', '/CN=mail-hosting endpoint']);
    openssl([
      'x509',
      '-req',
      '-in',
      'endpoint.csr',
      '-signkey',
      'endpoint.key',
      '-days',
      '397',
      '-extfile',
      'endpoint.ext',
      '-out',
      'endpoint.crt',
    ]);
  }
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}
