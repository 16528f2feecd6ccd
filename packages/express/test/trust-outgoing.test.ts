/**
 * An installed instance's calls to the controller: mutual TLS with the instance certificate, to the
 * controller URI recorded at installation only (docs.cloudblue.com/cbc/sdk/21.0/api/rest/protocol/session:
 * an application instance authenticates to the controller with the certificate it was given). The
 * controller is a test double written from the docs (fixtures/aps-controller-double.ts) that answers
 * only certificates it issued and records who called.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEndpoint, type RunningEndpoint } from '@apskit/express';
import { controllerDouble, selfSigned, type ControllerDouble, type Pem } from './fixtures/aps-controller-double';
import { TrustGlobals, TrustItem } from './fixtures/trust-app';

let dir: string;
let endpointTls: Pem;
let a: ControllerDouble;
let endpoint: RunningEndpoint;
let instanceId: string;

/** A socket that must see no connection: where a forged APS-Controller-URI points. */
let trap: net.Server;
let trapConnections = 0;
let trapUrl: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'apskit-trust-out-'));
  endpointTls = selfSigned(dir, 'endpoint');
  a = controllerDouble(dir, 'ctl-a', endpointTls.cert);
  await a.listen();
  trap = net.createServer((socket) => {
    trapConnections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
  trapUrl = `https://127.0.0.1:${(trap.address() as AddressInfo).port}/`;
  endpoint = await createEndpoint({
    services: { globals: TrustGlobals, items: TrustItem },
    credentialsDir: join(dir, 'credentials'),
    logger: false,
  }).listen({ tls: endpointTls });
  const installed = await a.install(endpoint.url, 'globals');
  expect(installed.status).toBe(200);
  instanceId = installed.instanceId;
});

afterAll(async () => {
  await Promise.all([endpoint.close(), a.close(), new Promise<void>((resolve) => trap.close(() => resolve()))]);
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  a.callers.length = 0;
  a.paths.length = 0;
  trapConnections = 0;
});

const instanceFingerprint = (): string => new X509Certificate(a.instances.get(instanceId)!.cert).fingerprint256;

describe("an installed instance's calls to its controller", () => {
  it('loads a resource (retrieve) presenting the instance certificate', async () => {
    const reply = await a.call(endpoint.url, 'GET', '/items/r1', { headers: { 'APS-Instance-ID': instanceId } });
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({ aps: { id: 'r1' }, name: `loaded by ctl-a for ${instanceId}` });
    expect(a.paths).toEqual(['/aps/2/resources/r1']);
    expect(a.callers).toEqual([instanceFingerprint()]);
  });

  it('calls through controllerClient() presenting the instance certificate', async () => {
    const reply = await a.call(endpoint.url, 'GET', '/items/r2/viaClient', {
      headers: { 'APS-Instance-ID': instanceId },
    });
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({ aps: { id: 'r2' }, name: `loaded by ctl-a for ${instanceId}` });
    // Once by the loader (the operation's resource), once by the app's own call.
    expect(a.callers).toEqual([instanceFingerprint(), instanceFingerprint()]);
  });

  it('never calls a forged APS-Controller-URI: the recorded controller is called, the trap sees no connection', async () => {
    const headers = { 'APS-Instance-ID': instanceId, 'APS-Controller-URI': trapUrl };
    const retrieved = await a.call(endpoint.url, 'GET', '/items/r3', { headers });
    const viaClient = await a.call(endpoint.url, 'GET', '/items/r3/viaClient', { headers });
    expect(retrieved.status).toBe(200);
    expect(viaClient.status).toBe(200);
    expect(viaClient.json).toMatchObject({ name: `loaded by ctl-a for ${instanceId}` });
    expect(a.paths).toHaveLength(3);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(trapConnections).toBe(0);
  });

  it('does not call a forged APS-Controller-URI for an instance not installed here either', async () => {
    const reply = await a.call(endpoint.url, 'GET', '/items/r4', {
      client: null,
      headers: { 'APS-Instance-ID': 'c0ffee00-0000-4000-8000-0000000000aa', 'APS-Controller-URI': trapUrl },
    });
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ aps: { id: 'r4', type: 'http://apskit.test/trust/item/1.0' } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(trapConnections).toBe(0);
  });

  it("trusts the controller's API through the installation's aps.x509.ca, for that instance only", async () => {
    // The API serves with a certificate of its own (not the controller certificate), as APSKit's
    // controller does with serve({ tls: true }): the installation names the CA that signed it.
    const apiTls = selfSigned(dir, 'api-with-ca');
    let requests = 0;
    const api = https.createServer({ ...apiTls }, (_req, res) => {
      requests += 1;
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ aps: { id: 'r6', type: 'http://apskit.test/trust/item/1.0' } }));
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    const apiUrl = `https://127.0.0.1:${(api.address() as AddressInfo).port}/`;
    try {
      const withCa = await a.install(endpoint.url, 'globals', { controllerUri: apiUrl, ca: apiTls.cert });
      expect(withCa.status).toBe(200);
      expect(JSON.stringify(withCa.json)).not.toContain('BEGIN CERTIFICATE');
      const reply = await a.call(endpoint.url, 'GET', '/items/r6', {
        headers: { 'APS-Instance-ID': withCa.instanceId },
      });
      expect(reply.status).toBe(200);
      expect(reply.json).toEqual({ aps: { id: 'r6', type: 'http://apskit.test/trust/item/1.0' } });
      expect(requests).toBe(1);

      // The same API for an instance whose installation named no CA: not trusted, nothing sent.
      const withoutCa = await a.install(endpoint.url, 'globals', { controllerUri: apiUrl });
      const refused = await a.call(endpoint.url, 'GET', '/items/r6', {
        headers: { 'APS-Instance-ID': withoutCa.instanceId },
      });
      expect(refused.status).toBe(502);
      expect(requests).toBe(1);
    } finally {
      await new Promise<void>((resolve) => {
        api.close(() => resolve());
        api.closeAllConnections();
      });
    }
  });

  it('refuses an aps.x509.ca that is no certificate (400 naming it), storing nothing', async () => {
    const bad = await a.install(endpoint.url, 'globals', { ca: 'not a certificate' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toContain('aps.x509.ca');
    expect(existsSync(join(dir, 'credentials', bad.instanceId))).toBe(false);
  });

  it('refuses a controller whose server certificate it cannot trust, before sending the request (502)', async () => {
    const impostorTls = selfSigned(dir, 'impostor');
    let requests = 0;
    const impostor = https.createServer({ ...impostorTls }, (_req, res) => {
      requests += 1;
      res.end('{}');
    });
    await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
    try {
      const installed = await a.install(endpoint.url, 'globals', {
        controllerUri: `https://127.0.0.1:${(impostor.address() as AddressInfo).port}/`,
      });
      expect(installed.status).toBe(200);
      const reply = await a.call(endpoint.url, 'GET', '/items/r5', {
        headers: { 'APS-Instance-ID': installed.instanceId },
      });
      expect(reply.status).toBe(502);
      expect((reply.json as { message: string }).message).toContain('unreachable (CERT_UNTRUSTED)');
      expect(requests).toBe(0);
    } finally {
      await new Promise<void>((resolve) => {
        impostor.close(() => resolve());
        impostor.closeAllConnections();
      });
    }
  });
});
