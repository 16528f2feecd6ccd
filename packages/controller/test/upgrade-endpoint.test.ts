/**
 * Issue 19, upgrade against an APSKit endpoint served over HTTP: the globals type's `upgrade(body)`
 * throws `Accepted` (202) and its `upgradeAsync(body)` finishes when the controller polls again, as
 * the spec's async phase goes (docs.cloudblue.com/cbc/sdk/21.0/api/rest/application/upgrade); a
 * second upgrade's `upgrade` throws, and the task fails with its message, the instance usable.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { Accepted, ApsType, CoreTypes, Property } from '@apskit/core';
import { createEndpoint } from '@apskit/express';
import { Controller, serveController, type RunningController } from '@apskit/controller';

/** What the endpoint's upgrade methods were called with, and what the next upgrade does. */
const calls: Array<{ method: string; body: unknown }> = [];
let failWith: string | undefined;

@ApsType({
  name: 'globals',
  id: 'http://apskit.test/upgrade-endpoint/globals/1.0',
  implements: [CoreTypes.application],
})
class Globals {
  @Property() motd?: string;

  provision(): void {}

  configure(): void {}

  upgrade(body: unknown): void {
    calls.push({ method: 'upgrade', body });
    if (failWith) throw new Error(failWith);
    throw new Accepted(this, 'Reindexing mailboxes', 1);
  }

  upgradeAsync(body: unknown): void {
    calls.push({ method: 'upgradeAsync', body });
  }
}

let server: Server;
let running: RunningController;
let dir: string;
let globalsId: string;

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
  return { status: res.status, taskId: res.headers.get('apskit-task-id') ?? '', body: text ? JSON.parse(text) : null };
}

async function until<T>(probe: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  const app = express();
  app.use(createEndpoint({ services: { globals: Globals }, logger: false }));
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  dir = mkdtempSync(join(tmpdir(), 'apskit-upgrade-endpoint-'));
  const controller = new Controller({
    app: { name: 'mail-hosting', services: { globals: Globals } },
    endpoint: { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` },
    dataDir: dir,
    timeScale: 0.01,
    pollMs: 20,
  });
  running = await serveController(controller, { port: 0 });
  globalsId = await until(async () => (await api('GET', '/apskit/instance')).body.globalsId ?? undefined);
});

afterAll(async () => {
  await running.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

it('runs upgrade (Accepted: 202), then upgradeAsync when polled again, with the versions from and to', async () => {
  const started = await api('POST', '/apskit/instance/upgrade', { version: '1.1' });
  expect(started.status).toBe(202);
  expect(started.body.aps).toMatchObject({ id: globalsId, status: 'aps:upgrading' });
  const task = await until(async () => {
    const t = (await api('GET', `/apskit/tasks/${started.taskId}`)).body;
    return t.status === 'succeeded' ? t : undefined;
  });
  expect(task).toMatchObject({ name: 'Upgrading application mail-hosting', description: 'Reindexing mailboxes' });
  expect(calls).toEqual([
    { method: 'upgrade', body: { version: null, to: '1.1' } },
    { method: 'upgradeAsync', body: { version: null, to: '1.1' } },
  ]);
  expect((await api('GET', `/aps/2/resources/${globalsId}`)).body.aps.status).toBe('aps:ready');
  expect((await api('GET', '/apskit/instance')).body.version).toBe('1.1');
});

it("fails the task with the endpoint's message when upgrade throws; the instance stays usable at its version", async () => {
  calls.length = 0;
  failWith = 'The mail store is read-only';
  const res = await api('POST', '/apskit/instance/upgrade', { version: '2.0' });
  expect(res.status).toBe(500);
  expect(res.body.message).toBe('The mail store is read-only');
  const task = (await api('GET', `/apskit/tasks/${res.taskId}`)).body;
  expect(task).toMatchObject({ status: 'failed', output: 'The mail store is read-only' });
  expect(calls).toEqual([{ method: 'upgrade', body: { version: '1.1', to: '2.0' } }]);
  expect((await api('GET', '/apskit/instance')).body.version).toBe('1.1');
  const configured = await api('PUT', `/aps/2/resources/${globalsId}`, { motd: 'Back soon' });
  expect(configured.status).toBe(200);
  expect(configured.body.aps.status).toBe('aps:ready');
});
