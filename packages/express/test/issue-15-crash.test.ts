/**
 * Issue 15, finding #1: one request must never stop an endpoint. The endpoint runs in a child
 * process (fixtures/hostile-app.ts), so that a crash is a child that exited, asserted like anything
 * else, rather than a jest run that died. Everything goes over real HTTP on 127.0.0.1.
 */
import http from 'node:http';
import net from 'node:net';
import { killChildren, startChild, type Child } from './fixtures/hostile-child';

jest.setTimeout(60_000);

const UNSERIALIZABLE =
  'Internal error: the application answered with a value JSON cannot express (a BigInt, a cycle, a function…)';

afterAll(killChildren);

interface RawReply {
  status: number;
  /** As node:http gives them: each byte of a value as one Latin-1 character. */
  headers: http.IncomingHttpHeaders;
  text: string;
  body: Record<string, unknown> | undefined;
}

function request(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const url = new URL(base);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise<RawReply>((done, fail) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        agent: false,
        headers: { ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: Record<string, unknown> | undefined;
          try {
            parsed = text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>);
          } catch {
            parsed = undefined;
          }
          done({ status: res.statusCode ?? 0, headers: res.headers, text, body: parsed });
        });
        res.on('error', fail);
      },
    );
    req.on('error', fail);
    req.end(payload);
  });
}

/** Bytes on a socket, for header values node:http would refuse to send. */
function rawExchange(base: string, bytes: Buffer): Promise<string> {
  const url = new URL(base);
  return new Promise((done, fail) => {
    const socket = net.connect(Number(url.port), url.hostname, () => socket.write(bytes));
    let answer = '';
    socket.on('data', (c: Buffer) => (answer += c.toString('latin1')));
    socket.on('close', () => done(answer));
    socket.on('error', fail);
  });
}

/** The child still serves: a fresh request answers, and it has not exited. */
async function expectAlive(child: Child): Promise<void> {
  const reply = await request(child.url, 'GET', '/things/alive-check');
  expect(reply.status).toBe(200);
  expect(child.hasExited()).toBe(false);
}

