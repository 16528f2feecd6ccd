/**
 * Mutual TLS as APS does it, over a real HTTPS server: the endpoint accepts the controller's pinned
 * client certificate only. Throwaway certificates are made with `openssl` in a temporary directory.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEndpoint, fingerprintOf, type RunningEndpoint } from '@apskit/express';
import { Provisionable } from '@apskit/test-support';
import { send, startFakeController, type Json } from './fixtures/http';
import { recorder } from './fixtures/recorder';
import { Widget, WIDGET_TYPE } from './fixtures/types';

interface KeyPair {
  cert: string;
  key: string;
}

let dir: string;
let controller: KeyPair;
let intruder: KeyPair;
let server: KeyPair;

/** A self-signed certificate and its key (EC P-256: quick to make). */
function selfSigned(name: string, subject: string, extra: string[] = []): KeyPair {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      subject,
      '-keyout',
      key,
      '-out',
      cert,
      ...extra,
    ],
    { stdio: 'pipe' },
  );
  return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
}

interface TlsReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Json | undefined;
}

/** node:https, because fetch cannot present a client certificate. The server is verified by its own cert. */
function tlsRequest(
  base: string,
  method: string,
  path: string,
  options: { client?: KeyPair; body?: unknown; headers?: Record<string, string> } = {},
): Promise<TlsReply> {
  return new Promise((resolve, reject) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = https.request(
      `${base}${path}`,
      {
        method,
        ca: server.cert,
        cert: options.client?.cert,
        key: options.client?.key,
        agent: false,
        headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...options.headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: text ? (JSON.parse(text) as Json) : undefined,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const running: RunningEndpoint[] = [];

async function serve(pinned: string | readonly string[]): Promise<RunningEndpoint> {
  const endpoint = createEndpoint({
    services: { widgets: Widget, provisionables: Provisionable },
    clientCertificate: { pinned },
    loadResource: async ({ id }) => ({ aps: { id, type: WIDGET_TYPE }, name: 'stored' }),
  });
  const r = await endpoint.listen({ tls: { key: server.key, cert: server.cert } });
  running.push(r);
  return r;
}

let pinnedByPem: RunningEndpoint;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'apskit-mtls-'));
  controller = selfSigned('controller', '/CN=aps-controller');
  intruder = selfSigned('intruder', '/CN=aps-controller');
  server = selfSigned('server', '/CN=127.0.0.1', ['-addext', 'subjectAltName=IP:127.0.0.1']);
  pinnedByPem = await serve(controller.cert);
});

