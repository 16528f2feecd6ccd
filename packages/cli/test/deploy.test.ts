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
import { selfSignedCertificate, startDeployment } from '@apskit/cli';

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
  // With --no-pin, as before issue 18: every caller is served (deploy-pinning.test.ts has the default).
  it('with --no-pin, serves the app over HTTP and HTTPS, prints both URLs, provisions through both, and stops on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'deploy', 'examples/async-provisioning', '--port', '0', '--https-port', '0', '--no-pin'],
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

describe('issue 15 #2: apskit deploy --controller-uri', () => {
  const io = (): { out: (s: string) => void; err: (s: string) => void; text: () => string } => {
    let text = '';
    return { out: (s) => void (text += s), err: (s) => void (text += s), text: () => text };
  };
  let savedEnv: { dataDir?: string; controller?: string };
  beforeEach(() => {
    savedEnv = { dataDir: process.env.APSKIT_DATA_DIR, controller: process.env.APSKIT_CONTROLLER_URI };
    process.env.APSKIT_DATA_DIR = dataDir;
    delete process.env.APSKIT_CONTROLLER_URI;
  });
  afterEach(() => {
    for (const [name, value] of [
      ['APSKIT_DATA_DIR', savedEnv.dataDir],
      ['APSKIT_CONTROLLER_URI', savedEnv.controller],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  /** A controller that answers every resource read, and records the paths it was asked. */
  async function fakeController(): Promise<{ url: string; paths: string[]; close(): Promise<void> }> {
    const paths: string[] = [];
    const server = http.createServer((req, res) => {
      paths.push(req.url ?? '');
      const id = decodeURIComponent((req.url ?? '').split('/').pop() ?? '');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ aps: { id, type: PROVISIONABLE, status: 'aps:ready' } }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      paths,
      close: () => new Promise<void>((r) => server.close(() => r())),
    };
  }

  /** GET over plain HTTP with a forged APS-Controller-URI. */
  function retrieve(baseUrl: string, id: string, forged: string): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        new URL(`provisionables/${id}`, baseUrl),
        { agent: false, headers: { 'APS-Controller-URI': forged } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) }));
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  it('issue 15 #2: calls the configured controller (option or APSKIT_CONTROLLER_URI), never the one a request names', async () => {
    const controller = await fakeController();
    const internal = await occupiedPort();
    let connections = 0;
    internal.on('connection', (s) => {
      connections++;
      s.destroy();
    });
    const forged = `http://127.0.0.1:${(internal.address() as AddressInfo).port}/`;
    try {
      for (const how of ['option', 'env'] as const) {
        const output = io();
        if (how === 'env') process.env.APSKIT_CONTROLLER_URI = controller.url;
        const deployment = await startDeployment(
          'examples/async-provisioning',
          { port: '0', httpsPort: '0', pin: false, ...(how === 'option' ? { controllerUri: controller.url } : {}) },
          output,
        );
        try {
          expect(output.text()).toContain(`controller:         ${controller.url}\n`);
          const reply = await retrieve(
            deployment.httpUrl,
            `b7a1c0de-0000-4000-8000-0000000000${how === 'env' ? 'e1' : 'o1'}`,
            forged,
          );
          expect(reply.status).toBe(200);
          expect(reply.body).toMatchObject({ aps: { status: 'aps:ready' } });
        } finally {
          await deployment.close();
        }
      }
      expect(controller.paths).toEqual([
        '/aps/2/resources/b7a1c0de-0000-4000-8000-0000000000o1',
        '/aps/2/resources/b7a1c0de-0000-4000-8000-0000000000e1',
      ]);
      expect(connections).toBe(0);
    } finally {
      await controller.close();
      await new Promise((r) => internal.close(r));
    }
  });

  it('issue 15 #2: without one, a forged header is not fetched, and the banner says how to configure it', async () => {
    const internal = await occupiedPort();
    let connections = 0;
    internal.on('connection', (s) => {
      connections++;
      s.destroy();
    });
    const output = io();
    const deployment = await startDeployment(
      'examples/async-provisioning',
      { port: '0', httpsPort: '0', pin: false },
      output,
    );
    try {
      expect(output.text()).toContain(
        'controller:         none (set --controller-uri or APSKIT_CONTROLLER_URI to load resources from it)\n',
      );
      const forged = `http://127.0.0.1:${(internal.address() as AddressInfo).port}/`;
      const reply = await retrieve(deployment.httpUrl, 'r1', forged);
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ aps: { id: 'r1', type: PROVISIONABLE } });
      expect(connections).toBe(0);
    } finally {
      await deployment.close();
      await new Promise((r) => internal.close(r));
    }
  });

  it('issue 15 #2: refuses a controller URI that is not http(s), naming the setting', async () => {
    await expect(
      startDeployment('examples/async-provisioning', { port: '0', httpsPort: '0', controllerUri: 'file:///etc' }, io()),
    ).rejects.toThrow(
      '--controller-uri must be an http:// or https:// URL (the controller\'s API root), not "file:///etc"',
    );
    process.env.APSKIT_CONTROLLER_URI = 'controller:6308';
    await expect(startDeployment('examples/async-provisioning', { port: '0', httpsPort: '0' }, io())).rejects.toThrow(
      'APSKIT_CONTROLLER_URI must be an http:// or https:// URL (the controller\'s API root), not "controller:6308"',
    );
  });
});
