/**
 * Fuzzing the endpoint and the controller's API over HTTP with hostile input: generated bodies,
 * headers and paths (huge numbers, deep nesting, wrong types, prototype keys, invalid UTF-8,
 * oversized and slow bodies; and, for issue 15, dot segments raw, percent-encoded in any case and
 * encoded twice, huge and malformed Range values, hostile Host, Origin and Content-Type). Every
 * answer is a success or a well-formed APS error, never a 500, the process keeps serving, and no
 * request that was refused left a resource behind. For issue 18, the controller's authentication
 * over HTTPS: random and malformed Authorization headers, tokens with odd bytes, huge headers, and
 * client certificates openssl made that are not the instance's (another CA, expired, the wrong key
 * usage, self-signed with the instance's name), and the same, truncated or mangled, in the
 * X-SSL-Client-Cert header of a trusted proxy: 400, 401, 403 (or Node's own 400/431 for what HTTP
 * cannot carry), never a success, never a 500, and nothing written.
 */
import http from 'node:http';
import https from 'node:https';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import fc from 'fast-check';
import { createEndpoint, type RunningEndpoint } from '@apskit/express';
import { Controller, serveController, type RunningController } from '@apskit/controller';
import { JOB, PROVISIONABLE, api, startHarness, type Harness } from './fixtures/harness';
import { services } from './fixtures/jobs';
import { makeCa, makeLeaf, type Pem } from '@apskit/test-support/openssl';

jest.setTimeout(120_000);

let h: Harness;
let endpoint: RunningEndpoint;

beforeAll(async () => {
  h = await startHarness();
  endpoint = await createEndpoint({
    services,
    logger: false,
    bodyLimit: '64kb',
    loadResource: async () => undefined,
  }).listen();
});
afterAll(async () => {
  await endpoint.close();
  await h.close();
});

interface Raw {
  status: number;
  text: string;
}

