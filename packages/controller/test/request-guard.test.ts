/**
 * Issue 15 #5: a web page must not reach a local controller, by DNS rebinding (a foreign Host) or by
 * a cross-site request (a foreign Origin, a `text/plain` body that needs no preflight). Each refusal
 * answers an APS error and changes nothing; the SDK, apps and the console (same origin, JSON) pass.
 */
import http from 'node:http';
import { api, eventually, JOB, startHarness, type Harness } from './fixtures/harness';

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: { code?: number; error?: string; message?: string } & Record<string, unknown>;
}

/** node:http, so that Host, Origin and Content-Type are sent exactly as written. */
function send(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Raw> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        setHost: headers.host === undefined,
        headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: Raw['body'] = {};
          try {
            parsed = text === '' ? {} : (JSON.parse(text) as Raw['body']);
          } catch {
            parsed = { text };
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const ended = (r: { body: { status: string } }) => ['succeeded', 'failed', 'canceled'].includes(r.body.status);

function expectApsError(r: Raw, status: number): void {
  expect(r.status).toBe(status);
  expect(r.body).toMatchObject({ code: status, error: expect.any(String), message: expect.any(String) });
}

describe('issue 15 #5: foreign Host, Origin and Content-Type are refused', () => {
  let h: Harness;
  let port: string;
  let failedTask: string;

  /** The failed task's state, to see that a refused rerun changed nothing. */
  const taskState = async () => {
    const t = await api(h.url, 'GET', `/apskit/tasks/${failedTask}`);
    return { status: t.body.status, attempts: t.body.attempts, history: t.body.history.length };
  };

  beforeAll(async () => {
    h = await startHarness();
    port = new URL(h.url).port;
    const created = await api(h.url, 'POST', '/aps/2/resources', { aps: { type: JOB }, mode: 'fail-async', name: 'g' });
    failedTask = created.headers.get('apskit-task-id') as string;
    await eventually(() => api(h.url, 'GET', `/apskit/tasks/${failedTask}`), ended);
    expect((await api(h.url, 'GET', `/apskit/tasks/${failedTask}`)).body.status).toBe('failed');
  });
  afterAll(() => h.close());

  it('refuses the reported rerun (foreign Host and Origin, text/plain) with 421, and the task stays failed', async () => {
    const before = await taskState();
    const r = await send(
      h.url,
      'POST',
      `/apskit/tasks/${failedTask}/rerun`,
      { host: `evil.example:${port}`, origin: 'http://evil.example', 'content-type': 'text/plain' },
      'x',
    );
    expectApsError(r, 421);
    expect(r.body.message).toContain('evil.example');
    expect(await taskState()).toEqual(before);
  });

  it('refuses any request, reads too, under a rebound name; the console as well', async () => {
    for (const path of [
      '/aps/2/resources',
      '/apskit/tasks',
      '/apskit/instance',
      '/console',
      '/console/console.js',
      '/',
    ]) {
      const r = await send(h.url, 'GET', path, { host: `rebound.attacker.example:${port}` });
      expect([path, r.status]).toEqual([path, 421]);
      expect(r.body.code).toBe(421);
    }
  });

  it('refuses a state-changing request from another origin (403) and marked cross-site (403), changing nothing', async () => {
    const before = await taskState();
    for (const origin of [
      'http://evil.example',
      'null',
      `http://127.0.0.1:${Number(port) + 1}`,
      `http://localhost:${port}`,
    ]) {
      const r = await send(h.url, 'POST', `/apskit/tasks/${failedTask}/rerun`, {
        origin,
        'content-type': 'application/json',
      });
      expectApsError(r, 403);
    }
    const crossSite = await send(h.url, 'POST', `/apskit/tasks/${failedTask}/rerun`, {
      'sec-fetch-site': 'cross-site',
    });
    expectApsError(crossSite, 403);
    const deleted = await send(h.url, 'DELETE', '/aps/2/resources/whatever', { origin: 'http://evil.example' });
    expectApsError(deleted, 403);
    expect(await taskState()).toEqual(before);
  });

  it('refuses a body that is not JSON with 415 (a simple request needs no preflight), and creates nothing', async () => {
    const before = (await api(h.url, 'GET', '/aps/2/resources')).headers.get('content-range');
    const body = JSON.stringify({ aps: { type: JOB }, mode: 'ok', name: 'sneaky' });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const r = await send(h.url, 'POST', '/aps/2/resources', { 'content-type': type }, body);
      expectApsError(r, 415);
    }
    // A body without any Content-Type, and a body-less rerun that names a foreign type.
    expectApsError(await send(h.url, 'POST', '/aps/2/resources', {}, body), 415);
    expectApsError(
      await send(h.url, 'POST', `/apskit/tasks/${failedTask}/rerun`, { 'content-type': 'text/plain' }),
      415,
    );
    expect((await api(h.url, 'GET', '/aps/2/resources')).headers.get('content-range')).toBe(before);
  });

  it('answers GETs on loopback names with any port, and reads from another origin (they cannot read the answer)', async () => {
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, 'LOCALHOST', 'localhost.:1']) {
      const r = await send(h.url, 'GET', '/apskit/instance', { host, origin: 'http://evil.example' });
      expect([host, r.status]).toEqual([host, 200]);
    }
  });

  it('accepts the same origin with JSON (the console), and a body-less POST without Content-Type (SDK, apps)', async () => {
    const created = await send(
      h.url,
      'POST',
      '/aps/2/resources',
      { origin: `http://127.0.0.1:${port}`, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' },
      JSON.stringify({ aps: { type: JOB }, mode: 'ok', name: 'console-made' }),
    );
    expect(created.status).toBe(200);
    // The rerun an app makes through controllerClient: no body, no Content-Type, no Origin.
    const rerun = await send(h.url, 'POST', `/apskit/tasks/${failedTask}/rerun`, {});
    expect(rerun.status).toBe(200);
    expect(rerun.body.status).not.toBe('failed');
  });
});

