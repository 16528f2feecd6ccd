/**
 * Issue 18: over HTTPS (serveController with `tls: true`), the application is the client that
 * presents the instance certificate this controller issued; a token on the same request is refused
 * (400: one request, one caller); any other client certificate proves nothing (a token is still
 * needed). docs.cloudblue.com/cbc/sdk/21.0/api/rest/protocol/session: "SSL Authentication of
 * Application Instances". The app's key here is the one the controller made for its instance (the
 * in-process endpoint never took it), which is what an installed endpoint presents.
 */
import https from 'node:https';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startController, type RunningController } from '@apskit/controller';
import { JOB } from './fixtures/harness';
import { services } from './fixtures/jobs';
import { selfWritingServices } from './fixtures/self-writing-app';

/** A self-signed client certificate made by openssl: a certificate this controller never issued. */
function selfSigned(folder: string): { cert: string; key: string } {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      'foreign.key',
      '-out',
      'foreign.crt',
      '-subj',
      '/CN=foreign',
      '-days',
      '2',
    ],
    { cwd: folder, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return {
    cert: readFileSync(join(folder, 'foreign.crt'), 'utf8'),
    key: readFileSync(join(folder, 'foreign.key'), 'utf8'),
  };
}

const ADMIN = 'admin-token-for-certificate-tests-0123';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test bodies are read loosely
  body: any;
}

let dir: string;
let running: RunningController;
let instance: { cert: string; key: string };
let foreign: { cert: string; key: string };

/** node:https, so that the client certificate is exactly the one given (or none). */
function call(
  method: string,
  path: string,
  options: { cert?: { cert: string; key: string }; headers?: Record<string, string>; body?: unknown } = {},
): Promise<Answer> {
  const url = new URL(running.url + path);
  const text = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: url.pathname + url.search,
        ca: running.caCertificate,
        cert: options.cert?.cert,
        key: options.cert?.key,
        agent: false,
        headers: {
          ...(text === undefined ? {} : { 'content-type': 'application/json' }),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: body === '' ? undefined : JSON.parse(body),
          });
        });
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

const admin = { Authorization: `Bearer ${ADMIN}` };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'apskit-auth-cert-'));
  running = await startController({
    app: { name: 'jobs-app', services },
    dataDir: dir,
    port: 0,
    tls: true,
    timeScale: 0.01,
    pollMs: 50,
    tokens: [{ token: ADMIN, role: 'admin', subject: 'ops' }],
  });
  const self = running.controller.trust.installCredentials()?.self as string;
  const at = self.indexOf('-----BEGIN PRIVATE KEY-----');
  instance = { cert: self.slice(0, at), key: self.slice(at) };
  foreign = selfSigned(dir);
});

afterAll(async () => {
  await running?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the application, by its instance certificate (HTTPS)', () => {
  it('is the app: /apskit/instance says so, without any token', async () => {
    expect(running.url).toMatch(/^https:/);
    const r = await call('GET', '/apskit/instance', { cert: instance });
    expect(r.status).toBe(200);
    expect(r.body.caller).toEqual({ kind: 'app', instanceId: running.controller.instance.id });
  });

  it("writes its resource's read-only property as the app; the same PUT without the certificate is 403 and writes nothing", async () => {
    const created = await call('POST', '/aps/2/resources', {
      headers: admin,
      body: { aps: { type: JOB }, mode: 'ok', name: 'c1' },
    });
    expect(created.status).toBe(200);
    const id = created.body.aps.id as string;
    const header = { 'APS-Instance-ID': running.controller.instance.id };

    const forged = await call('PUT', `/aps/2/resources/${id}`, {
      headers: { ...admin, ...header },
      body: { stage: 'x' },
    });
    expect(forged.status).toBe(403);
    expect((await call('GET', `/aps/2/resources/${id}`, { headers: admin })).body).not.toHaveProperty('stage');

    const own = await call('PUT', `/aps/2/resources/${id}`, {
      cert: instance,
      headers: header,
      body: { stage: 'done' },
    });
    expect(own.status).toBe(200);
    expect(own.body.stage).toBe('done');
    expect((await call('GET', `/aps/2/resources/${id}`, { headers: admin })).body.stage).toBe('done');

    const other = await call('PUT', `/aps/2/resources/${id}`, {
      cert: instance,
      headers: { 'APS-Instance-ID': '00000000-0000-4000-8000-000000000000' },
      body: { stage: 'other' },
    });
    expect(other.status).toBe(403);
    expect((await call('GET', `/aps/2/resources/${id}`, { headers: admin })).body.stage).toBe('done');
  });

  it('refuses the instance certificate with a bearer token on the same request (400): one request, one caller', async () => {
    const r = await call('GET', '/apskit/instance', { cert: instance, headers: admin });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({
      code: 400,
      message: expect.stringContaining('instance certificate and a bearer token'),
    });
  });
});

describe('any other client', () => {
  it('proves nothing with a certificate this controller did not issue: 401 without a token, the token decides with one', async () => {
    const none = await call('GET', '/apskit/instance', { cert: foreign });
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    const withToken = await call('GET', '/apskit/instance', { cert: foreign, headers: admin });
    expect(withToken.status).toBe(200);
    expect(withToken.body.caller).toEqual({ kind: 'admin', subject: 'ops' });
  });

  it('needs no certificate: a token over HTTPS is enough, and nothing is a 401', async () => {
    expect((await call('GET', '/aps/2/resources', { headers: admin })).status).toBe(200);
    expect((await call('GET', '/aps/2/resources')).status).toBe(401);
  });
});

describe("the embedded controller's in-process endpoint over HTTPS", () => {
  it('calls back with the instance certificate, trusting the controller’s CA: its own write is stored', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'apskit-auth-cert-'));
    const own = await startController({
      app: { name: 'self-writing', services: selfWritingServices },
      dataDir: folder,
      port: 0,
      tls: true,
      tokens: [{ token: ADMIN, role: 'admin' }],
    });
    const saved = running;
    running = own; // call() speaks to `running`
    try {
      const created = await call('POST', '/aps/2/resources', {
        headers: admin,
        body: { aps: { type: 'http://apskit.test/auth/note/1.0' }, text: 'n' },
      });
      const id = created.body.aps.id as string;
      const stamped = await call('POST', `/aps/2/resources/${id}/stamp`, { headers: admin });
      expect(stamped.status).toBe(200);
      expect(stamped.body).toEqual({ status: 200, stamp: 'by-the-app' });
      expect((await call('GET', `/aps/2/resources/${id}`, { headers: admin })).body.stamp).toBe('by-the-app');
    } finally {
      running = saved;
      await own.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
