/**
 * Issue 18, end to end: APSKit's controller and an APSKit endpoint in separate processes, over real
 * HTTPS on 127.0.0.1, trusting each other as the APS platform has it
 * (docs.cloudblue.com/cbc/sdk/21.0/api/rest/application/deployment, "Security model"): the
 * controller installs its application instance on the endpoint (aps.x509 over HTTPS with its client
 * certificate); the endpoint serves only that controller certificate for the instance, and calls the
 * controller back with the instance certificate, at the URI recorded at installation. The test's own
 * requests use certificates openssl made (@apskit/test-support/openssl). Both processes' output is
 * captured and searched for the instance key.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import https from 'node:https';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { eventually } from './fixtures/harness';
import { makeCa, makeLeaf, type Pem } from '@apskit/test-support/openssl';
import { GADGET, TRUST_GLOBALS } from './fixtures/trust-e2e-app';

jest.setTimeout(120_000);

const ADMIN = 'trust-e2e-admin-0123456789abcdefghij';
const TS_ENV = {
  TS_NODE_PROJECT: join(__dirname, '../../../tsconfig.json'),
  TS_NODE_FILES: 'false',
};

interface Proc {
  readonly child: ChildProcess;
  /** Everything it wrote, stdout and stderr. */
  output(): string;
  /** The value of the first `<name> <value>` line it printed. */
  line(name: string): Promise<string>;
  stop(): Promise<void>;
}

function startProcess(script: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Proc {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(__dirname, script), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...TS_ENV, ...env },
  });
  let output = '';
  const lines: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => {
    output += `${l}\n`;
    lines.push(l);
  });
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (output += c));
  let exited = false;
  const exit = new Promise<void>((r) =>
    child.once('exit', () => {
      exited = true;
      r();
    }),
  );
  return {
    child,
    output: () => output,
    line: async (name) => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const found = lines.find((l) => l.startsWith(`${name} `));
        if (found) return found.slice(name.length + 1);
        if (exited || Date.now() > deadline)
          throw new Error(`${script} printed no "${name}" line${exited ? ' and exited' : ''}:\n${output}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop: async () => {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(timer);
    },
  };
}

interface Reply {
  readonly status: number;
  readonly text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test bodies are read loosely
  readonly body: any;
}

/** One HTTPS request, with a client certificate or none. */
function request(
  url: string,
  options: {
    method?: string;
    ca: string;
    client?: { cert: string; key: string };
    headers?: Record<string, string>;
    body?: unknown;
  },
): Promise<Reply> {
  const text = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: options.method ?? 'GET',
        agent: false,
        ca: options.ca,
        ...(options.client ?? {}),
        timeout: 15_000,
        headers: {
          ...(text === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...(options.headers ?? {}),
        },
      },
      (res) => {
        let out = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (out += c));
        res.on('end', () => {
          let body: unknown;
          try {
            body = out === '' ? undefined : JSON.parse(out);
          } catch {
            body = undefined;
          }
          resolve({ status: res.statusCode ?? 0, text: out, body });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within 15 s`)));
    req.on('error', reject);
    req.end(text);
  });
}

