/**
 * The controller API behind a TLS-terminating proxy (`trustedProxy`, issue 18), over real HTTPS on
 * 127.0.0.1: the application calls through a proxy double (@apskit/test-support's tlsProxyDouble,
 * written from nginx's docs) presenting its instance certificate, which the proxy passes on in
 * X-SSL-Client-Cert; the controller believes that header only from the proxy it was told to trust.
 * docs.cloudblue.com/cbc/sdk/21.0/api/rest/protocol/session ("SSL Authentication of Application
 * Instances") says the instance certificate is the app; it is silent on proxies.
 */
import https from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startController, type RunningController } from '@apskit/controller';
import { tlsProxyDouble, type TlsProxy, type TlsProxyOptions } from '@apskit/test-support';
import { services } from './fixtures/jobs';
import { makeLeaf, type Pem } from '@apskit/test-support/openssl';

const ADMIN = 'admin-token-for-proxy-tests-0123456789';
const admin = { Authorization: `Bearer ${ADMIN}` };

interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test bodies are read loosely
  body: any;
}

let dir: string;
let running: RunningController;
let instance: { cert: string; key: string };
let proxyServer: Pem;
let proxyClient: Pem;
let foreign: Pem;
const closing: Array<{ close(): Promise<void> }> = [];

/** node:https, so that the client certificate is exactly the one given (or none). */
function call(
  base: string,
  path: string,
  options: { cert?: { cert: string; key: string }; ca: string; headers?: Record<string, string> },
): Promise<Answer> {
  const url = new URL(base + path);
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        ca: options.ca,
        cert: options.cert?.cert,
        key: options.cert?.key,
        agent: false,
        headers: options.headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: text === '' ? undefined : JSON.parse(text) });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function proxy(upstream: RunningController, options: Partial<TlsProxyOptions> = {}): Promise<TlsProxy> {
  const p = await tlsProxyDouble({
    server: proxyServer,
    upstream: upstream.url,
    upstreamCa: upstream.caCertificate,
    clientCertificate: proxyClient,
    ...options,
  });
  closing.push(p);
  return p;
}

/** GET /apskit/instance through `front` (whose server certificate is proxyServer's). */
const whoAmI = (front: TlsProxy, cert?: { cert: string; key: string }, headers?: Record<string, string>) =>
  call(front.url, '/apskit/instance', { cert, ca: proxyServer.cert, headers });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'apskit-proxy-'));
  proxyServer = makeLeaf(dir, 'proxy-server', undefined);
  proxyClient = makeLeaf(dir, 'proxy-client', undefined);
  foreign = makeLeaf(dir, 'foreign', undefined);
  running = await startController({
    app: { name: 'jobs-app', services },
    dataDir: join(dir, 'data'),
    port: 0,
    tls: true,
    tokens: [{ token: ADMIN, role: 'admin', subject: 'ops' }],
    trustedProxy: { proxyCertificate: proxyClient.cert },
  });
  const self = running.controller.trust.installCredentials()?.self as string;
  const at = self.indexOf('-----BEGIN PRIVATE KEY-----');
  instance = { cert: self.slice(0, at), key: self.slice(at) };
});

afterAll(async () => {
  await Promise.all(closing.map((c) => c.close()));
  await running?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a proxy trusted by its certificate', () => {
  it('passes on the instance certificate: the caller is the app, without any token', async () => {
    const front = await proxy(running);
    const r = await whoAmI(front, instance);
    expect(r.status).toBe(200);
    expect(r.body.caller).toEqual({ kind: 'app', instanceId: running.controller.instance.id });
  });

  it('is no one itself: without a client certificate 401, a token decides, a foreign certificate proves nothing', async () => {
    const front = await proxy(running);
    expect((await whoAmI(front)).status).toBe(401);
    expect((await whoAmI(front, foreign)).status).toBe(401);
    const withToken = await whoAmI(front, undefined, admin);
    expect(withToken.status).toBe(200);
    expect(withToken.body.caller).toEqual({ kind: 'admin', subject: 'ops' });
  });

  it('answers 400 naming the header to a malformed one from the proxy, never 500', async () => {
    const broken = await proxy(running, { encoding: { fixed: '%%not-a-certificate' } });
    const r = await whoAmI(broken, instance);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 400, details: { field: 'x-ssl-client-cert' } });
  });
});

describe('the header from anyone else', () => {
  const header = () => ({ 'X-SSL-Client-Cert': encodeURIComponent(instance.cert) });

  it('is ignored when sent straight to the controller (401)', async () => {
    const none = await call(running.url, '/apskit/instance', { ca: running.caCertificate, headers: header() });
    expect(none.status).toBe(401);
    const withOwn = await call(running.url, '/apskit/instance', {
      cert: foreign,
      ca: running.caCertificate,
      headers: header(),
    });
    expect(withOwn.status).toBe(401);
  });

  it('is ignored from a proxy that is not the trusted one (401)', async () => {
    const other = await proxy(running, { clientCertificate: foreign });
    expect((await whoAmI(other, instance)).status).toBe(401);
  });
});

describe('a proxy trusted by its address, plain HTTP behind it', () => {
  it('passes on the instance certificate to a controller served over HTTP', async () => {
    const folder = mkdtempSync(join(dir, 'by-address-'));
    const own = await startController({
      app: { name: 'jobs-app', services },
      dataDir: folder,
      port: 0,
      tokens: [{ token: ADMIN, role: 'admin' }],
      trustedProxy: { addresses: ['127.0.0.1'] },
    });
    closing.push(own);
    const self = own.controller.trust.installCredentials()?.self as string;
    const at = self.indexOf('-----BEGIN PRIVATE KEY-----');
    const front = await tlsProxyDouble({ server: proxyServer, upstream: own.url });
    closing.push(front);
    const r = await whoAmI(front, { cert: self.slice(0, at), key: self.slice(at) });
    expect(r.status).toBe(200);
    expect(r.body.caller).toEqual({ kind: 'app', instanceId: own.controller.instance.id });
    // Another instance's certificate (this suite's controller issued it) is not this app.
    expect((await whoAmI(front, instance)).status).toBe(401);
  });
});

describe('configuration', () => {
  it('refuses to run open behind a proxy: tokens are required', async () => {
    await expect(
      startController({
        app: { name: 'jobs-app', services },
        dataDir: mkdtempSync(join(dir, 'open-')),
        port: 0,
        trustedProxy: { addresses: ['127.0.0.1'] },
      }),
    ).rejects.toThrow(/behind a trusted proxy.*tokens/);
  });

  it('refuses a proxy certificate without tls: it could never be presented', async () => {
    await expect(
      startController({
        app: { name: 'jobs-app', services },
        dataDir: mkdtempSync(join(dir, 'plain-')),
        port: 0,
        tokens: [{ token: ADMIN, role: 'admin' }],
        trustedProxy: { proxyCertificate: proxyClient.cert },
      }),
    ).rejects.toThrow(/proxyCertificate needs tls/);
  });
});
