/**
 * Installation and per-instance pinning, over real HTTPS on 127.0.0.1, against a test double of the
 * APS controller written from the docs (fixtures/aps-controller-double.ts):
 * docs.cloudblue.com/cbc/sdk/21.0/api/rest/application/deployment (the installation POST with
 * aps.x509.self and aps.x509.controller) and docs.cloudblue.com/cbc/sdk/21.0/api/rest/protocol/session
 * (the endpoint accepts the controller certificate it was given, and nothing else).
 */
import { statSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createEndpoint, type EndpointOptions, type RunningEndpoint } from '@apskit/express';
import { controllerDouble, selfSigned, type ControllerDouble, type Pem } from './fixtures/aps-controller-double';
import { seenByApp, TrustGlobals, TrustItem, TRUST_ITEM_TYPE } from './fixtures/trust-app';

let dir: string;
let endpointTls: Pem;
let intruder: Pem;
let a: ControllerDouble;
let b: ControllerDouble;
const logLines: string[] = [];
const running: RunningEndpoint[] = [];

async function serve(options: Partial<EndpointOptions> & { credentialsDir: string }): Promise<RunningEndpoint> {
  const endpoint = createEndpoint({
    services: { globals: TrustGlobals, items: TrustItem },
    logger: pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) }),
    ...options,
  });
  const r = await endpoint.listen({ tls: endpointTls });
  running.push(r);
  return r;
}

const mode = (path: string): number => statSync(path).mode & 0o777;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'apskit-trust-'));
  endpointTls = selfSigned(dir, 'endpoint');
  intruder = selfSigned(dir, 'intruder');
  a = controllerDouble(dir, 'ctl-a', endpointTls.cert);
  b = controllerDouble(dir, 'ctl-b', endpointTls.cert);
  await Promise.all([a.listen(), b.listen()]);
});