/** A socket that counts who connects to it: a forged controller URI must see nobody. */
async function listeningSocket(): Promise<{ url: string; connections: () => number; close(): Promise<void> }> {
  let connections = 0;
  const server: Server = createServer((s) => {
    connections++;
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    connections: () => connections,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** The base64 lines of a PEM key: what a leak of it would show, wherever it was cut or re-wrapped. */
function keyLines(pem: string): string[] {
  return pem
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('-----'))
    .map((l) => l.slice(0, 40));
}

let dir: string;
let certs: string;
let credentialsDir: string;
let endpointServer: Pem;
let controllerServerCa: Pem;
let controllerServer: Pem;
let foreign: Pem;
let endpoint: Proc;
let endpointUrl: string;

interface ControllerProc {
  readonly proc: Proc;
  readonly url: string;
  readonly dataDir: string;
  readonly instanceId: string;
  /** The controller's client certificate and key, as it keeps them in `<dataDir>/trust/`. */
  readonly client: { cert: string; key: string };
  /** The CA its API's server certificate chains to. */
  readonly apiCa: string;
}
const controllers: ControllerProc[] = [];

/** `ownTls`: the API serves with `tls: true` (a certificate of the controller's own CA), not the test's. */
async function startControllerProcess(name: string, ownTls = false): Promise<ControllerProc> {
  const dataDir = join(dir, name);
  mkdirSync(dataDir);
  const proc = startProcess('fixtures/trust-controller-process.ts', [
    dataDir,
    endpointUrl,
    endpointServer.certFile,
    ownTls ? '-' : controllerServer.certFile,
    ownTls ? '-' : controllerServer.keyFile,
    ADMIN,
  ]);
  const port = await proc.line('port');
  const instanceId = await proc.line('instance');
  const trust = join(dataDir, 'trust');
  const started: ControllerProc = {
    proc,
    url: `https://127.0.0.1:${port}`,
    dataDir,
    instanceId,
    client: {
      cert: readFileSync(join(trust, 'controller.crt'), 'utf8'),
      key: readFileSync(join(trust, 'controller.key'), 'utf8'),
    },
    apiCa: ownTls ? readFileSync(join(trust, 'ca.crt'), 'utf8') : controllerServerCa.cert,
  };
  controllers.push(started);
  return started;
}

/** A call to a controller's API as the test's administrator. */
function admin(c: ControllerProc, method: string, path: string, body?: unknown): Promise<Reply> {
  return request(c.url + path, {
    method,
    ca: c.apiCa,
    headers: { Authorization: `Bearer ${ADMIN}` },
    body,
  });
}

/** A call to the endpoint naming an instance, with the given client certificate (or none). */
function toEndpoint(
  path: string,
  instanceId: string,
  client?: { cert: string; key: string },
  extra: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<Reply> {
  return request(new URL(path, endpointUrl).href, {
    method: extra.method ?? 'GET',
    ca: endpointServer.cert,
    ...(client ? { client } : {}),
    headers: { 'APS-Instance-ID': instanceId, ...(extra.headers ?? {}) },
    ...(extra.body === undefined ? {} : { body: extra.body }),
  });
}

async function provisionGadget(c: ControllerProc, name: string): Promise<Reply> {
  const made = await admin(c, 'POST', '/aps/2/resources', { aps: { type: GADGET }, name });
  if (![200, 202].includes(made.status)) throw new Error(`provisioning answered ${made.status}: ${made.text}`);
  return eventually(
    () => admin(c, 'GET', `/aps/2/resources/${made.body.aps.id as string}`),
    (r) => r.body?.aps?.status !== 'aps:provisioning',
    30_000,
  );
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'apskit-trust-e2e-'));
  certs = join(dir, 'certs');
  mkdirSync(certs);
  credentialsDir = join(dir, 'endpoint-credentials');
  endpointServer = makeLeaf(certs, 'endpoint-server', undefined);
  controllerServerCa = makeCa(certs, 'controller-server-ca');
  controllerServer = makeLeaf(certs, 'controller-server', controllerServerCa);
  foreign = makeLeaf(certs, 'foreign', makeCa(certs, 'foreign-ca'));
  endpoint = startProcess(
    'fixtures/trust-endpoint-process.ts',
    [credentialsDir, endpointServer.certFile, endpointServer.keyFile, controllerServerCa.certFile],
    { APSKIT_LOG_LEVEL: 'debug' },
  );
  endpointUrl = `https://127.0.0.1:${await endpoint.line('port')}/`;
});