async function waitFor(test: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const CONTROL_CHARS = [
  ...Array.from({ length: 0x09 }, (_, i) => i), // 0x00–0x08
  ...Array.from({ length: 0x20 - 0x0a }, (_, i) => 0x0a + i), // 0x0A–0x1F (LF, VT, FF, CR among them)
  0x7f,
  0x85, // a C1 control (NEL)
].map((code) => String.fromCharCode(code));

describe('issue 15 #1: an endpoint with the guard (the default)', () => {
  let child: Child;
  beforeAll(async () => {
    child = await startChild();
  });

  it('issue 15 #1: an Accepted message holding request data with any control character answers 202 with a clean APS-Info, and the process keeps answering', async () => {
    for (const ch of CONTROL_CHARS) {
      const reply = await request(child.url, 'POST', '/things/', { name: `x${ch}y` });
      const what = `U+${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
      expect([what, reply.status]).toEqual([what, 202]);
      expect([what, reply.headers['aps-info']]).toEqual([what, 'Creating x y']);
      expect(reply.headers['aps-retry-timeout']).toBe('30');
    }
    // A run of them is one space; a tab is allowed in a header and stays.
    const run = await request(child.url, 'POST', '/things/', { name: 'x\u0000\r\n\u0007y\tz' });
    expect(run.headers['aps-info']).toBe('Creating x y\tz');
    expect(child.hasExited()).toBe(false);
    await expectAlive(child);
  });

  it('issue 15 #1: non-ASCII text goes as its UTF-8 bytes, and a long message is cut at a character boundary', async () => {
    const accented = await request(child.url, 'POST', '/things/', { name: 'café\u0000☃' });
    expect(accented.status).toBe(202);
    // node:http reads header bytes as Latin-1: decode them back as UTF-8, as the controller does.
    expect(Buffer.from(accented.headers['aps-info'] as string, 'latin1').toString('utf8')).toBe('Creating café ☃');

    const long = await request(child.url, 'POST', '/things/', { name: 'é'.repeat(10_000) });
    expect(long.status).toBe(202);
    const bytes = Buffer.from(long.headers['aps-info'] as string, 'latin1');
    expect(bytes.length).toBeLessThanOrEqual(4096);
    const text = bytes.toString('utf8');
    expect(text).toMatch(/^Creating é+…$/);
    expect(text).not.toContain('\ufffd');
  });

  it('issue 15 #1: an APS-Transaction-ID with odd bytes: controls are refused by the HTTP parser, Latin-1 bytes come back as sent', async () => {
    const body = '{"name":"tx"}';
    const head = (tx: Buffer): Buffer =>
      Buffer.concat([
        Buffer.from(
          `POST /things/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\n` +
            `Content-Length: ${body.length}\r\nAPS-Transaction-ID: `,
        ),
        tx,
        Buffer.from(`\r\n\r\n${body}`),
      ]);
    for (const b of [0x00, 0x01, 0x0b, 0x1f, 0x7f]) {
      const answer = await rawExchange(child.url, head(Buffer.from([0x61, b, 0x62])));
      expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    }
    const answer = await rawExchange(child.url, head(Buffer.from([0x61, 0xc3, 0xa9, 0xff, 0x62])));
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 202 Accepted');
    expect(answer).toContain('\r\nAPS-Transaction-ID: a\u00c3\u00a9\u00ffb\r\n'); // the same five bytes
    await expectAlive(child);
  });

  it('issue 15 #1: an answer JSON cannot express (BigInt, cycle, throwing toJSON, a function) is a 500 APS error, and the server keeps answering', async () => {
    for (const path of ['bigint', 'cycle', 'throwing-json', 'function', 'accepted-cycle', 'bigint-details']) {
      const reply = await request(child.url, 'GET', `/things/t1/${path}`, undefined, { 'APS-Transaction-ID': 'tx-9' });
      expect([path, reply.status, reply.body]).toEqual([
        path,
        500,
        { code: 500, error: 'Exception', message: UNSERIALIZABLE },
      ]);
      expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(reply.headers['aps-transaction-id']).toBe('tx-9');
      expect(reply.headers['aps-info']).toBeUndefined(); // the 202 of accepted-cycle did not half-happen
    }
    // An ApsError whose status HTTP has not is the app's bug: a 500, not a thrown RangeError.
    const odd = await request(child.url, 'GET', '/things/t1/odd-status');
    expect(odd.status).toBe(500);
    expect(odd.body).toEqual({ code: 500, error: 'Exception', message: 'a status HTTP has not' });
    await expectAlive(child);
  });

  it('issue 15 #1: the process guard logs a forgotten rejection and a throwing timer, and the endpoint keeps answering', async () => {
    const reply = await request(child.url, 'GET', '/things/t1/forget');
    expect(reply.status).toBe(204);
    await waitFor(
      () =>
        child.lines.some((l) => l.msg === 'unhandled promise rejection (the process keeps running)') &&
        child.lines.some((l) => l.msg === 'uncaught exception (the process keeps running)'),
      'guard log lines',
    );
    const logged = child.lines.find((l) => l.msg === 'unhandled promise rejection (the process keeps running)');
    expect((logged?.err as { message?: string } | undefined)?.message).toBe('a forgotten promise');
    await expectAlive(child);
  });

  it('issue 15 #1: close() removes the guard: a rejection after it ends the process as Node does', async () => {
    child.proc.stdin.write('close\n');
    const code = await child.exited;
    expect(child.lines.some((l) => l.closed === true)).toBe(true);
    expect(code).toBe(1);
    expect(child.stderr()).toContain('rejected after close');
  });
});

it('issue 15 #1: with processGuard: false the forgotten rejection stops the process, so the guard is what keeps it up', async () => {
  const child = await startChild({ APSKIT_TEST_GUARD: 'off' });
  await request(child.url, 'GET', '/things/t1/forget').catch(() => undefined);
  const code = await Promise.race([
    child.exited,
    new Promise<'alive'>((r) => setTimeout(() => r('alive'), 10_000).unref()),
  ]);
  expect(code).toBe(1);
  expect(child.stderr()).toContain('a forgotten promise');
});