/** A request as raw bytes, so that invalid UTF-8, odd headers and slow bodies can be sent. */
function send(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer,
  slowChunks = 0,
): Promise<Raw> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: body ? { ...headers, 'content-length': String(body.length) } : headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer to ${method} ${path}`)));
    if (!body) return void req.end();
    if (slowChunks <= 1) return void req.end(body);
    // A slow body: in pieces, a few milliseconds apart.
    const size = Math.ceil(body.length / slowChunks);
    let offset = 0;
    const next = (): void => {
      if (offset >= body.length) return void req.end();
      req.write(body.subarray(offset, offset + size));
      offset += size;
      setTimeout(next, 5);
    };
    next();
  });
}

/**
 * A success, or the APS error body with the answer's status as its code. A 500 is a fault of ours
 * (hostile input must be refused as the client's); 501 and 502 are answers the protocol gives.
 */
function expectWellFormed(r: Raw, what: string): void {
  if (r.status === 500 || r.status > 502) throw new Error(`${what} answered ${r.status}: ${r.text.slice(0, 300)}`);
  if (r.status < 400) return;
  let body: { code?: unknown; error?: unknown; message?: unknown };
  try {
    body = JSON.parse(r.text) as typeof body;
  } catch {
    throw new Error(`${what} answered ${r.status} with a body that is not JSON: ${r.text.slice(0, 200)}`);
  }
  if (
    body.code !== r.status ||
    typeof body.error !== 'string' ||
    typeof body.message !== 'string' ||
    body.message === ''
  ) {
    throw new Error(`${what} answered ${r.status} with a malformed APS error: ${r.text.slice(0, 300)}`);
  }
}

function deep(depth: number, leaf: string): string {
  return '['.repeat(depth) + leaf + ']'.repeat(depth);
}

const HOSTILE_BODIES: fc.Arbitrary<Buffer> = fc.oneof(
  fc.jsonValue({ maxDepth: 6 }).map((v) => Buffer.from(JSON.stringify(v))),
  fc
    .record({
      aps: fc.record({ type: fc.constantFrom(JOB, PROVISIONABLE, 'x', '') }),
      mode: fc.jsonValue(),
      name: fc.jsonValue(),
      size: fc.jsonValue(),
    })
    .map((v) => Buffer.from(JSON.stringify(v))),
  fc
    .constantFrom(
      '{"aps":{"type":"' + JOB + '"},"mode":"ok","name":"n","size":1e308}',
      '{"aps":{"type":"' + JOB + '"},"mode":"ok","name":"n","size":-0}',
      '{"aps":{"type":"' + JOB + '"},"mode":"ok","name":"n","size":18446744073709551617}',
      '{"__proto__":{"polluted":1},"aps":{"type":"' + JOB + '"}}',
      '{"constructor":{"prototype":{"polluted":1}},"mode":"ok"}',
      '{"aps":{"type":"' + JOB + '"},"mode":"ok","name":{"__proto__":{"x":1}}}',
      deep(5000, '1'),
      '{"a":' + deep(3000, '{"constructor":1}') + '}',
      '{"aps":',
      '',
      'null',
      '"text"',
    )
    .map((s) => Buffer.from(s)),
  fc
    .uint8Array({ minLength: 1, maxLength: 64 })
    .map((bytes) => Buffer.concat([Buffer.from('{"name":"'), Buffer.from(bytes), Buffer.from('"}')])),
  fc.constant(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d])), // invalid UTF-8
  fc.constant(Buffer.alloc(200 * 1024, 0x20)), // over the 64 kb endpoint limit
);

const SEGMENT = fc.oneof(
  fc.constantFrom(
    'jobs',
    'provisionables',
    'globals',
    'x',
    '..',
    '.',
    '%2e%2e',
    '%2E%2E',
    '%2e%2E',
    '.%2e',
    '%2e',
    '%252e%252e',
    '%252E%252E',
    '%25252e%25252e',
    '..%2F..%2Fadmin',
    '..%5C..',
    '%2e%2e%2f',
    '%ff',
    '%00',
    '%E0%A4%A',
    '__proto__',
    'constructor',
    'upgrade',
  ),
  fc.stringMatching(/^[A-Za-z0-9_.~-]{1,12}$/),
  fc.constant('a'.repeat(3000)),
);

const HEADERS = fc.record(
  {
    'content-type': fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'application/json; charset=latin-9',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/merge-patch+json',
    ),
    'aps-request-phase': fc.constantFrom('sync', 'async', 'ASYNC', '', 'later'),
    'aps-transaction-id': fc.stringMatching(/^[\x21-\x7e]{0,40}$/),
    'aps-controller-uri': fc.constantFrom('not a url', 'http://127.0.0.1:1/', 'ftp://x'),
    'content-encoding': fc.constantFrom('identity', 'gzip', 'br'),
    host: fc.constantFrom(
      'evil.example',
      'localhost',
      'LOCALHOST:1',
      '127.0.0.1:65535',
      '[::1]',
      '[::1',
      'localhost:99999',
      'localhost@evil.example',
      '127.0.0.1.nip.io',
      '%2e%2e',
      'a'.repeat(300),
    ),
    origin: fc.constantFrom(
      'http://evil.example',
      'null',
      'http://127.0.0.1',
      'http://localhost:1',
      'javascript:alert(1)',
      'http://[::1',
      'file://',
    ),
    'sec-fetch-site': fc.constantFrom('cross-site', 'same-site', 'same-origin', 'none', 'bogus'),
    range: fc.oneof(
      fc.constantFrom(
        'items=0-99999999999999999999',
        'items=9007199254740991-9007199254740991',
        'items=9007199254740992-9007199254740993',
        'items=5-2',
        'items=-1-0',
        'items=0-1e3',
        'items=',
        'items=0-0',
        'items=00000000000000000000001-2',
        'bytes=0-1',
        'items=0-1,2-3',
      ),
      fc
        .tuple(fc.bigInt({ min: 0n, max: 1n << 80n }), fc.bigInt({ min: 0n, max: 1n << 80n }))
        .map(([a, b]) => `items=${a}-${b}`),
    ),
  },
  { requiredKeys: ['content-type'] },
);

const REQUEST = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
  segments: fc.array(SEGMENT, { minLength: 1, maxLength: 5 }),
  query: fc.option(fc.stringMatching(/^[a-z=&%0-9]{0,30}$/), { nil: undefined }),
  headers: HEADERS,
  body: fc.option(HOSTILE_BODIES, { nil: undefined }),
  slow: fc.constantFrom(0, 0, 0, 4),
});

it('the endpoint answers hostile requests with successes or well-formed APS errors', async () => {
  await fc.assert(
    fc.asyncProperty(REQUEST, async (r) => {
      const path = `/${r.segments.join('/')}${r.query ? `?${r.query}` : ''}`;
      const reply = await send(endpoint.url, r.method, path, r.headers, r.body, r.slow);
      expectWellFormed(reply, `${r.method} ${path.slice(0, 80)}`);
    }),
    { numRuns: 250 },
  );
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  const alive = await send(
    endpoint.url,
    'POST',
    '/jobs/',
    { 'content-type': 'application/json' },
    Buffer.from(JSON.stringify({ aps: { id: 'j', type: JOB }, mode: 'ok', name: 'alive' })),
  );
  expect(alive.status).toBe(200);
});

it('the controller API answers hostile requests well, and keeps no resource a refused request made', async () => {
  const before = (await api(h.url, 'GET', '/aps/2/resources')).body.length;
  let created = 0;
  await fc.assert(
    fc.asyncProperty(
      REQUEST,
      fc.constantFrom('/aps/2/resources', '/aps/2/resources', '/apskit/tasks', '/aps/2/types'),
      async (r, prefix) => {
        const rest = r.segments.slice(0, 2).join('/');
        const path = `${prefix}${r.method === 'POST' && prefix === '/aps/2/resources' ? '' : `/${rest}`}`;
        const reply = await send(h.url, r.method, path, r.headers, r.body, r.slow);
        expectWellFormed(reply, `${r.method} ${path.slice(0, 80)}`);
        if (r.method === 'POST' && path === '/aps/2/resources' && reply.status < 300) created++;
      },
    ),
    { numRuns: 250 },
  );
  const after = (await api(h.url, 'GET', '/aps/2/resources')).body as Array<{ aps: { status: string } }>;
  // Only the creates that succeeded (or were accepted) added resources; refused ones left nothing.
  expect(after.length).toBe(before + created);
  expect(after.every((r) => ['aps:ready', 'aps:provisioning'].includes(r.aps.status))).toBe(true);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

it('issue 15: operation paths below a real resource (dot segments, encodings) and hostile headers answer well', async () => {
  const made = await api(h.url, 'POST', '/aps/2/resources', { aps: { type: JOB }, mode: 'ok', name: 'target' });
  expect(made.status).toBe(200);
  const id = made.body.aps.id as string;
  let forwarded = 0;
  await fc.assert(
    fc.asyncProperty(REQUEST, async (r) => {
      const path = `/aps/2/resources/${id}/${r.segments.join('/')}${r.query ? `?${r.query}` : ''}`;
      const reply = await send(h.url, r.method, path, r.headers, r.body, r.slow);
      expectWellFormed(reply, `${r.method} ${path.slice(0, 120)}`);
      // Only `globals` (GET: the linked globals) or a POST creating one through it can succeed here:
      // the job type declares no operation, so nothing is ever forwarded to the endpoint.
      if (reply.status < 300 && !r.segments.every((s) => s === 'globals')) forwarded++;
    }),
    { numRuns: 300 },
  );
  expect(forwarded).toBe(0);
  // Still serving, and the resource is as it was.
  expect((await api(h.url, 'GET', `/aps/2/resources/${id}`)).body.aps.status).toBe('aps:ready');
});

describe('issue 18: authentication headers and client certificates', () => {
  const ADMIN = 'fuzz-admin-token-0123456789abcdefghij';
  let dir: string;
  let running: RunningController;
  let ca: string;
  let instanceId: string;
  let targetId: string;
  const certs: Record<string, Pem> = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apskit-fuzz-auth-'));
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir);
    running = await serveController(
      new Controller({
        app: { name: 'jobs-app', services },
        dataDir,
        timeScale: 0.01,
        pollMs: 50,
        tokens: [{ token: ADMIN, role: 'admin', subject: 'fuzz' }],
      }),
      { port: 0, tls: true },
    );
    ca = running.caCertificate;
    instanceId = running.controller.instance.id;
    const made = await asAdmin('POST', '/aps/2/resources', { aps: { type: JOB }, mode: 'ok', name: 'target' });
    expect(made.status).toBe(200);
    targetId = JSON.parse(made.text).aps.id as string;

    // Certificates that are not the instance's, each named for the instance (CN = its id).
    const out = join(dir, 'certs');
    mkdirSync(out);
    // The controller's own CA, as the controller keeps it: certificates it never issued, signed by it.
    const own: Pem = {
      cert: ca,
      key: '',
      certFile: join(dataDir, 'trust/ca.crt'),
      keyFile: join(dataDir, 'trust/ca.key'),
    };
    const foreignCa = makeCa(out, 'foreign-ca');
    const named = { commonName: instanceId };
    certs.wrongCa = makeLeaf(out, 'wrong-ca', foreignCa, named);
    certs.selfSigned = makeLeaf(out, 'self-signed', undefined, named);
    certs.expiredForeign = makeLeaf(out, 'expired-foreign', foreignCa, { ...named, days: -1 });
    certs.expiredOwnCa = makeLeaf(out, 'expired-own-ca', own, { ...named, days: -1 });
    certs.wrongUsageOwnCa = makeLeaf(out, 'wrong-usage-own-ca', own, {
      ...named,
      extensions: ['basicConstraints=CA:TRUE', 'keyUsage=critical,keyCertSign', 'extendedKeyUsage=serverAuth'],
    });
    certs.ownCaClient = makeLeaf(out, 'own-ca-client', own, named); // a well-formed client cert it never issued
  });
  afterAll(async () => {
    await running?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  interface Sent {
    method: string;
    path: string;
    headers: Record<string, string>;
    body?: Buffer;
    client?: Pem;
    /** Another controller than `running`. */
    to?: RunningController;
  }

  /** Over HTTPS through node:https (which refuses to send header bytes HTTP forbids: see `sendRaw`). */
  function sendTls(r: Sent): Promise<Raw> {
    const url = new URL((r.to ?? running).url);
    const ca = (r.to ?? running).caCertificate;
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          host: url.hostname,
          port: url.port,
          method: r.method,
          path: r.path,
          ca,
          agent: false,
          ...(r.client ? { cert: r.client.cert, key: r.client.key } : {}),
          headers: r.body ? { ...r.headers, 'content-length': String(r.body.length) } : r.headers,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        },
      );
      req.on('error', reject);
      req.setTimeout(10_000, () => req.destroy(new Error(`no answer to ${r.method} ${r.path}`)));
      req.end(r.body);
    });
  }

  /**
   * A request written byte for byte over TLS: control characters, NUL and bare CR in a header go as
   * they are. Node's HTTP parser may refuse such a request itself (400, 431) before any APSKit code
   * runs: that answer has no APS body, and is accepted as what HTTP says.
   */
  function sendRaw(head: Buffer, client?: Pem): Promise<Raw & { parser: boolean }> {
    const url = new URL(running.url);
    return new Promise((resolve, reject) => {
      const socket = tlsConnect(
        {
          host: url.hostname,
          port: Number(url.port),
          ca,
          ...(client ? { cert: client.cert, key: client.key } : {}),
        },
        () => socket.end(head),
      );
      const chunks: Buffer[] = [];
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.on('error', reject);
      socket.setTimeout(10_000, () => socket.destroy(new Error('no answer to a raw request')));
      socket.on('close', () => {
        const text = Buffer.concat(chunks).toString('latin1');
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
        const body = text.slice(text.indexOf('\r\n\r\n') + 4);
        // Node's parser answers with `Connection: close` and no body.
        resolve({ status, text: body, parser: body === '' && (status === 400 || status === 431) });
      });
    });
  }

  function asAdmin(method: string, path: string, body?: unknown, to?: RunningController): Promise<Raw> {
    return sendTls({
      to,
      method,
      path,
      headers: {
        authorization: `Bearer ${ADMIN}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)),
    });
  }

  /** What a refused request must not have changed: the resources and tasks, and the target resource. */
  async function snapshot(to?: RunningController): Promise<string> {
    const resources = await asAdmin('GET', '/aps/2/resources', undefined, to);
    const tasks = await asAdmin('GET', '/apskit/tasks', undefined, to);
    expect(resources.status).toBe(200);
    expect(tasks.status).toBe(200);
    return resources.text + tasks.text;
  }

  /** Refused as authentication refuses: 400, 401 or 403 as a well-formed APS error. */
  function expectRefused(r: Raw, what: string): void {
    expectWellFormed(r, what);
    if (![400, 401, 403].includes(r.status)) throw new Error(`${what} answered ${r.status}: ${r.text.slice(0, 200)}`);
  }

  const ODD = fc.oneof(
    fc.constantFrom(
      'Bearer',
      'Bearer ',
      'bearer x',
      'Basic YWRtaW46YWRtaW4=',
      'Bearer a b',
      'Bearer ==',
      'Token x',
      '',
    ),
    // Near misses (RFC 6750 allows more than one space after Bearer, and HTTP trims the value: not these).
    fc.constantFrom(`Bearer ${ADMIN}x`, `Bearer ${ADMIN.slice(0, -1)}`, `Bearer\t${ADMIN}`, `${ADMIN}`),
    fc.constantFrom(`Bearer ${ADMIN.toUpperCase()}`, `Bearer ${'A'.repeat(4096)}`, `Bearer ${'a'.repeat(12_000)}`),
    // Latin-1 bytes 0x80-0xff, which HTTP lets a header carry.
    fc
      .uint8Array({ minLength: 1, maxLength: 80 })
      .map((b) => `Bearer ${Buffer.from(b.map((x) => 0x80 | x)).toString('latin1')}`),
    fc.stringMatching(/^[\x21-\x7e]{0,200}$/).map((t) => `Bearer ${t}`),
    fc.stringMatching(/^[\x20-\x7e]{0,120}$/),
  );

  const TARGET = fc.record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
    path: fc.constantFrom(
      '/aps/2/resources',
      '/aps/2/resources/TARGET',
      '/aps/2/resources/TARGET/globals',
      '/apskit/tasks',
      '/apskit/instance',
      '/aps/2/types',
      '/aps/2/applications/INSTANCE/jobs/',
      '/apskit/events',
    ),
    body: fc.option(
      fc.constantFrom(
        { aps: { type: JOB }, mode: 'ok', name: 'fuzzed' },
        { mode: 'ok', name: 'changed' },
        { aps: { id: 'x', type: JOB } },
      ),
      { nil: undefined },
    ),
    naming: fc.boolean(), // an APS-Instance-ID header naming the real instance
  });

  const concrete = (t: { method: string; path: string; body?: unknown; naming: boolean }) => ({
    method: t.method,
    path: t.path.replace('TARGET', targetId).replace('INSTANCE', instanceId),
    body: t.body === undefined || t.method === 'GET' || t.method === 'DELETE' ? undefined : t.body,
    headers: {
      ...(t.naming ? { 'aps-instance-id': instanceId } : {}),
    } as Record<string, string>,
  });

  it('random and malformed Authorization headers are refused (400/401), nothing written', async () => {
    const before = await snapshot();
    await fc.assert(
      fc.asyncProperty(TARGET, ODD, async (t, authorization) => {
        const c = concrete(t);
        const reply = await sendTls({
          method: c.method,
          path: c.path,
          headers: {
            ...c.headers,
            authorization,
            ...(c.body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: c.body === undefined ? undefined : Buffer.from(JSON.stringify(c.body)),
        });
        expectRefused(reply, `${c.method} ${c.path} with Authorization ${JSON.stringify(authorization.slice(0, 40))}`);
      }),
      { numRuns: 200 },
    );
    expect(await snapshot()).toBe(before);
  });

  it('control bytes, NUL, bare CR and huge headers, written raw: refused by authentication or by HTTP itself', async () => {
    const before = await snapshot();
    let answered = 0;
    const BYTES = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 60 }).map((b) => Buffer.from(b)),
      // Bytes HTTP lets through (visible ASCII and 0x80-0xff), so that authentication sees them.
      fc.uint8Array({ minLength: 1, maxLength: 60 }).map((b) => Buffer.from(b.map((x) => (x < 0x21 ? x + 0x21 : x)))),
      fc.constantFrom(
        Buffer.from('Bearer \x00abc'),
        Buffer.from(`Bearer ${ADMIN}\rX-Injected: 1`),
        Buffer.from(`Bearer ${ADMIN}\x00`),
        Buffer.from('Bearer \x7f\x7f'),
        Buffer.alloc(70_000, 0x61), // over Node's 16 KiB header limit: 431
      ),
    );
    await fc.assert(
      fc.asyncProperty(TARGET, BYTES, async (t, bytes) => {
        const c = concrete(t);
        const body = c.body === undefined ? undefined : Buffer.from(JSON.stringify(c.body));
        const head = Buffer.concat([
          Buffer.from(`${c.method} ${c.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n`),
          ...Object.entries(c.headers).map(([k, v]) => Buffer.from(`${k}: ${v}\r\n`)),
          body ? Buffer.from(`content-type: application/json\r\ncontent-length: ${body.length}\r\n`) : Buffer.alloc(0),
          Buffer.from('authorization: Bearer '),
          bytes.filter((b) => b !== 0x0a), // a line feed would end the header line: that is another header
          Buffer.from('\r\n\r\n'),
          body ?? Buffer.alloc(0),
        ]);
        const reply = await sendRaw(head);
        if (reply.parser) return;
        answered++;
        expectRefused(reply, `${c.method} ${c.path} with raw Authorization bytes`);
      }),
      { numRuns: 150 },
    );
    // Not all of them stopped at Node's parser: authentication saw odd bytes too.
    expect(answered).toBeGreaterThan(10);
    expect(await snapshot()).toBe(before);
  });

  it('client certificates that are not the instance certificate are not the app: refused (401/403), nothing written', async () => {
    const before = await snapshot();
    const names = Object.keys(certs);
    await fc.assert(
      fc.asyncProperty(TARGET, fc.constantFrom(...names), async (t, which) => {
        const c = concrete({ ...t, naming: true });
        const client = certs[which] as Pem;
        const reply = await sendTls({
          method: c.method,
          path: c.path,
          headers: { ...c.headers, ...(c.body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: c.body === undefined ? undefined : Buffer.from(JSON.stringify(c.body)),
          client,
        }).catch((e: Error) => ({ status: -1, text: e.message }));
        // The server asks for a certificate and accepts any at the TLS level: every request gets an answer.
        if (reply.status === -1) throw new Error(`${c.method} ${c.path} with the ${which} certificate: ${reply.text}`);
        expectRefused(reply, `${c.method} ${c.path} with the ${which} certificate`);
      }),
      { numRuns: 150 },
    );
    expect(await snapshot()).toBe(before);
    // Still serving, as the administrator and as nobody.
    expect((await asAdmin('GET', `/aps/2/resources/${targetId}`)).status).toBe(200);
    expect((await sendTls({ method: 'GET', path: '/aps/2/resources', headers: {} })).status).toBe(401);
  });
  it('behind a trusted proxy, garbage and foreign certificates in X-SSL-Client-Cert are refused, never the app, never a 500, nothing written', async () => {
    const proxied = await serveController(
      new Controller({
        app: { name: 'jobs-app', services },
        dataDir: mkdtempSync(join(dir, 'proxied-')),
        timeScale: 0.01,
        pollMs: 50,
        tokens: [{ token: ADMIN, role: 'admin', subject: 'fuzz' }],
      }),
      // This test is the proxy: it connects from 127.0.0.1.
      { port: 0, tls: true, trustedProxy: { addresses: ['127.0.0.1'] } },
    );
    try {
      const proxiedInstance = proxied.controller.instance.id;
      const before = await snapshot(proxied);
      const pem = (p: Pem): string => p.cert;
      const HEADER = fc.oneof(
        fc.constantFrom(
          '-----BEGIN CERTIFICATE-----',
          '-----BEGIN CERTIFICATE----- AAAA -----END CERTIFICATE-----',
          '%2D%2D%2D%2D%2DBEGIN%20CERTIFICATE',
          '%ZZ%',
          'MIIB',
          '====',
          'a'.repeat(12_000),
        ),
        fc.constantFrom(...Object.values(certs)).map((p) => encodeURIComponent(pem(p))),
        fc.constantFrom(...Object.values(certs)).map((p) => pem(p).replace(/\n/g, ' ')),
        fc.constantFrom(...Object.values(certs)).map((p) => encodeURIComponent(pem(p)).slice(0, 200)),
        fc.stringMatching(/^[A-Za-z0-9+/=%-]{1,300}$/),
        fc
          .uint8Array({ minLength: 1, maxLength: 80 })
          .map((b) => Buffer.from(b.map((x) => 0x80 | x)).toString('latin1')),
      );
      await fc.assert(
        fc.asyncProperty(TARGET, HEADER, fc.boolean(), async (t, header, tokenOnReads) => {
          const c = concrete({ ...t, naming: true });
          // The admin's token on reads only: an admin may write, and a write must show it was refused.
          // (Not on the event stream: it would stay open.)
          const withToken = tokenOnReads && c.method === 'GET' && c.path !== '/apskit/events';
          c.path = c.path.replace(instanceId, proxiedInstance);
          const reply = await sendTls({
            to: proxied,
            method: c.method,
            path: c.path,
            headers: {
              'aps-instance-id': proxiedInstance,
              'x-ssl-client-cert': header,
              ...(withToken ? { authorization: `Bearer ${ADMIN}` } : {}),
              ...(c.body === undefined ? {} : { 'content-type': 'application/json' }),
            },
            body: c.body === undefined ? undefined : Buffer.from(JSON.stringify(c.body)),
          });
          expectWellFormed(
            reply,
            `${c.method} ${c.path} with X-SSL-Client-Cert ${JSON.stringify(header.slice(0, 40))}`,
          );
          // With the admin's token a read may succeed; without one, nothing does: the header made no app.
          if (reply.status < 400 && !withToken)
            throw new Error(
              `${c.method} ${c.path} answered ${reply.status} through the proxy: ${reply.text.slice(0, 200)}`,
            );
        }),
        { numRuns: 150 },
      );
      expect(await snapshot(proxied)).toBe(before);
    } finally {
      await proxied.close();
    }
  });
});
