/**
 * `apskit deploy` as a provider runs it: the built command in a child process, on free ports of
 * 127.0.0.1. The test reads the URLs the banner prints, provisions a provisionable through both (HTTPS
 * verified against the generated certificate), and stops the service with SIGTERM. Then the ways it
 * must refuse to start. Every wait is bounded.
 */
import { spawn, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { selfSignedCertificate } from '@apskit/cli';

const ROOT = resolve(__dirname, '../../..');
const BIN = join(ROOT, 'packages/cli/bin/apskit.js');
const PROVISIONABLE = 'http://aps-standard.org/samples/async-provisioning/provisionable/1.0';

jest.setTimeout(60_000);

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'apskit-deploy-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const env = (): NodeJS.ProcessEnv => ({ ...process.env, APSKIT_DATA_DIR: dataDir, APSKIT_LOG_LEVEL: 'silent' });

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

/** POST /provisionables/ as the controller provisions: the resource in the body, one connection. */
function provision(baseUrl: string, id: string, ca?: Buffer): Promise<Reply> {
  const url = new URL('provisionables/', baseUrl);
  const client = url.protocol === 'https:' ? https : http;
  const body = JSON.stringify({ aps: { id, type: PROVISIONABLE } });
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      {
        method: 'POST',
        agent: false,
        timeout: 10_000,
        ...(ca ? { ca } : {}),
        headers: { 'Content-Type': 'application/json', 'APS-Transaction-ID': `tx-${id}` },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url.href} within 10 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Waits, at most `ms`, until `find` returns a value or the process exits. */
async function waitFor<T>(find: () => T | undefined, exited: () => boolean, what: string, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (exited()) throw new Error(`the process exited before ${what}`);
    if (Date.now() > deadline) throw new Error(`no ${what} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function apskit(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: env(), timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function occupiedPort(): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

describe('apskit deploy', () => {
  it('serves the app over HTTP and HTTPS, prints both URLs, provisions through both, and stops on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'deploy', 'examples/async-provisioning', '--port', '0', '--https-port', '0'],
      { cwd: ROOT, env: env(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
      child.on('exit', (code, signal) => r({ code, signal })),
    );
    let exited = false;
    void exit.then(() => (exited = true));

    try {
      const banner = await waitFor(
        () => /Running in the foreground/.test(stdout) || undefined,
        () => exited,
        'success banner',
      ).catch((e: Error) => {
        throw new Error(`${e.message}\nstdout: ${stdout}\nstderr: ${stderr}`);
      });
      expect(banner).toBe(true);
      expect(stdout).toMatch(/^APSKit endpoint for async-provisioning 1\.0-0 configured SUCCESSFULLY\n/);
      const httpUrl = /http endpoint url:\s+(\S+)/.exec(stdout)?.[1] as string;
      const httpsUrl = /https endpoint url:\s+(\S+)/.exec(stdout)?.[1] as string;
      expect(httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(httpsUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
      expect(stdout).toContain('services:           globals, provisionables');

      // The generated certificate is kept under the data folder; the banner shows its fingerprint.
      const cert = readFileSync(join(dataDir, 'tls/endpoint.cert'));
      expect(stdout).toContain(`SHA-256:            ${new X509Certificate(cert).fingerprint256}`);
      expect(stdout).toContain('(self-signed, made now)');

      for (const [url, ca] of [
        [httpUrl, undefined],
        [httpsUrl, cert], // verified against the generated certificate, as a client that trusts it would
      ] as Array<[string, Buffer | undefined]>) {
        const id = `b7a1c0de-0000-4000-8000-00000000000${ca ? 2 : 1}`;
        const reply = await provision(url, id, ca);
        expect(reply.status).toBe(202);
        expect(reply.headers['aps-info']).toBe('Provisioning the resource');
        expect(reply.headers['aps-retry-timeout']).toBe('30');
        expect(reply.headers['aps-transaction-id']).toBe(`tx-${id}`);
        expect(reply.body).toEqual({ aps: { id, type: PROVISIONABLE } });
      }

      child.kill('SIGTERM');
      const result = await Promise.race([
        exit,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('no exit within 10 s of SIGTERM')), 10_000).unref(),
        ),
      ]);
      expect(result).toEqual({ code: 0, signal: null });
      expect(stdout).toMatch(/apskit: endpoint stopped\n$/);
      expect(stderr).toBe('');
    } finally {
      if (!exited) child.kill('SIGKILL');
    }
  });

  it.each([
    ['HTTP', '--port'],
    ['HTTPS', '--https-port'],
  ])('says which port is taken when the %s port is in use, and exits 1', async (scheme, flag) => {
    const taken = await occupiedPort();
    try {
      const { port } = taken.address() as AddressInfo;
      const ports = flag === '--port' ? [String(port), '0'] : ['0', String(port)];
      const r = apskit('deploy', 'examples/async-provisioning', '--port', ports[0]!, '--https-port', ports[1]!);
      // Exiting at all shows the HTTP server, started first, is closed when the HTTPS one cannot start.
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        `apskit: Cannot start the ${scheme} endpoint: port ${port} on 127.0.0.1 is already in use. ` +
          `Stop what uses it, or choose another port with ${flag}\n`,
      );
      expect(r.stdout).toBe('');
    } finally {
      await new Promise((r) => taken.close(r));
    }
  });

  it('says which certificate or key does not load, and exits 1', async () => {
    const pair = await selfSignedCertificate(join(dataDir, 'given'), ['127.0.0.1']);
    const other = await selfSignedCertificate(join(dataDir, 'other'), ['127.0.0.1']);
    const garbage = join(dataDir, 'garbage.pem');
    writeFileSync(garbage, 'not a certificate\n');
    const deploy = (cert: string, key: string): ReturnType<typeof apskit> =>
      apskit('deploy', 'examples/async-provisioning', '--port', '0', '--https-port', '0', '--cert', cert, '--key', key);

    let r = deploy(garbage, pair.keyFile);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`^apskit: The certificate ${garbage} does not load \\(is it a PEM certificate\\?\\): .+\\n$`),
    );

    r = deploy(pair.certFile, garbage);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`apskit: The key ${garbage} does not load (is it an unencrypted PEM private key?)`);

    r = deploy(pair.certFile, other.keyFile);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `apskit: The key ${other.keyFile} does not belong to the certificate ${pair.certFile}: give the pair's key\n`,
    );

    r = deploy(join(dataDir, 'nope.pem'), pair.keyFile);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`apskit: Cannot read the certificate file ${join(dataDir, 'nope.pem')}: no such file\n`);

    r = apskit('deploy', 'examples/async-provisioning', '--cert', pair.certFile);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('apskit: Give both --cert and --key, or neither for a self-signed certificate\n');
  });
});

describe('selfSignedCertificate', () => {
  it('is made once and reused, and made anew for a host it does not name', async () => {
    const first = await selfSignedCertificate(dataDir, ['127.0.0.1']);
    expect(first).toMatchObject({ generated: true, selfSigned: true, certFile: join(dataDir, 'tls/endpoint.cert') });
    const x509 = new X509Certificate(first.cert);
    expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x509.checkHost('localhost')).toBe('localhost');
    expect(readFileSync(first.keyFile, 'utf8')).toBe(first.key);

    const again = await selfSignedCertificate(dataDir, ['127.0.0.1', 'localhost']);
    expect(again).toMatchObject({ generated: false, selfSigned: true, fingerprint: first.fingerprint });

    const other = await selfSignedCertificate(dataDir, ['endpoint.example.test']);
    expect(other.generated).toBe(true);
    expect(other.fingerprint).not.toBe(first.fingerprint);
    expect(new X509Certificate(other.cert).checkHost('endpoint.example.test')).toBe('endpoint.example.test');
  });
});
