/**
 * Fuzzing the shapes of issue 15 (#1 and #2) against an endpoint in a child process
 * (fixtures/hostile-app.ts), with requests written as raw bytes: control characters in every string
 * that reaches a header (resource names and body fields that go into Accepted messages, query
 * parameters, APS-Transaction-ID bytes), and hostile APS-Controller-URI values (127.0.0.1 ports,
 * non-URLs, file:, data:, odd bytes). Every answer is a success or a well-formed APS error with
 * clean header lines, the forged URIs see no connection, and the child still answers after the run.
 */
import net, { type AddressInfo } from 'node:net';
import fc from 'fast-check';
import { closedPort } from './fixtures/http';
import { killChildren, startChild, type Child } from './fixtures/hostile-child';

jest.setTimeout(60_000);

let child: Child;
let internal: net.Server;
let internalPort: number;
let closed: number;
let connections = 0;

beforeAll(async () => {
  internal = net.createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((r) => internal.listen(0, '127.0.0.1', r));
  internalPort = (internal.address() as AddressInfo).port;
  closed = await closedPort();
  // No controllerUri nor APSKIT_CONTROLLER_URI: only the header could name a controller.
  child = await startChild({ APSKIT_CONTROLLER_URI: '' });
});

afterAll(async () => {
  killChildren();
  await new Promise<void>((r) => internal.close(() => r()));
});

interface RawAnswer {
  status: number;
  /** Header lines as bytes read as Latin-1, one per line. */
  headerLines: string[];
  body: string;
}

/** One request on its own connection, as bytes: Node's client would refuse many of these headers. */
function exchange(base: string, request: Buffer): Promise<RawAnswer> {
  const url = new URL(base);
  return new Promise((done, fail) => {
    const socket = net.connect(Number(url.port), url.hostname, () => socket.write(request));
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', fail);
    socket.on('close', () => {
      const all = Buffer.concat(chunks);
      const end = all.indexOf('\r\n\r\n');
      const head = all.subarray(0, end < 0 ? all.length : end).toString('latin1');
      const [statusLine = '', ...headerLines] = head.split('\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(statusLine)?.[1] ?? 0);
      done({ status, headerLines, body: end < 0 ? '' : all.subarray(end + 4).toString('utf8') });
    });
  });
}

function rawRequest(method: string, path: string, headers: Array<[string, Buffer]>, body?: string): Buffer {
  const parts: Buffer[] = [Buffer.from(`${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n`)];
  for (const [name, value] of headers) parts.push(Buffer.from(`${name}: `), value, Buffer.from('\r\n'));
  if (body !== undefined) {
    const bytes = Buffer.from(body, 'utf8');
    parts.push(Buffer.from(`Content-Type: application/json\r\nContent-Length: ${bytes.length}\r\n\r\n`), bytes);
  } else parts.push(Buffer.from('\r\n'));
  return Buffer.concat(parts);
}

// eslint-disable-next-line no-control-regex
const BAD_HEADER_LINE = /[\x00-\x08\x0a-\x1f\x7f]/;

/**
 * A success or an APS error body whose code is the status, and header lines Node could write. A
 * request whose header bytes Node's HTTP parser refuses is answered by Node itself, before the
 * endpoint: a bodyless 400 (that is no crash either).
 */
function expectWellFormed(r: RawAnswer, what: string, parserMayRefuse: boolean): void {
  if (r.status === 0) throw new Error(`${what}: no answer (connection closed)`);
  for (const line of r.headerLines) {
    if (BAD_HEADER_LINE.test(line) || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+: /.test(line)) {
      throw new Error(`${what}: a malformed header line ${JSON.stringify(line)}`);
    }
  }
  if (r.status < 400) return;
  if (parserMayRefuse && r.status === 400 && r.body === '') return;
  let body: { code?: unknown; error?: unknown; message?: unknown };
  try {
    body = JSON.parse(r.body) as typeof body;
  } catch {
    throw new Error(`${what} answered ${r.status} with a body that is not JSON: ${r.body.slice(0, 200)}`);
  }
  if (body.code !== r.status || typeof body.error !== 'string' || typeof body.message !== 'string') {
    throw new Error(`${what} answered ${r.status} with a malformed APS error: ${r.body.slice(0, 300)}`);
  }
}

const CONTROL = fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c));
const HOSTILE_CHAR = fc.oneof(
  CONTROL,
  fc.constantFrom('\u007f', '\u0085', '\u2028', '\ud800', '%', '"', '\\', 'é', '☃', '😀'),
  fc.string({ minLength: 1, maxLength: 1 }),
);
/** Text with control characters (and other odd ones) where an app writes request data. */
const HOSTILE_TEXT = fc.string({ unit: HOSTILE_CHAR, maxLength: 40 });

