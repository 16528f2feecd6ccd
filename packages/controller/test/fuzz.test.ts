/**
 * Fuzzing the endpoint and the controller's API over HTTP with hostile input: generated bodies,
 * headers and paths (huge numbers, deep nesting, wrong types, prototype keys, invalid UTF-8,
 * oversized and slow bodies; and, for issue 15, dot segments raw, percent-encoded in any case and
 * encoded twice, huge and malformed Range values, hostile Host, Origin and Content-Type). Every
 * answer is a success or a well-formed APS error, never a 500, the process keeps serving, and no
 * request that was refused left a resource behind.
 */
import http from 'node:http';
import fc from 'fast-check';
import { createEndpoint, type RunningEndpoint } from '@apskit/express';
import { JOB, PROVISIONABLE, api, startHarness, type Harness } from './fixtures/harness';
import { services } from './fixtures/jobs';

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