describe('issue 15 #5: allowed hosts are configurable', () => {
  it('answers the hosts in allowedHosts, and still refuses others', async () => {
    const h = await startHarness({ allowedHosts: ['controller.example', 'Other.Example.'] });
    try {
      const ok = await send(h.url, 'GET', '/apskit/instance', { host: 'controller.example:8443' });
      expect(ok.status).toBe(200);
      expect((await send(h.url, 'GET', '/apskit/instance', { host: 'other.example' })).status).toBe(200);
      expectApsError(await send(h.url, 'GET', '/apskit/instance', { host: 'evil.example' }), 421);
      // Still same-origin only for changes, on an allowed host too.
      const foreign = await send(h.url, 'POST', '/apskit/tasks/x/rerun', {
        host: 'controller.example',
        origin: 'http://evil.example',
      });
      expectApsError(foreign, 403);
      const own = await send(h.url, 'POST', '/apskit/tasks/x/rerun', {
        host: 'controller.example',
        origin: 'https://controller.example',
      });
      expectApsError(own, 404); // through the guard, to a task that does not exist
    } finally {
      await h.close();
    }
  });

  it("turns the Host check off with APSKIT_ALLOWED_HOSTS='*', keeping the Origin check", async () => {
    process.env.APSKIT_ALLOWED_HOSTS = '*';
    let h: Harness | undefined;
    try {
      h = await startHarness();
      expect((await send(h.url, 'GET', '/apskit/instance', { host: 'anything.example' })).status).toBe(200);
      expectApsError(
        await send(h.url, 'POST', '/apskit/tasks/x/rerun', { host: 'anything.example', origin: 'http://evil.example' }),
        403,
      );
    } finally {
      delete process.env.APSKIT_ALLOWED_HOSTS;
      await h?.close();
    }
  });

  it('reads a comma-separated APSKIT_ALLOWED_HOSTS', async () => {
    process.env.APSKIT_ALLOWED_HOSTS = ' a.example , b.example';
    let h: Harness | undefined;
    try {
      h = await startHarness();
      expect((await send(h.url, 'GET', '/apskit/instance', { host: 'b.example' })).status).toBe(200);
      expectApsError(await send(h.url, 'GET', '/apskit/instance', { host: 'c.example' }), 421);
    } finally {
      delete process.env.APSKIT_ALLOWED_HOSTS;
      await h?.close();
    }
  });
});