/** Every UTF-8 byte percent-encoded (encodeURIComponent throws on a lone surrogate). */
const percent = (text: string): string =>
  [...Buffer.from(text, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

const ID = fc.oneof(fc.constantFrom('t1', 'r%00', '%0d%0a', '%7f', 'x%20y'), fc.stringMatching(/^[a-z0-9]{1,8}$/));

const REQUEST: fc.Arbitrary<{ method: string; path: string; body?: string }> = fc.oneof(
  HOSTILE_TEXT.map((name) => ({ method: 'POST', path: '/things/', body: JSON.stringify({ name }) })),
  fc
    .tuple(ID, HOSTILE_TEXT)
    .map(([id, name]) => ({ method: 'PUT', path: `/things/${id}`, body: JSON.stringify({ name }) })),
  fc.tuple(ID, HOSTILE_TEXT).map(([id, text]) => ({
    method: 'POST',
    path: `/things/${id}/notify`,
    body: JSON.stringify({ text }),
  })),
  HOSTILE_TEXT.map((text) => ({ method: 'GET', path: `/things/say?text=${percent(text)}` })),
  ID.map((id) => ({ method: 'GET', path: `/things/${id}` })),
  ID.map((id) => ({ method: 'DELETE', path: `/things/${id}` })),
  fc.constant({ method: 'GET', path: '/things/via-client' }),
);

const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');

/** APS-Controller-URI values a caller might forge, as bytes. */
const FORGED_URI = (): fc.Arbitrary<Buffer> =>
  fc.oneof(
    fc
      .constantFrom(
        `http://127.0.0.1:${internalPort}/`,
        `http://127.0.0.1:${internalPort}`,
        `http://127.0.0.1:${closed}/`,
        `http://localhost:${internalPort}/base/`,
        `http://127.0.0.1:${internalPort}/aps/2/resources/../../..`,
        `https://127.0.0.1:${internalPort}/`,
        `http://[::ffff:127.0.0.1]:${internalPort}/`,
        `http://2130706433:${internalPort}/`,
        'file:///etc/passwd',
        'data:application/json,{"aps":{"id":"forged"},"name":"forged"}',
        'gopher://127.0.0.1:70/',
        'not a url',
        '',
      )
      .map(latin1),
    fc.uint8Array({ minLength: 0, maxLength: 24 }).map((bytes) => Buffer.from(bytes)),
  );

/** Transaction IDs as bytes: printable, Latin-1, and control bytes (which Node's parser refuses). */
const TX = fc.oneof(
  fc.stringMatching(/^[\x21-\x7e]{1,20}$/).map(latin1),
  fc.uint8Array({ minLength: 1, maxLength: 16 }).map((bytes) => Buffer.from(bytes)),
);

it('issue 15 #1 and #2: hostile strings and headers get successes or well-formed APS errors, no crash, no outbound connection', async () => {
  const started = Date.now();
  await fc.assert(
    fc.asyncProperty(
      REQUEST,
      fc.option(FORGED_URI(), { nil: undefined }),
      fc.option(TX, { nil: undefined }),
      async (r, uri, tx) => {
        if (child.hasExited()) throw new Error(`the endpoint process had exited: ${child.stderr().slice(-400)}`);
        const headers: Array<[string, Buffer]> = [];
        if (uri !== undefined) headers.push(['APS-Controller-URI', uri]);
        if (tx !== undefined) headers.push(['APS-Transaction-ID', tx]);
        // A header value Node's parser refuses: control bytes (but tab), or one that would split the line.
        const refusable = [uri, tx].some(
          (b) => b !== undefined && b.some((x) => (x < 0x20 && x !== 0x09) || x === 0x7f),
        );
        const answer = await exchange(child.url, rawRequest(r.method, r.path, headers, r.body));
        expectWellFormed(answer, `${r.method} ${r.path.slice(0, 60)}`, refusable);
        if (child.hasExited()) throw new Error(`the endpoint exited after ${r.method} ${r.path.slice(0, 60)}`);
      },
    ),
    // No shrinking: after a crash every request fails alike, so the first counterexample is the one.
    { numRuns: 400, endOnFailure: true },
  );
  expect(Date.now() - started).toBeLessThan(20_000);
  expect(connections).toBe(0);
  const alive = await exchange(child.url, rawRequest('GET', '/things/alive', []));
  expect(alive.status).toBe(200);
  expect(child.hasExited()).toBe(false);
});
