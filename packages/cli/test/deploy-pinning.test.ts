/**
 * Issue 18: `apskit deploy` pinned by default. The built command runs in a child process; doubles of
 * APS controllers (node:https and openssl certificates, no APSKit code: helpers/controller-double.ts)
 * install application instances on it over HTTPS as the platform does
 * (docs.cloudblue.com/cbc/sdk/21.0/api/rest/application/deployment). The first installation pins its
 * controller; another controller's installation is refused with 403 and stores nothing; the pinned
 * one's later requests are served. With `--controller-cert`, only that controller is served.
 */
import { spawn, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startControllerDouble, type ControllerDouble } from './helpers/controller-double';
import { makeLeaf } from '@apskit/test-support/openssl';

const ROOT = resolve(__dirname, '../../..');
const BIN = join(ROOT, 'packages/cli/bin/apskit.js');
const GLOBALS = 'http://aps-standard.org/samples/async-provisioning/globals/1.0';
const PROVISIONABLE = 'http://aps-standard.org/samples/async-provisioning/provisionable/1.0';

jest.setTimeout(90_000);

let dir: string;
let dataDir: string;
const doubles: ControllerDouble[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'apskit-deploy-pin-'));
  dataDir = join(dir, 'data');
  mkdirSync(join(dir, 'certs'));
});
afterEach(async () => {
  await Promise.all(doubles.splice(0).map((d) => d.close()));
  rmSync(dir, { recursive: true, force: true });
});

let extraEnv: NodeJS.ProcessEnv = {};
beforeEach(() => (extraEnv = {}));
const env = (): NodeJS.ProcessEnv => ({
  ...process.env,
  APSKIT_DATA_DIR: dataDir,
  APSKIT_LOG_LEVEL: 'silent',
  ...extraEnv,
});