afterAll(async () => {
  await Promise.all(controllers.map((c) => c.proc.stop()));
  await endpoint?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('issue 18: controller and endpoint in separate processes over HTTPS', () => {
  let a: ControllerProc;
  let gadgetId: string;

  it('installs the application instance: the endpoint keeps the instance certificate, key and controller certificate (0600)', async () => {
    a = await startControllerProcess('controller-a');
    const home = join(credentialsDir, a.instanceId);
    await eventually(
      async () => existsSync(join(home, 'instance.json')),
      (done) => done,
      30_000,
    );
    expect(statSync(join(home, 'instance.key')).mode & 0o777).toBe(0o600);
    expect(statSync(home).mode & 0o777).toBe(0o700);
    // The controller certificate pinned for the instance is the one the controller presents.
    expect(new X509Certificate(readFileSync(join(home, 'controller.crt'))).fingerprint256).toBe(
      new X509Certificate(a.client.cert).fingerprint256,
    );
    const meta = JSON.parse(readFileSync(join(home, 'instance.json'), 'utf8')) as { controllerUri?: string };
    expect(meta.controllerUri).toMatch(/^https:\/\/127\.0\.0\.1:\d+/);
    // The instance certificate was issued by this controller for this instance.
    const instanceCert = new X509Certificate(readFileSync(join(home, 'instance.crt')));
    expect(instanceCert.verify(new X509Certificate(readFileSync(join(a.dataDir, 'trust/ca.crt'))).publicKey)).toBe(
      true,
    );
    const instance = await admin(a, 'GET', '/apskit/instance');
    expect(instance.status).toBe(200);
    expect(instance.body.id).toBe(a.instanceId);
  });

  it('provisions a resource whose endpoint loads it through the controller with the instance certificate', async () => {
    const gadget = await provisionGadget(a, 'g1');
    expect(gadget.body.aps.status).toBe('aps:ready');
    // The controller answered the app's GET (no token: only the instance certificate lets it in).
    expect(gadget.body.seenStatus).toBe('aps:provisioning');
    gadgetId = gadget.body.aps.id as string;
  });

  it('the endpoint answers 401 without a client certificate and 403 to a foreign one', async () => {
    const none = await toEndpoint(`gadgets/${gadgetId}`, a.instanceId);
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ code: 401, error: expect.any(String), message: expect.any(String) });
    const other = await toEndpoint(`gadgets/${gadgetId}`, a.instanceId, foreign);
    expect(other.status).toBe(403);
    expect(other.body).toMatchObject({ code: 403 });
    // Its own controller's certificate is served.
    const own = await toEndpoint(`gadgets/${gadgetId}`, a.instanceId, a.client);
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ aps: { id: gadgetId }, name: 'g1' });
  });

  it('a forged APS-Instance-ID without the instance certificate writes nothing at the controller (403)', async () => {
    const before = await admin(a, 'GET', `/aps/2/resources/${gadgetId}`);
    const forged = { seenStatus: 'forged' };
    const withToken = await request(`${a.url}/aps/2/resources/${gadgetId}`, {
      method: 'PUT',
      ca: controllerServerCa.cert,
      headers: { Authorization: `Bearer ${ADMIN}`, 'APS-Instance-ID': a.instanceId },
      body: forged,
    });
    expect(withToken.status).toBe(403);
    const withForeignCert = await request(`${a.url}/aps/2/resources/${gadgetId}`, {
      method: 'PUT',
      ca: controllerServerCa.cert,
      client: foreign,
      headers: { 'APS-Instance-ID': a.instanceId },
      body: forged,
    });
    expect([401, 403]).toContain(withForeignCert.status);
    // The controller's own client certificate is not the instance's either.
    const withControllerCert = await request(`${a.url}/aps/2/resources/${gadgetId}`, {
      method: 'PUT',
      ca: controllerServerCa.cert,
      client: a.client,
      headers: { 'APS-Instance-ID': a.instanceId },
      body: forged,
    });
    expect([401, 403]).toContain(withControllerCert.status);
    const after = await admin(a, 'GET', `/aps/2/resources/${gadgetId}`);
    expect(after.body).toEqual(before.body);
    expect(after.body.seenStatus).toBe('aps:provisioning');
  });

  it('a forged APS-Controller-URI is never called: the instance calls the controller recorded at installation', async () => {
    const socket = await listeningSocket();
    try {
      const headers = { 'APS-Controller-URI': socket.url };
      // From the pinned controller: served, with the resource loaded from the recorded controller.
      const pinned = await toEndpoint(`gadgets/${gadgetId}`, a.instanceId, a.client, { headers });
      expect(pinned.status).toBe(200);
      expect(pinned.body).toMatchObject({ name: 'g1', seenStatus: 'aps:provisioning' });
      // From anyone else: refused before anything is loaded.
      expect((await toEndpoint(`gadgets/${gadgetId}`, a.instanceId, undefined, { headers })).status).toBe(401);
      expect((await toEndpoint(`gadgets/${gadgetId}`, a.instanceId, foreign, { headers })).status).toBe(403);
      expect(socket.connections()).toBe(0);
    } finally {
      await socket.close();
    }
  });

  it('two instances on one endpoint, each pinned to its own controller', async () => {
    const b = await startControllerProcess('controller-b');
    expect(b.instanceId).not.toBe(a.instanceId);
    await eventually(
      async () => existsSync(join(credentialsDir, b.instanceId, 'instance.json')),
      (done) => done,
      30_000,
    );
    const gadget = await provisionGadget(b, 'g-b');
    expect(gadget.body).toMatchObject({ aps: { status: 'aps:ready' }, seenStatus: 'aps:provisioning' });
    const idB = gadget.body.aps.id as string;

    expect((await toEndpoint(`gadgets/${idB}`, b.instanceId, b.client)).status).toBe(200);
    expect((await toEndpoint(`gadgets/${gadgetId}`, a.instanceId, a.client)).status).toBe(200);
    // Each controller's certificate is refused for the other's instance.
    expect((await toEndpoint(`gadgets/${idB}`, b.instanceId, a.client)).status).toBe(403);
    expect((await toEndpoint(`gadgets/${gadgetId}`, a.instanceId, b.client)).status).toBe(403);
    // A re-installation of A's instance by B is refused, and changes nothing.
    const pinnedA = readFileSync(join(credentialsDir, a.instanceId, 'controller.crt'), 'utf8');
    const takeOver = await toEndpoint('globals/', a.instanceId, b.client, {
      method: 'POST',
      headers: { 'APS-Controller-URI': b.url },
      body: {
        aps: {
          type: TRUST_GLOBALS,
          x509: { self: `${foreign.cert}${foreign.key}`, controller: b.client.cert },
        },
      },
    });
    expect(takeOver.status).toBe(403);
    expect(takeOver.text).not.toContain('PRIVATE KEY');
    expect(readFileSync(join(credentialsDir, a.instanceId, 'controller.crt'), 'utf8')).toBe(pinnedA);
    expect(readdirNames(credentialsDir)).toEqual([a.instanceId, b.instanceId].sort());
  });

  // The controllers above serve their API with a certificate the test made, given to the endpoint as
  // `controllerCa`. With `serve({ tls: true })` the CA that signs the API's certificate exists only
  // once the controller first started, which is when it installs: the endpoint learns it from the
  // installation's `aps.x509.ca` (APSKit's addition) and trusts it for that instance only.
  it("with serveController({ tls: true }), the endpoint trusts the controller's API through the installation's aps.x509.ca", async () => {
    // The endpoint process was told only of the test's CA (controllerCa): this controller's API
    // certificate is signed by the controller's own CA, which only the installation names.
    const c = await startControllerProcess('controller-own-tls', true);
    await eventually(
      async () => existsSync(join(credentialsDir, c.instanceId, 'controller-ca.crt')),
      (done) => done,
      30_000,
    );
    expect(readFileSync(join(credentialsDir, c.instanceId, 'controller-ca.crt'), 'utf8').trim()).toBe(c.apiCa.trim());
    const gadget = await provisionGadget(c, 'g-c');
    // The app's GET through the controller succeeded: it trusted the API's certificate.
    expect(gadget.body).toMatchObject({ aps: { status: 'aps:ready' }, seenStatus: 'aps:provisioning' });
  });

  it('no instance key in the answers the controller kept or in either process output', async () => {
    const leaks: string[] = [];
    for (const c of controllers) {
      const key = readFileSync(join(credentialsDir, c.instanceId, 'instance.key'), 'utf8');
      const controllerKey = c.client.key;
      // What the controller kept of the installation's answer: the globals resource, and its task.
      const instance = await admin(c, 'GET', '/apskit/instance');
      const globals = await admin(c, 'GET', `/aps/2/resources/${instance.body.globalsId as string}`);
      expect(globals.status).toBe(200);
      const tasks = await admin(c, 'GET', '/apskit/tasks');
      const details = await Promise.all(
        (tasks.body as Array<{ id: string }>).map((t) => admin(c, 'GET', `/apskit/tasks/${t.id}`)),
      );
      const texts = [
        ['globals', globals.text],
        ['instance', instance.text],
        ['tasks', tasks.text + details.map((d) => d.text).join('')],
        ['controller output', c.proc.output()],
        ['endpoint output', endpoint.output()],
      ];
      for (const [where, text] of texts) {
        for (const line of [...keyLines(key), ...keyLines(controllerKey)])
          if ((text as string).includes(line)) leaks.push(`${where}: ${line}`);
        if ((text as string).includes('PRIVATE KEY')) leaks.push(`${where}: PRIVATE KEY`);
      }
    }
    expect(leaks).toEqual([]);
    // The endpoint did log (at debug): the grep looked at real output.
    expect(endpoint.output()).toMatch(/installed/);
  });
});

function readdirNames(path: string): string[] {
  return readdirSync(path)
    .filter((n) => !n.startsWith('.'))
    .sort();
}