afterAll(async () => {
  await Promise.all([...running.map((r) => r.close()), a.close(), b.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('installation (application/deployment: POST to the root service with aps.x509)', () => {
  let endpoint: RunningEndpoint;
  let credentials: string;

  beforeAll(async () => {
    credentials = join(dir, 'install-credentials');
    endpoint = await serve({ credentialsDir: credentials });
  });

  it('stores the instance certificate, key and controller certificate, folder 0700 and files 0600', async () => {
    const reply = await a.install(endpoint.url, 'globals', { globals: { apiUrl: 'https://api.example' } });
    expect(reply.status).toBe(200);
    const home = join(credentials, reply.instanceId);
    expect(mode(home)).toBe(0o700);
    expect(readdirSync(home).sort()).toEqual(['controller.crt', 'instance.crt', 'instance.json', 'instance.key']);
    for (const f of readdirSync(home)) expect(mode(join(home, f))).toBe(0o600);
    const issued = a.instances.get(reply.instanceId)!;
    expect(readFileSync(join(home, 'instance.key'), 'utf8').trim()).toBe(issued.key.trim());
    expect(readFileSync(join(home, 'instance.crt'), 'utf8').trim()).toBe(issued.cert.trim());
    expect(readFileSync(join(home, 'controller.crt'), 'utf8').trim()).toBe(a.controller.cert.trim());
    expect(JSON.parse(readFileSync(join(home, 'instance.json'), 'utf8'))).toMatchObject({ controllerUri: a.url });
  });

  it('answers with the globals resource and never the key; the app never sees aps.x509', async () => {
    seenByApp.length = 0;
    const reply = await a.install(endpoint.url, 'globals', { globals: { apiUrl: 'https://api.example' } });
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({
      apiUrl: 'https://api.example',
      aps: { type: 'http://apskit.test/trust/globals/1.0' },
    });
    expect((reply.json as { aps: Record<string, unknown> }).aps.x509).toBeUndefined();
    expect(reply.text).not.toContain('PRIVATE KEY');
    expect(reply.text).not.toContain('BEGIN CERTIFICATE');
    expect(seenByApp).toHaveLength(1);
    expect(JSON.stringify(seenByApp)).not.toContain('x509');
  });

  it('refuses an installation without a client certificate (401) and stores nothing', async () => {
    const reply = await a.install(endpoint.url, 'globals', { client: null });
    expect(reply.status).toBe(401);
    expect(reply.json).toMatchObject({ code: 401, error: 'Unauthorized' });
    expect(readdirSync(credentials)).not.toContain(reply.instanceId);
  });

  it('refuses an installation presented by another certificate than its aps.x509.controller (403)', async () => {
    const reply = await a.install(endpoint.url, 'globals', { client: intruder });
    expect(reply.status).toBe(403);
    expect(reply.json).toMatchObject({ code: 403, error: 'Forbidden' });
    expect(readdirSync(credentials)).not.toContain(reply.instanceId);
  });

  it('answers 400 naming the field for a broken aps.x509, without quoting it', async () => {
    const issued = selfSigned(dir, 'stray');
    const noKey = await a.install(endpoint.url, 'globals', {
      x509: { self: issued.cert, controller: a.controller.cert },
    });
    expect(noKey.status).toBe(400);
    expect(noKey.json).toMatchObject({ code: 400, details: { field: 'aps.x509.self' } });
    const otherKey = selfSigned(dir, 'other');
    const mismatched = await a.install(endpoint.url, 'globals', {
      x509: { self: issued.cert + otherKey.key, controller: a.controller.cert },
    });
    expect(mismatched.status).toBe(400);
    expect(mismatched.json).toMatchObject({ details: { field: 'aps.x509.self' } });
    expect(mismatched.text).not.toContain('PRIVATE KEY');
    const noController = await a.install(endpoint.url, 'globals', { x509: { self: issued.cert + issued.key } });
    expect(noController.status).toBe(400);
    expect(noController.json).toMatchObject({ details: { field: 'aps.x509.controller' } });
    for (const r of [noKey, mismatched, noController]) expect(readdirSync(credentials)).not.toContain(r.instanceId);
  });

  it('accepts aps.x509 only in the POST to the root service', async () => {
    const reply = await a.call(endpoint.url, 'POST', '/items/', {
      headers: { 'APS-Instance-ID': 'c0ffee00-0000-4000-8000-000000000001' },
      body: { aps: { type: TRUST_ITEM_TYPE, x509: { self: 'x', controller: 'y' } }, name: 'n' },
    });
    expect(reply.status).toBe(400);
    expect((reply.json as { message: string }).message).toContain('/globals/');
  });

  it('never writes the key to the log', () => {
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('\n')).toContain('application instance installed');
    const all = logLines.join('\n');
    expect(all).not.toContain('PRIVATE KEY');
    for (const pem of a.instances.values()) {
      // The key's base64 body, line by line, appears nowhere either.
      for (const line of pem.key.split('\n').filter((l) => l.length > 40)) expect(all).not.toContain(line);
    }
  });
});

describe('pinning (protocol/session: only the controller certificate given at installation)', () => {
  let endpoint: RunningEndpoint;
  let credentials: string;
  let first: string;
  let second: string;

  beforeAll(async () => {
    credentials = join(dir, 'pin-credentials');
    endpoint = await serve({ credentialsDir: credentials });
    first = (await a.install(endpoint.url, 'globals')).instanceId;
    second = (await b.install(endpoint.url, 'globals')).instanceId;
  });

  const get = (instanceId: string, client: Pem | null) =>
    a.call(endpoint.url, 'GET', '/items/i1/viaClient', { client, headers: { 'APS-Instance-ID': instanceId } });
  const retrieve = (instanceId: string, client: Pem | null) =>
    a.call(endpoint.url, 'GET', '/items/i1', { client, headers: { 'APS-Instance-ID': instanceId } });

  it('answers 401 to a request for an installed instance without a client certificate', async () => {
    const reply = await retrieve(first, null);
    expect(reply.status).toBe(401);
    expect(reply.json).toMatchObject({ code: 401, error: 'Unauthorized' });
  });

  it('answers 403 to a foreign certificate, even the other instance’s controller', async () => {
    expect((await retrieve(first, intruder)).status).toBe(403);
    const other = await retrieve(first, b.controller);
    expect(other.status).toBe(403);
    expect(other.json).toMatchObject({ code: 403, error: 'Forbidden' });
  });

  it('serves each instance to its own controller only (two instances, one endpoint)', async () => {
    expect((await retrieve(first, a.controller)).status).toBe(200);
    expect((await retrieve(second, b.controller)).status).toBe(200);
    expect((await retrieve(second, a.controller)).status).toBe(403);
    expect((await get(second, a.controller)).status).toBe(403);
  });

  it('refuses a re-installation from another controller (403) and keeps the credentials', async () => {
    const before = readFileSync(join(credentials, first, 'controller.crt'), 'utf8');
    const reply = await b.install(endpoint.url, 'globals', { instanceId: first });
    expect(reply.status).toBe(403);
    expect(readFileSync(join(credentials, first, 'controller.crt'), 'utf8')).toBe(before);
    expect((await retrieve(first, a.controller)).status).toBe(200);
  });

  it('accepts a re-installation from the pinned controller (it replaces the credentials)', async () => {
    const reply = await a.install(endpoint.url, 'globals', { instanceId: first, globals: { apiUrl: 'again' } });
    expect(reply.status).toBe(200);
    expect(reply.text).not.toContain('PRIVATE KEY');
    expect((await retrieve(first, a.controller)).status).toBe(200);
  });

  it('keeps the pins after a restart: a new endpoint on the same directory', async () => {
    const again = await serve({ credentialsDir: credentials });
    const call = (id: string, client: Pem | null) =>
      a.call(again.url, 'GET', '/items/i1', { client, headers: { 'APS-Instance-ID': id } });
    expect((await call(first, a.controller)).status).toBe(200);
    expect((await call(first, b.controller)).status).toBe(403);
    expect((await call(second, null)).status).toBe(401);
  });

  it('serves a request naming no installed instance as before (unauthenticated), unless installation is required', async () => {
    expect((await retrieve('c0ffee00-0000-4000-8000-00000000beef', null)).status).toBe(200);
    const strict = await serve({ credentialsDir: credentials, installation: { required: true } });
    const call = (id: string, client: Pem | null) =>
      a.call(strict.url, 'GET', '/items/i1', { client, headers: { 'APS-Instance-ID': id } });
    expect((await call('c0ffee00-0000-4000-8000-00000000beef', null)).status).toBe(401);
    expect((await call('c0ffee00-0000-4000-8000-00000000beef', intruder)).status).toBe(403);
    expect((await call(first, a.controller)).status).toBe(200);
  });

  it('lets installation.accept refuse an installation (403, nothing stored)', async () => {
    const seen: string[] = [];
    const picky = await serve({
      credentialsDir: join(dir, 'picky-credentials'),
      installation: {
        accept: ({ controllerFingerprint }) => {
          seen.push(controllerFingerprint);
          return seen.length === 1;
        },
      },
    });
    expect((await a.install(picky.url, 'globals')).status).toBe(200);
    const refused = await b.install(picky.url, 'globals');
    expect(refused.status).toBe(403);
    expect(readdirSync(join(dir, 'picky-credentials'))).toHaveLength(1);
  });

  it('keeps `clientCertificate` working: a controller pinned up front is the only one that installs', async () => {
    const pinned = await serve({
      credentialsDir: join(dir, 'pinned-credentials'),
      clientCertificate: { pinned: a.controller.cert },
    });
    expect((await b.install(pinned.url, 'globals')).status).toBe(403);
    const installed = await a.install(pinned.url, 'globals');
    expect(installed.status).toBe(200);
    const call = (client: Pem | null) =>
      a.call(pinned.url, 'GET', '/items/i1', { client, headers: { 'APS-Instance-ID': installed.instanceId } });
    expect((await call(a.controller)).status).toBe(200);
    expect((await call(null)).status).toBe(401);
  });
});

describe('hostile installations: a 4xx, never a 500, and nothing stored', () => {
  let endpoint: RunningEndpoint;
  let credentials: string;

  beforeAll(async () => {
    credentials = join(dir, 'hostile-credentials');
    endpoint = await serve({ credentialsDir: credentials });
  });

  const stored = (): string[] => {
    try {
      return readdirSync(credentials);
    } catch {
      return [];
    }
  };

  it('refuses instance ids that would name another folder', async () => {
    for (const instanceId of ['../escape', '..', '.', 'a/b', 'a\\b', ' ', '-x', 'x'.repeat(200)]) {
      const reply = await a.install(endpoint.url, 'globals', { instanceId });
      expect([400]).toContain(reply.status);
    }
    expect(stored()).toEqual([]);
    expect(readdirSync(dir)).not.toContain('escape');
  });

  it('answers every odd aps.x509 with a 400 naming a field of it', async () => {
    const issued = selfSigned(dir, 'hostile');
    const shapes: unknown[] = [
      null,
      'text',
      42,
      [],
      {},
      { self: 5, controller: a.controller.cert },
      { self: issued.cert + issued.key },
      { self: issued.cert + issued.key, controller: ['x'] },
      { self: issued.cert + issued.key, controller: 'not a pem' },
      { self: issued.cert + issued.key, controller: a.controller.cert + a.controller.cert },
      { self: issued.cert + issued.key, controller: a.controller.cert + issued.key },
      { self: issued.key, controller: a.controller.cert },
      { self: issued.cert + issued.key + issued.key, controller: a.controller.cert },
      {
        self: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' + issued.key,
        controller: a.controller.cert,
      },
      {
        self: issued.cert + '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n',
        controller: a.controller.cert,
      },
      { __proto__: { self: 'x' }, controller: a.controller.cert },
    ];
    for (const x509 of shapes) {
      const reply = await a.install(endpoint.url, 'globals', { x509 });
      expect(reply.status).toBe(400);
      expect((reply.json as { details?: { field?: string } }).details?.field).toMatch(/^aps\.x509/);
      expect(reply.text).not.toContain('PRIVATE KEY');
    }
    expect(stored()).toEqual([]);
  });

  it('needs APS-Instance-ID and an APS-Controller-URI it can call', async () => {
    const withoutId = await a.call(endpoint.url, 'POST', '/globals/', {
      body: { aps: { type: 'http://apskit.test/trust/globals/1.0', x509: { self: 'x', controller: 'y' } } },
    });
    expect(withoutId.status).toBe(400);
    const noUri = await a.install(endpoint.url, 'globals', { controllerUri: 'file:///etc/passwd' });
    expect(noUri.status).toBe(400);
    expect(noUri.json).toMatchObject({ details: { field: 'APS-Controller-URI' } });
    expect(stored()).toEqual([]);
  });

  it('refuses an installation over plain HTTP (401): no certificate can be presented there', async () => {
    const plain = await createEndpoint({
      services: { globals: TrustGlobals, items: TrustItem },
      credentialsDir: join(dir, 'plain-credentials'),
      logger: false,
    }).listen();
    running.push(plain);
    const issued = selfSigned(dir, 'plain');
    const response = await fetch(`${plain.url}/globals/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'APS-Instance-ID': 'c0ffee00-0000-4000-8000-0000000000cc',
        'APS-Controller-URI': a.url,
      },
      body: JSON.stringify({ aps: { x509: { self: issued.cert + issued.key, controller: a.controller.cert } } }),
    });
    const text = await response.text();
    expect(response.status).toBe(401);
    expect(text).not.toContain('PRIVATE KEY');
  });
});
