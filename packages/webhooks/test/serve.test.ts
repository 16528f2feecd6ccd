/**
 * Issue 15 #7: the marketplace-facing port of a webhook provisioner serves the intake and nothing
 * else, and every error it answers is the APS error body in JSON (no express HTML page, no stack
 * trace). The controller API is served only when asked for, on a listener of its own.
 */
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestHandler } from 'express';
import { standardWebhookHeaders, startWebhookProvisioner, type RunningProvisioner } from '@apskit/webhooks';
import { deliver, eventually, FakeMarketplace, notification, SIGNING_SECRET } from './fixtures/marketplace';
import { startHarness, type Harness } from './fixtures/provisioner';
import { services, Space } from './fixtures/space';

interface RawReply {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly text: string;
}

/** A request as sent, byte for byte (fetch would normalize the path). */
function raw(
  base: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string } = {},
): Promise<RawReply> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, method, path, headers: options.headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], text }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The reply is the APS error body with this status, in JSON, with no HTML and no stack trace. */
function expectApsError(reply: RawReply, status: number): { code: number; error: string; message: string } {
  expect(reply.status).toBe(status);
  expect(reply.contentType).toMatch(/^application\/json/);
  expect(reply.text).not.toMatch(/<html|<pre|<!DOCTYPE/i);
  expect(reply.text).not.toMatch(/\bat [^\s]+ \(|node_modules|\.ts:\d+|\.js:\d+/); // stack frames
  const body = JSON.parse(reply.text) as { code: number; error: string; message: string };
  expect(Object.keys(body).sort()).toEqual(['code', 'error', 'message']);
  expect(body.code).toBe(status);
  expect(typeof body.error).toBe('string');
  expect(typeof body.message).toBe('string');
  return body;
}

const MALFORMED = '/aps/2/resources/%E0%A4%A';

describe('issue 15 #7: by default, the webhook port serves the intake and nothing else', () => {
  let dir: string;
  let marketplace: FakeMarketplace;
  let p: RunningProvisioner;
  // A middleware that fails, as a user's might: its error must not reach the caller as a page or a stack.
  const failing: RequestHandler = (req, _res, next) => {
    if (req.headers['x-fail'] !== undefined)
      next(new Error('the allow-list store is down\n    at check (/srv/app/allow-list.ts:12:5)'));
    else next();
  };

  beforeAll(async () => {
    Space.reset();
    dir = mkdtempSync(join(tmpdir(), 'apskit-webhooks-serve-'));
    marketplace = await new FakeMarketplace().start();
    p = await startWebhookProvisioner({
      app: { name: 'serve', services },
      dataDir: dir,
      port: 0,
      timeScale: 0.01,
      pollMs: 20,
      intakeMiddleware: [failing],
      webhooks: {
        type: Space,
        resource: (n) => ({ adminEmail: n.provisionDetail?.details?.adminEmail, seats: 1 }),
        authentication: { hmac: { secrets: [SIGNING_SECRET] } },
        results: { url: marketplace.resultsUrl, timeoutMs: 500 },
        bodyLimit: '10kb',
      },
    });
  });
  afterAll(async () => {
    await p.close();
    await marketplace.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('has no controller listener unless asked', () => {
    expect(p.controllerUrl).toBeUndefined();
    expect(p.controllerServer).toBeUndefined();
  });

  it.each([
    ['GET', '/aps/2/resources'],
    ['GET', '/aps/2/types'],
    ['POST', '/aps/2/resources'],
    ['DELETE', '/aps/2/resources'],
    ['GET', '/apskit/tasks'],
    ['POST', '/apskit/tasks/some-task/rerun'],
    ['GET', '/apskit/events'],
    ['GET', '/console'],
    ['GET', '/metrics'],
    ['GET', '/'],
  ])('%s %s: 404 with the APS error body', async (method, path) => {
    const reply = await raw(p.url, method, path, {
      headers: { 'content-type': 'application/json' },
      body: method === 'GET' ? undefined : '{}',
    });
    expect(expectApsError(reply, 404).message).toBe(`Nothing here: ${method} ${path}`);
  });

  it('a malformed URI answers JSON, no stack', async () => {
    expectApsError(await raw(p.url, 'GET', MALFORMED), 404);
    expectApsError(await raw(p.url, 'POST', '/webhooks/provision/%E0%A4%A', { body: '{}' }), 404);
  });

  it('wrong methods on the intake: 405 with the APS error body', async () => {
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH'])
      expect(expectApsError(await raw(p.url, method, '/webhooks/provision'), 405).message).toBe(
        'Provision notifications are POSTed',
      );
  });

  it('bad JSON, an oversized body, an unknown content encoding: APS error bodies', async () => {
    const signedRaw = (body: string, headers: Record<string, string> = {}): Promise<RawReply> =>
      raw(p.url, 'POST', '/webhooks/provision', {
        headers: {
          'content-type': 'application/json',
          ...standardWebhookHeaders(SIGNING_SECRET, 'msg_x', body),
          ...headers,
        },
        body,
      });
    expect(expectApsError(await signedRaw('{"provisionRequest": '), 400).message).toMatch(/^Malformed JSON body: /);
    expect(expectApsError(await signedRaw(JSON.stringify({ pad: 'x'.repeat(20_000) })), 413).message).toMatch(
      /^Request body too large/,
    );
    expectApsError(await signedRaw('{}', { 'content-encoding': 'bogus' }), 415);
    expect(await p.controller.listTasks({})).toEqual([]);
  });

  it('an error thrown in front of the intake: 500 with its first line, no stack', async () => {
    const body = expectApsError(
      await raw(p.url, 'POST', '/webhooks/provision', { headers: { 'x-fail': '1' }, body: '{}' }),
      500,
    );
    expect(body.message).toBe('the allow-list store is down');
  });

  it('still acknowledges and provisions', async () => {
    const n = notification({ details: { adminEmail: 'serve@example.com' } });
    expect((await deliver(p.webhookUrl, n)).status).toBe(202);
    await eventually(
      () => marketplace.acceptedFor(n.provisionAttempt.id),
      (r) => r.length === 1,
    );
    expect(Space.calls).toContain('provision serve@example.com');
  });
});

describe('issue 15 #7: the controller API, when asked for, is on a listener of its own', () => {
  let h: Harness; // the harness asks for it: controllerApi: true
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('serves resources and tasks on its own port, and the webhook port still does not', async () => {
    const api = h.provisioner.controllerUrl!;
    expect(api).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(new URL(api).port).not.toBe(new URL(h.provisioner.url).port);

    const n = notification({ details: { adminEmail: 'listener@example.com' } });
    expect((await deliver(h.webhookUrl, n)).status).toBe(202);
    await eventually(
      () => h.marketplace.acceptedFor(n.provisionAttempt.id),
      (r) => r.length === 1,
    );

    const resources = await raw(api, 'GET', '/aps/2/resources');
    expect(resources.status).toBe(200);
    expect((JSON.parse(resources.text) as Array<{ adminEmail: string }>).map((r) => r.adminEmail)).toContain(
      'listener@example.com',
    );
    const tasks = await raw(api, 'GET', '/apskit/tasks');
    expect(tasks.status).toBe(200);
    expect(tasks.text).toContain(n.provisionRequest.id);

    for (const path of ['/aps/2/resources', '/apskit/tasks'])
      expectApsError(await raw(h.provisioner.url, 'GET', path), 404);
  });

  it('a malformed URI on the controller listener answers JSON, no stack', async () => {
    expectApsError(await raw(h.provisioner.controllerUrl!, 'GET', MALFORMED), 400);
  });

  it('close() closes both listeners', async () => {
    const other = await startHarness();
    const { url, controllerUrl } = other.provisioner;
    expect((await raw(controllerUrl!, 'GET', '/aps/2/resources')).status).toBe(200);
    await other.close();
    for (const base of [url, controllerUrl!])
      await expect(raw(base, 'GET', '/')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