afterAll(async () => {
  await Promise.all(running.map((r) => r.close()));
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => recorder.reset());

describe('an endpoint pinned to the controller certificate', () => {
  it('serves HTTPS on 127.0.0.1', () => {
    expect(pinnedByPem.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('serves the controller presenting the pinned certificate (200 and 202)', async () => {
    const retrieved = await tlsRequest(pinnedByPem.url, 'GET', '/widgets/w1', { client: controller });
    expect(retrieved.status).toBe(200);
    expect(retrieved.body).toEqual({ aps: { id: 'w1', type: WIDGET_TYPE }, name: 'stored' });

    const provisioned = await tlsRequest(pinnedByPem.url, 'POST', '/provisionables/', {
      client: controller,
      body: { aps: { id: 'p1', type: 'http://aps-standard.org/samples/async-provisioning/provisionable/1.0' } },
    });
    expect(provisioned.status).toBe(202);
    expect(provisioned.headers['aps-info']).toBe('Provisioning the resource');
  });

  it('answers 403 to a client presenting another certificate, even with the same subject', async () => {
    const reply = await tlsRequest(pinnedByPem.url, 'POST', '/widgets/', {
      client: intruder,
      body: { aps: { id: 'w2', type: WIDGET_TYPE }, name: 'x' },
      headers: { 'APS-Transaction-ID': 'tx-403' },
    });
    expect(reply.status).toBe(403);
    expect(reply.body).toMatchObject({ code: 403, error: 'Forbidden' });
    expect(reply.headers['aps-transaction-id']).toBe('tx-403');
    expect(recorder.calls).toEqual([]);
  });

  it('answers 401 to a client without a certificate', async () => {
    const reply = await tlsRequest(pinnedByPem.url, 'GET', '/widgets/w1', {
      headers: { 'APS-Transaction-ID': 'tx-401' },
    });
    expect(reply.status).toBe(401);
    expect(reply.body).toMatchObject({ code: 401, error: 'Unauthorized' });
    expect(reply.body?.message).toMatch(/client certificate/);
    expect(reply.headers['aps-transaction-id']).toBe('tx-401');
    expect(recorder.calls).toEqual([]);
  });

  it('checks the certificate before reading the body', async () => {
    const reply = await tlsRequest(pinnedByPem.url, 'POST', '/widgets/', { client: intruder, body: { not: 'valid' } });
    expect(reply.status).toBe(403);
  });
});

describe('pins given as fingerprints', () => {
  it('accepts a SHA-256 fingerprint in any case, with or without colons', async () => {
    const colons = new X509Certificate(controller.cert).fingerprint256;
    const bare = colons.replace(/:/g, '').toLowerCase();
    const endpoint = await serve(bare);
    expect((await tlsRequest(endpoint.url, 'GET', '/widgets/w1', { client: controller })).status).toBe(200);
    expect((await tlsRequest(endpoint.url, 'GET', '/widgets/w1', { client: intruder })).status).toBe(403);
  });

  it('accepts any of several pins (a certificate rollover)', async () => {
    const endpoint = await serve([fingerprintOf(intruder.cert), controller.cert]);
    expect((await tlsRequest(endpoint.url, 'GET', '/widgets/w1', { client: controller })).status).toBe(200);
    expect((await tlsRequest(endpoint.url, 'GET', '/widgets/w1', { client: intruder })).status).toBe(200);
    expect((await tlsRequest(endpoint.url, 'GET', '/widgets/w1')).status).toBe(401);
  });
});

describe('fingerprintOf', () => {
  it('gives the SHA-256 fingerprint of a PEM certificate, as openssl computes it', () => {
    const out = execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256'], { input: controller.cert })
      .toString()
      .trim();
    const fromOpenssl = out.slice(out.indexOf('=') + 1);
    expect(fingerprintOf(controller.cert)).toBe(fromOpenssl);
    expect(fingerprintOf(`\n  ${controller.cert}  \n`)).toBe(fromOpenssl);
    expect(fingerprintOf(intruder.cert)).not.toBe(fromOpenssl);
  });

  it('normalises a fingerprint string to upper case with colons', () => {
    const hex = 'ab'.repeat(32);
    const expected = Array(32).fill('AB').join(':');
    expect(fingerprintOf(hex)).toBe(expected);
    expect(fingerprintOf(expected.toLowerCase())).toBe(expected);
    expect(fingerprintOf(`  ${expected}\n`)).toBe(expected);
  });

  it('refuses what is neither PEM nor a SHA-256 fingerprint', () => {
    expect(() => fingerprintOf('ab'.repeat(20))).toThrow(/SHA-256 fingerprint/);
    expect(() => fingerprintOf('zz'.repeat(32))).toThrow(/SHA-256 fingerprint/);
    expect(() => fingerprintOf('')).toThrow();
  });

  it('makes createEndpoint refuse a bad pin up front', () => {
    expect(() => createEndpoint({ services: { widgets: Widget }, clientCertificate: { pinned: 'not-a-pin' } })).toThrow(
      /SHA-256 fingerprint/,
    );
  });
});

it('an endpoint pinned to a certificate but served over plain HTTP answers 401', async () => {
  const endpoint = await createEndpoint({
    services: { widgets: Widget },
    clientCertificate: { pinned: controller.cert },
    loadResource: async () => undefined,
  }).listen();
  running.push(endpoint);
  const reply = await send(endpoint.url, 'GET', '/widgets/w1');
  expect(reply.status).toBe(401);
  expect(reply.body).toMatchObject({ code: 401, error: 'Unauthorized' });
  expect(recorder.calls).toEqual([]);
});

it('issue 15 #2: behind the pinned certificate the caller is the controller, so its APS-Controller-URI is believed', async () => {
  const fake = await startFakeController(() => ({
    status: 200,
    body: { aps: { id: 'w1', type: WIDGET_TYPE }, name: 'from the authenticated controller' },
  }));
  try {
    const endpoint = await createEndpoint({
      services: { widgets: Widget },
      clientCertificate: { pinned: controller.cert },
      logger: false,
    }).listen({ tls: { key: server.key, cert: server.cert } });
    running.push(endpoint);
    const reply = await tlsRequest(endpoint.url, 'GET', '/widgets/w1', {
      client: controller,
      headers: { 'APS-Controller-URI': fake.url },
    });
    expect(reply.body).toMatchObject({ name: 'from the authenticated controller' });
    expect(fake.requests.map((r) => r.url)).toEqual(['/aps/2/resources/w1']);
    // The intruder's request never reaches the loader at all.
    expect(
      (
        await tlsRequest(endpoint.url, 'GET', '/widgets/w1', {
          client: intruder,
          headers: { 'APS-Controller-URI': fake.url },
        })
      ).status,
    ).toBe(403);
    expect(fake.requests).toHaveLength(1);
  } finally {
    await fake.close();
  }
});