interface Deploy {
  readonly httpUrl: string;
  readonly httpsUrl: string;
  readonly endpointCert: string;
  stdout(): string;
  stderr(): string;
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `apskit deploy` in a child process; resolves once its banner is out. */
async function deploy(...extra: string[]): Promise<Deploy> {
  const child = spawn(
    process.execPath,
    [BIN, 'deploy', 'examples/async-provisioning', '--port', '0', '--https-port', '0', ...extra],
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
  const deadline = Date.now() + 30_000;
  while (!/Running in the foreground/.test(stdout)) {
    if (exited || Date.now() > deadline) {
      if (!exited) child.kill('SIGKILL');
      throw new Error(`no banner\nstdout: ${stdout}\nstderr: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const stop = async (): Promise<{ code: number | null; signal: NodeJS.Signals | null }> => {
    if (!exited) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    try {
      return await exit;
    } finally {
      clearTimeout(timer);
    }
  };
  running.push(stop);
  return {
    httpUrl: /http endpoint url:\s+(\S+)/.exec(stdout)?.[1] as string,
    httpsUrl: /https endpoint url:\s+(\S+)/.exec(stdout)?.[1] as string,
    endpointCert: readFileSync(join(dataDir, 'tls/endpoint.cert'), 'utf8'),
    stdout: () => stdout,
    stderr: () => stderr,
    stop,
  };
}
const running: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((stop) => stop()));
});

async function controllerDouble(name: string, endpointCert: string): Promise<ControllerDouble> {
  const d = await startControllerDouble(join(dir, 'certs'), name, endpointCert);
  doubles.push(d);
  return d;
}

/** The instance folders the credential store holds. */
function installed(): string[] {
  const root = join(dataDir, 'credentials');
  return existsSync(root) ? readdirSync(root).sort() : [];
}

/** A request without any client certificate, over HTTPS (trusting the endpoint's certificate) or HTTP. */
function anonymous(url: string, path: string, ca?: string): Promise<{ status: number; body: unknown }> {
  const target = new URL(path, url);
  return new Promise((resolve, reject) => {
    const req = (target.protocol === 'https:' ? https : http).request(
      target,
      {
        method: 'POST',
        agent: false,
        ...(ca ? { ca } : {}),
        headers: { 'Content-Type': 'application/json', 'APS-Instance-ID': 'b7a1c0de-0000-4000-8000-0000000000aa' },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ aps: { id: 'x', type: PROVISIONABLE } }));
  });
}

const fingerprint = (pem: string): string => new X509Certificate(pem).fingerprint256;

describe('issue 18: apskit deploy pinned by default', () => {
  it('accepts the first installation over HTTPS, refuses a second controller (403, nothing stored), serves the pinned one, and keeps the pin across a restart', async () => {
    let d = await deploy();
    expect(d.stdout()).toContain('pinned controller:  none yet: awaiting an installation over HTTPS.');
    expect(d.stdout()).toContain('Give the platform the https URL');
    const a = await controllerDouble('first', d.endpointCert);
    const b = await controllerDouble('second', d.endpointCert);

    // Before any installation nothing is served, over HTTPS or HTTP.
    expect((await anonymous(d.httpsUrl, 'provisionables/', d.endpointCert)).status).toBe(401);
    expect((await anonymous(d.httpUrl, 'provisionables/')).status).toBe(401);

    const instanceA = 'a0000000-0000-4000-8000-000000000001';
    const install = await a.install(d.httpsUrl, 'globals', GLOBALS, instanceA);
    expect(install.status).toBe(200);
    expect(install.body.aps.type).toBe(GLOBALS);
    expect(install.body.aps.x509).toBeUndefined();
    expect(install.text).not.toContain('PRIVATE KEY');
    expect(d.stdout()).toContain(
      `apskit: application instance ${instanceA} installed by controller ${fingerprint(a.controller.cert)} (${a.url}): pinned`,
    );
    expect(installed()).toEqual([instanceA]);
    expect(statSync(join(dataDir, 'credentials', instanceA, 'instance.key')).mode & 0o777).toBe(0o600);

    // A second controller: its own instance, and a take-over of the first one, both refused.
    const instanceB = 'b0000000-0000-4000-8000-000000000002';
    const refused = await b.install(d.httpsUrl, 'globals', GLOBALS, instanceB);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 403, error: expect.any(String), message: expect.any(String) });
    expect((await b.install(d.httpsUrl, 'globals', GLOBALS, instanceA)).status).toBe(403);
    expect(installed()).toEqual([instanceA]);
    expect(d.stdout()).toContain(
      `apskit: refused an installation of ${instanceB} by controller ${fingerprint(b.controller.cert)}`,
    );
    // The pinned one's certificate for the instance it installed is unchanged.
    expect(readFileSync(join(dataDir, 'credentials', instanceA, 'controller.crt'), 'utf8')).toContain(
      a.controller.cert.trim().split('\n')[1],
    );

    // The pinned controller's requests are served; the same request from the other one, or without a
    // certificate, is not.
    const provision = { aps: { id: 'c0000000-0000-4000-8000-000000000003', type: PROVISIONABLE } };
    expect((await a.call(d.httpsUrl, 'POST', 'provisionables/', instanceA, provision)).status).toBe(202);
    expect((await b.call(d.httpsUrl, 'POST', 'provisionables/', instanceA, provision)).status).toBe(403);
    expect((await anonymous(d.httpsUrl, 'provisionables/', d.endpointCert)).status).toBe(401);
    // A retrieve loads the resource from the controller the installation named, with the instance certificate.
    const retrieved = await a.call(d.httpsUrl, 'GET', `provisionables/${provision.aps.id}`, instanceA);
    expect(retrieved.status).toBe(200);
    expect(retrieved.body).toMatchObject({ loadedFrom: 'first' });
    expect(a.seen).toEqual([
      { path: `/aps/2/resources/${provision.aps.id}`, fingerprint: fingerprint(a.instances.get(instanceA)!.cert) },
    ]);
    expect(b.seen).toEqual([]);

    // The pinned controller may install another instance.
    const instanceA2 = 'a0000000-0000-4000-8000-000000000004';
    expect((await a.install(d.httpsUrl, 'globals', GLOBALS, instanceA2)).status).toBe(200);
    expect(installed()).toEqual([instanceA, instanceA2]);

    expect(await d.stop()).toEqual({ code: 0, signal: null });
    expect(d.stdout()).not.toContain('PRIVATE KEY');
    expect(d.stderr()).toBe('');

    // Restarted on the same data: still pinned, not awaiting a "first" installation.
    d = await deploy();
    expect(d.stdout()).toContain(`pinned controller:  ${fingerprint(a.controller.cert)} (installed 2 instances)`);
    expect((await b.install(d.httpsUrl, 'globals', GLOBALS, instanceB)).status).toBe(403);
    expect((await a.call(d.httpsUrl, 'POST', 'provisionables/', instanceA2, provision)).status).toBe(202);
    expect(installed()).toEqual([instanceA, instanceA2]);
  });

  it('with --controller-cert, serves only that controller: another one cannot install first', async () => {
    // The endpoint's certificate is made by the first run; the double needs it, so it is made first.
    const certs = join(dir, 'certs');
    let d = await deploy('--no-pin');
    const endpointCert = d.endpointCert;
    await d.stop();
    const given = await controllerDouble('given', endpointCert);
    const other = await controllerDouble('other', endpointCert);
    const file = join(certs, 'pinned-controller.pem');
    writeFileSync(file, given.controller.cert);

    d = await deploy('--controller-cert', file);
    expect(d.stdout()).toContain(`pinned controller:  ${fingerprint(given.controller.cert)} (--controller-cert `);

    const instance = 'd0000000-0000-4000-8000-000000000005';
    expect((await other.install(d.httpsUrl, 'globals', GLOBALS, instance)).status).toBe(403);
    expect(installed()).toEqual([]);
    expect((await given.install(d.httpsUrl, 'globals', GLOBALS, instance)).status).toBe(200);
    expect(installed()).toEqual([instance]);
    const provision = { aps: { id: 'e0000000-0000-4000-8000-000000000006', type: PROVISIONABLE } };
    expect((await given.call(d.httpsUrl, 'POST', 'provisionables/', instance, provision)).status).toBe(202);
    expect((await other.call(d.httpsUrl, 'POST', 'provisionables/', instance, provision)).status).toBe(403);
    expect((await anonymous(d.httpsUrl, 'provisionables/', endpointCert)).status).toBe(401);
  });

  it('behind a trusted proxy (APSKIT_TRUSTED_PROXY_ADDRESSES), pins the controller certificate the proxy passes on', async () => {
    // The proxy is this machine (127.0.0.1), trusted by address, speaking plain HTTP to the endpoint
    // as a proxy on the same host may: the controller's certificate comes in X-SSL-Client-Cert, as
    // nginx's $ssl_client_escaped_cert writes it (URL-encoded PEM).
    extraEnv = { APSKIT_TRUSTED_PROXY_ADDRESSES: '127.0.0.1' };
    const d = await deploy();
    const a = await controllerDouble('proxied-first', d.endpointCert);
    const b = await controllerDouble('proxied-second', d.endpointCert);
    const certs = join(dir, 'certs');
    const throughProxy = (controllerCert: string, instanceId: string, body: unknown): Promise<number> =>
      new Promise((resolve, reject) => {
        const req = http.request(
          new URL('globals/', d.httpUrl),
          {
            method: 'POST',
            agent: false,
            headers: {
              'Content-Type': 'application/json',
              'APS-Instance-ID': instanceId,
              'APS-Controller-URI': a.url,
              'X-SSL-Client-Cert': encodeURIComponent(controllerCert),
            },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify(body));
      });
    const install = (controller: ControllerDouble, instanceId: string, n: number): Promise<number> => {
      const instance = makeLeaf(certs, `proxied-instance-${n}`, controller.ca);
      return throughProxy(controller.controller.cert, instanceId, {
        aps: {
          type: GLOBALS,
          x509: { self: `${instance.cert}${instance.key}`, controller: controller.controller.cert },
        },
      });
    };
    const first = 'f0000000-0000-4000-8000-000000000007';
    expect(await install(a, first, 1)).toBe(200);
    expect(installed()).toEqual([first]);
    expect(d.stdout()).toContain(`installed by controller ${fingerprint(a.controller.cert)}`);
    expect(await install(b, 'f0000000-0000-4000-8000-000000000008', 2)).toBe(403);
    expect(installed()).toEqual([first]);
  });

  it('says what is wrong with --controller-cert, and exits 1', () => {
    const run = (...args: string[]): { code: number | null; stderr: string } => {
      const r = spawnSync(process.execPath, [BIN, 'deploy', 'examples/async-provisioning', ...args], {
        cwd: ROOT,
        encoding: 'utf8',
        env: env(),
        timeout: 30_000,
      });
      return { code: r.status, stderr: r.stderr };
    };
    const garbage = join(dir, 'garbage.pem');
    writeFileSync(garbage, 'not a certificate\n');
    let r = run('--controller-cert', garbage);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^apskit: The certificate .*garbage\.pem does not load \(is it a PEM certificate\?\)/);

    r = run('--controller-cert', join(dir, 'nope.pem'));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `apskit: Cannot read the controller certificate file ${join(dir, 'nope.pem')}: no such file\n`,
    );

    const withKey = join(dir, 'with-key.pem');
    const selfSigned = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-subj',
        '/CN=c',
        '-keyout',
        '-',
        '-days',
        '1',
      ],
      { encoding: 'utf8' },
    ).stdout;
    writeFileSync(withKey, selfSigned);
    r = run('--controller-cert', withKey);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('holds a private key: give the controller');

    r = run('--controller-cert', garbage, '--no-pin');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'apskit: --controller-cert pins a controller and --no-pin serves every caller: give one of them\n',
    );
  });
});
