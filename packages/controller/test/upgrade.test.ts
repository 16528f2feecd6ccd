/**
 * Issue 19, upgrade: `POST /apskit/instance/upgrade` runs the application's upgrade as a task on the
 * root (globals) resource, which is `aps:upgrading` while it runs, the endpoint's `upgrade` operation
 * called with the version it upgrades from, 202 re-polled as for provisioning
 * (docs.cloudblue.com/cbc/sdk/21.0/api/rest/application/upgrade).
 * The endpoint is a recording double over node:http written from the spec: it shares no APSKit code.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApsType, CoreTypes } from '@apskit/core';
import { Controller, serveController, type RunningController } from '@apskit/controller';

@ApsType({ name: 'globals', id: 'http://apskit.test/upgrade/globals/1.0', implements: [CoreTypes.application] })
class Globals {
  provision(): void {}
  upgrade(): void {}
}

type Mode = 'sync' | 'async' | 'fail';
interface Call {
  method: string;
  url: string;
  phase: string | undefined;
  body: unknown;
}

let mode: Mode = 'sync';
let calls: Call[] = [];
/** The endpoint holds its (final) upgrade answer until the test releases it. */
let release: () => void = () => {};
let gate: Promise<void> = Promise.resolve();
let reached: () => void = () => {};
let held: Promise<void> = Promise.resolve();
function hold(): void {
  gate = new Promise((resolve) => (release = resolve));
  held = new Promise((resolve) => (reached = resolve));
}

let endpoint: http.Server;
let running: RunningController;
let dir: string;
let globalsId: string;

function reply(res: http.ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

interface Answer {
  status: number;
  taskId: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

async function api(method: string, path: string, body?: unknown): Promise<Answer> {
  const res = await fetch(`${running.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const taskId = res.headers.get('apskit-task-id') ?? '';
  return { status: res.status, taskId, body: text === '' ? undefined : JSON.parse(text) };
}

async function until<T>(probe: () => Promise<T | undefined>, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function status(): Promise<string> {
  return (await api('GET', `/aps/2/resources/${globalsId}`)).body.aps.status as string;
}

async function ended(
  taskId: string,
): Promise<{ status: string; output: string; name: string; history: { kind: string; message: string }[] }> {
  return until(async () => {
    const t = (await api('GET', `/apskit/tasks/${taskId}`)).body;
    return ['succeeded', 'failed'].includes(t.status) ? t : undefined;
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'apskit-upgrade-'));
  endpoint = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body = text === '' ? undefined : (JSON.parse(text) as unknown);
      const phase = req.headers['aps-request-phase'] as string | undefined;
      calls.push({ method: req.method ?? '', url: req.url ?? '', phase, body });
      if (req.method === 'POST' && req.url === '/globals/') return reply(res, 200, body);
      if (req.method === 'PUT' && /^\/globals\/[^/]+$/.test(req.url ?? '')) return reply(res, 200, body);
      if (req.method === 'POST' && /^\/globals\/[^/]+\/upgrade/.test(req.url ?? '')) {
        if (mode === 'async' && phase !== 'async')
          return reply(res, 202, undefined, { 'APS-Retry-Timeout': '1', 'APS-Info': 'Migrating mailboxes' });
        reached();
        void gate.then(() =>
          mode === 'fail'
            ? reply(res, 500, { code: 500, error: 'Upgrade', message: 'Schema migration 7 failed' })
            : reply(res, 200, {}),
        );
        return;
      }
      reply(res, 404, { code: 404, message: `no ${req.method} ${req.url}` });
    });
  });
  await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
  const controller = new Controller({
    app: { name: 'mail-hosting', services: { globals: Globals } },
    endpoint: { url: `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}` },
    dataDir: dir,
    timeScale: 0.01,
  });
  running = await serveController(controller, { port: 0 });
  globalsId = await until(async () => (await api('GET', '/apskit/instance')).body.globalsId ?? undefined);
  await until(async () => ((await status()) === 'aps:ready' ? true : undefined));
});

afterAll(async () => {
  await running.close();
  await new Promise<void>((resolve) => endpoint.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  calls = [];
});

it('upgrades synchronously (200): aps:upgrading while the endpoint works, then aps:ready with the version recorded', async () => {
  mode = 'sync';
  hold();
  const answer = api('POST', '/apskit/instance/upgrade', { version: '1.1' });
  await held;
  expect(await status()).toBe('aps:upgrading');
  release();
  const done = await answer;
  expect(done.status).toBe(200);
  const task = await ended(done.taskId);
  expect(task).toMatchObject({ status: 'succeeded', name: 'Upgrading application mail-hosting' });
  // Nothing stored under an older type ID: done with the endpoint's answer, the version recorded.
  expect(task.output).toBe('Upgraded to 1.1');
  expect(task.history[task.history.length - 1]).toMatchObject({
    kind: 'succeeded',
    message: 'Completed: the endpoint answered HTTP 200; Upgraded to 1.1',
  });
  expect(await status()).toBe('aps:ready');
  expect((await api('GET', '/apskit/instance')).body.version).toBe('1.1');
  // Called on the root resource; a first upgrade has no version to upgrade from.
  expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([`POST /globals/${globalsId}/upgrade`]);
});

it('upgrades asynchronously (202, then done when re-polled), naming the version it upgrades from', async () => {
  mode = 'async';
  hold();
  const first = await api('POST', '/apskit/instance/upgrade', { version: '1.2' });
  expect(first.status).toBe(202);
  await held; // the re-poll (async phase) has reached the endpoint
  expect(await status()).toBe('aps:upgrading');
  release();
  expect(await ended(first.taskId)).toMatchObject({ status: 'succeeded' });
  expect(await status()).toBe('aps:ready');
  expect((await api('GET', '/apskit/instance')).body.version).toBe('1.2');
  expect(calls.map((c) => [c.url, c.phase])).toEqual([
    [`/globals/${globalsId}/upgrade?version=1.1`, 'sync'],
    [`/globals/${globalsId}/upgrade?version=1.1`, 'async'],
  ]);
  expect(calls[0]?.body).toMatchObject({ version: '1.1' });
});

it('a failed upgrade (500) fails the task with the endpoint message and leaves the instance usable', async () => {
  mode = 'fail';
  hold();
  release();
  const res = await api('POST', '/apskit/instance/upgrade', { version: '2.0' });
  expect(res.status).toBe(500);
  expect(res.body.message).toBe('Schema migration 7 failed');
  const task = await ended(res.taskId);
  expect(task).toMatchObject({ status: 'failed', output: 'Schema migration 7 failed' });
  expect(await status()).toBe('aps:ready');
  expect((await api('GET', '/apskit/instance')).body.version).toBe('1.2');
  // Usable: a configure of the root goes through, and the next upgrade starts from 1.2.
  const configured = await api('PUT', `/aps/2/resources/${globalsId}`, {});
  expect(configured.status).toBe(200);
  expect(configured.body.aps.status).toBe('aps:ready');
  calls = [];
  mode = 'sync';
  const again = await api('POST', '/apskit/instance/upgrade', { version: '2.0' });
  expect(again.status).toBe(200);
  expect(calls.map((c) => c.url)).toEqual([`/globals/${globalsId}/upgrade?version=1.2`]);
  expect((await api('GET', '/apskit/instance')).body.version).toBe('2.0');
});

it('refuses an upgrade without a version (400 naming the field), calling nothing', async () => {
  const res = await api('POST', '/apskit/instance/upgrade', {});
  expect(res.status).toBe(400);
  expect(JSON.stringify(res.body)).toContain('version');
  expect(calls).toEqual([]);
});
