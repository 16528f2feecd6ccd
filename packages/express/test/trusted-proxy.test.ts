/**
 * Behind a TLS-terminating proxy (`trustedProxy`), over real HTTPS on 127.0.0.1: a controller double
 * (fixtures/aps-controller-double.ts, written from docs.cloudblue.com/cbc/sdk/21.0/api/rest/
 * application/deployment and .../api/rest/protocol/session) installs and calls through a proxy
 * double (@apskit/test-support's tlsProxyDouble, written from nginx's docs), which passes the
 * controller's certificate on in X-SSL-Client-Cert. The APS spec says nothing of proxies: the header
 * is believed only from the proxy trusted explicitly (its certificate, or its address), and ignored
 * from anyone else.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createEndpoint, type EndpointOptions, type RunningEndpoint } from '@apskit/express';
import { tlsProxyDouble, type TlsProxy, type TlsProxyOptions } from '@apskit/test-support';
import { controllerDouble, selfSigned, type ControllerDouble, type Pem } from './fixtures/aps-controller-double';
import { TrustGlobals, TrustItem } from './fixtures/trust-app';

let dir: string;
let endpointTls: Pem;
let proxyServer: Pem;
let proxyClient: Pem;
let intruder: Pem;
let a: ControllerDouble;
const logLines: string[] = [];
const closing: Array<{ close(): Promise<void> }> = [];

async function serve(options: Partial<EndpointOptions>, tls = true): Promise<RunningEndpoint> {
  const endpoint = createEndpoint({
    services: { globals: TrustGlobals, items: TrustItem },
    logger: pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) }),
    credentialsDir: mkdtempSync(join(dir, 'credentials-')),
    ...options,
  });
  const r = await endpoint.listen(tls ? { tls: endpointTls } : {});
  closing.push(r);
  return r;
}

async function proxy(upstream: string, options: Partial<TlsProxyOptions> = {}): Promise<TlsProxy> {
  const p = await tlsProxyDouble({
    server: proxyServer,
    upstream,
    upstreamCa: endpointTls.cert,
    clientCertificate: proxyClient,
    ...options,
  });
  closing.push(p);
  return p;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'apskit-proxy-'));
  endpointTls = selfSigned(dir, 'endpoint');
  proxyServer = selfSigned(dir, 'proxy-server');
  proxyClient = selfSigned(dir, 'proxy-client');
  intruder = selfSigned(dir, 'intruder');
  // The controller double talks to the proxy: it trusts the proxy's server certificate.
  a = controllerDouble(dir, 'ctl-a', proxyServer.cert);
  await a.listen();
});

afterAll(async () => {
  await Promise.all([...closing.map((c) => c.close()), a.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const retrieve = (url: string, instanceId: string, client: Pem | null, extra: Record<string, string> = {}) =>
  a.call(url, 'GET', '/items/i1', { client, headers: { 'APS-Instance-ID': instanceId, ...extra } });

describe('a proxy trusted by its certificate (mutual TLS to the endpoint)', () => {
  let endpoint: RunningEndpoint;
  let front: TlsProxy;
  let credentials: string;
  let instanceId: string;

  beforeAll(async () => {
    credentials = mkdtempSync(join(dir, 'by-cert-'));
    endpoint = await serve({ credentialsDir: credentials, trustedProxy: { proxyCertificate: proxyClient.cert } });
    front = await proxy(endpoint.url);
  });

  it('installs through the proxy: the controller certificate in the header is the one aps.x509.controller names', async () => {
    const reply = await a.install(front.url, 'globals');
    expect(reply.status).toBe(200);
    expect(reply.text).not.toContain('PRIVATE KEY');
    instanceId = reply.instanceId;
    expect(readdirSync(credentials)).toContain(instanceId);
  });

  it('serves the pinned instance through the proxy: its controller 200, none 401, another 403', async () => {
    expect((await retrieve(front.url, instanceId, a.controller)).status).toBe(200);
    const none = await retrieve(front.url, instanceId, null);
    expect(none.status).toBe(401);
    expect(none.json).toMatchObject({ code: 401, error: 'Unauthorized' });
    expect((await retrieve(front.url, instanceId, intruder)).status).toBe(403);
  });

  it('ignores the header sent straight to the endpoint by anyone but the proxy (401), and logs it at warn once per address', async () => {
    logLines.length = 0;
    const header = { 'X-SSL-Client-Cert': encodeURIComponent(a.controller.cert) };
    const direct = await a.call(endpoint.url, 'GET', '/items/i1', {
      client: null,
      ca: endpointTls.cert,
      headers: { 'APS-Instance-ID': instanceId, ...header },
    });
    expect(direct.status).toBe(401);
    const withOwn = await a.call(endpoint.url, 'GET', '/items/i1', {
      client: intruder,
      ca: endpointTls.cert,
      headers: { 'APS-Instance-ID': instanceId, ...header },
    });
    expect(withOwn.status).toBe(403);
    const warned = logLines.map((l) => JSON.parse(l) as { level: number; msg: string; header?: string });
    expect(warned).toContainEqual(
      expect.objectContaining({ level: 40, header: 'x-ssl-client-cert', msg: expect.stringContaining('ignored') }),
    );
    // Two requests from one address, one line: a client cannot fill the log by repeating the header.
    expect(warned.filter((w) => w.header === 'x-ssl-client-cert')).toHaveLength(1);
  });

  it('refuses an installation whose header comes from a client, not the proxy: nothing stored', async () => {
    const forged = selfSigned(dir, 'forged-instance');
    const id = 'c0ffee00-0000-4000-8000-00000000aaaa';
    const reply = await a.call(endpoint.url, 'POST', '/globals/', {
      client: null,
      ca: endpointTls.cert,
      headers: {
        'APS-Instance-ID': id,
        'APS-Controller-URI': a.url,
        'X-SSL-Client-Cert': encodeURIComponent(a.controller.cert),
      },
      body: {
        aps: {
          type: 'http://apskit.test/trust/globals/1.0',
          x509: { self: forged.cert + forged.key, controller: a.controller.cert },
        },
      },
    });
    expect(reply.status).toBe(401);
    expect(readdirSync(credentials)).not.toContain(id);
  });

  it('answers 400 naming the header to a malformed one from the trusted proxy, never 500', async () => {
    for (const fixed of [
      'garbage',
      '%E0%A4%A',
      encodeURIComponent('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'),
    ]) {
      const broken = await proxy(endpoint.url, { encoding: { fixed } });
      const reply = await retrieve(broken.url, instanceId, a.controller);
      expect(reply.status).toBe(400);
      expect(reply.json).toMatchObject({ code: 400, details: { field: 'x-ssl-client-cert' } });
    }
  });

  it('takes the certificate as base64 DER too (HAProxy %[ssl_c_der,base64])', async () => {
    const der = await proxy(endpoint.url, { encoding: 'base64-der' });
    expect((await retrieve(der.url, instanceId, a.controller)).status).toBe(200);
    expect((await retrieve(der.url, instanceId, intruder)).status).toBe(403);
  });

  it('takes a PEM whose line breaks are spaces, and URL-encoded base64 DER (Traefik), as well', async () => {
    const pem = a.controller.cert.trim();
    const body = pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
    for (const fixed of [pem.replace(/\n/g, ' '), encodeURIComponent(body)]) {
      const front = await proxy(endpoint.url, { encoding: { fixed } });
      expect((await retrieve(front.url, instanceId, null)).status).toBe(200);
    }
  });
});

describe('a proxy that is not trusted', () => {
  it('has its header ignored: its own certificate is the client (403), and nothing is installed', async () => {
    const credentials = mkdtempSync(join(dir, 'untrusted-'));
    const endpoint = await serve({ credentialsDir: credentials });
    const front = await proxy(endpoint.url);
    const reply = await a.install(front.url, 'globals');
    expect(reply.status).toBe(403);
    expect(readdirSync(credentials)).toEqual([]);
    // Trusted by certificate, but another proxy's: the same.
    const other = await serve({ trustedProxy: { proxyCertificate: intruder.cert } });
    expect((await a.install((await proxy(other.url)).url, 'globals')).status).toBe(403);
  });
});

describe('a proxy trusted by its address (plain HTTP behind it)', () => {
  it('installs and serves through a proxy connecting from a listed address', async () => {
    const credentials = mkdtempSync(join(dir, 'by-address-'));
    const endpoint = await serve({ credentialsDir: credentials, trustedProxy: { addresses: ['127.0.0.0/8'] } }, false);
    const front = await proxy(endpoint.url);
    const installed = await a.install(front.url, 'globals');
    expect(installed.status).toBe(200);
    expect(readdirSync(credentials)).toContain(installed.instanceId);
    expect((await retrieve(front.url, installed.instanceId, a.controller)).status).toBe(200);
    expect((await retrieve(front.url, installed.instanceId, null)).status).toBe(401);
    expect((await retrieve(front.url, installed.instanceId, intruder)).status).toBe(403);
  });

  it('ignores the header from an address not listed (401)', async () => {
    const endpoint = await serve({ trustedProxy: { addresses: ['10.0.0.5'] } }, false);
    const front = await proxy(endpoint.url);
    const installed = await a.install(front.url, 'globals');
    expect(installed.status).toBe(401);
  });

  it('needs every condition configured: the right address with another certificate is not the proxy', async () => {
    const endpoint = await serve({ trustedProxy: { addresses: ['127.0.0.1'], proxyCertificate: intruder.cert } });
    expect((await a.install((await proxy(endpoint.url)).url, 'globals')).status).toBe(403);
  });

  it('reads APSKIT_TRUSTED_PROXY_ADDRESSES when no option is given', async () => {
    process.env.APSKIT_TRUSTED_PROXY_ADDRESSES = '10.1.1.1, 127.0.0.1';
    let endpoint: RunningEndpoint;
    try {
      endpoint = await serve({}, false);
    } finally {
      delete process.env.APSKIT_TRUSTED_PROXY_ADDRESSES;
    }
    expect((await a.install((await proxy(endpoint.url)).url, 'globals')).status).toBe(200);
  });
});

describe('clientCertificate behind the proxy', () => {
  it('pins the controller certificate the proxy passes on', async () => {
    const endpoint = await serve({
      clientCertificate: { pinned: a.controller.cert },
      trustedProxy: { proxyCertificate: proxyClient.cert },
    });
    const front = await proxy(endpoint.url);
    const create = (url: string, client: Pem | null, ca?: string) =>
      a.call(url, 'POST', '/items/', { client, ca, body: { aps: { type: 'http://apskit.test/trust/item/1.0' } } });
    expect((await create(front.url, a.controller)).status).toBe(200);
    expect((await create(front.url, null)).status).toBe(401);
    expect((await create(front.url, intruder)).status).toBe(403);
    // The proxy's own certificate is never the client's: from the proxy without a header, no client certificate.
    expect((await create(endpoint.url, proxyClient, endpointTls.cert)).status).toBe(401);
  });
});

describe('configuration', () => {
  it('refuses a trustedProxy that names no proxy, or a bad address or header', () => {
    const make = (trustedProxy: EndpointOptions['trustedProxy']) => () =>
      createEndpoint({ services: { globals: TrustGlobals }, logger: false, trustedProxy });
    expect(make({})).toThrow(/proxyCertificate or addresses/);
    expect(make({ addresses: [] })).toThrow(/proxyCertificate or addresses/);
    expect(make({ addresses: ['not-an-ip'] })).toThrow(/not an IP address/);
    expect(make({ addresses: ['10.0.0.0/33'] })).toThrow(/not an IP address/);
    expect(make({ addresses: ['127.0.0.1'], certificateHeader: 'bad header' })).toThrow(/not a header name/);
  });

  it('refuses to listen over plain HTTP with a proxy certificate: it could never be presented', async () => {
    const endpoint = createEndpoint({
      services: { globals: TrustGlobals },
      logger: false,
      trustedProxy: { proxyCertificate: proxyClient.cert },
    });
    await expect(endpoint.listen()).rejects.toThrow(/proxyCertificate needs tls/);
  });
});
