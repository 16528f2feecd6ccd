/**
 * Issue 19: `client.upgrade(version)` against a real controller over HTTP, whose endpoint is a
 * node:http double written from the spec (docs.cloudblue.com/cbc/sdk/21.0/api/rest/application/upgrade:
 * the controller calls the root resource's `upgrade` operation; it may answer 202 and be re-polled).
 * The upgrade is an operation like a create: `waitFor` follows its task, `onProgress` sees it run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApsClientError, createClient, OperationFailedError, type ApsClient, type TaskProgress } from '@apskit/client';
import { Controller, serveController, type RunningController } from '@apskit/controller';
import { ApsType, CoreTypes } from '@apskit/core';

@ApsType({ name: 'globals', id: 'http://apskit.test/client-upgrade/globals/1.0', implements: [CoreTypes.application] })
class Globals {
  provision(): void {}
  upgrade(): void {}
}

/** How the double answers an upgrade: 202 twice, then 200 (`async`) or 500 with a message (`fail`). */
let mode: 'async' | 'fail' = 'async';
let polls = 0;
let endpoint: http.Server;
let running: RunningController;
let client: ApsClient;
let dir: string;
const quick = { initialDelay: 10, interval: 20, backoff: 1.5, maxInterval: 100, deadline: 10_000 };

beforeAll(async () => {
  endpoint = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      if (!/\/upgrade(\?|$)/.test(req.url ?? ''))
        return send(200, JSON.parse(Buffer.concat(chunks).toString() || '{}'));
      polls++;
      if (polls <= 2)
        return send(202, {}, { 'APS-Retry-Timeout': '1', 'APS-Info': `Reindexing mailboxes (step ${polls} of 2)` });
      if (mode === 'fail') return send(500, { code: 500, error: 'Upgrade', message: 'The mail store is read-only' });
      send(200, {});
    });
  });
  await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
  dir = mkdtempSync(join(tmpdir(), 'apskit-client-upgrade-'));
  const controller = new Controller({
    app: { name: 'mail-hosting', services: { globals: Globals } },
    endpoint: { url: `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}` },
    dataDir: dir,
    timeScale: 0.01,
    pollMs: 20,
  });
  running = await serveController(controller, { port: 0 });
  client = createClient({ baseUrl: running.url });
});

afterAll(async () => {
  await running.close();
  await new Promise<void>((resolve) => endpoint.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

it('upgrade() returns the operation of the upgrade task; waitFor follows it to the end, onProgress seeing it run', async () => {
  mode = 'async';
  const before = await client.instance();
  expect(before).toMatchObject({ application: 'mail-hosting', version: null });
  // Issue 22, F10: the globals resource itself beside its id (typed in InstanceInfo).
  expect(before.globals?.aps).toMatchObject({
    id: before.globalsId,
    type: 'http://apskit.test/client-upgrade/globals/1.0',
  });
  const op = await client.upgrade('1.1', { requestId: 'upgrade-1.1' });
  expect(op).toMatchObject({ kind: 'upgrade', requestId: 'upgrade-1.1', status: 'pending' });
  expect(op.resourceId).toBe(before.globalsId);
  expect(op.resource?.aps.status).toBe('aps:upgrading');

  const progress: TaskProgress[] = [];
  const done = await client.waitFor(op, { ...quick, onProgress: (p) => progress.push(p) });
  expect(done.task).toMatchObject({ id: op.taskId, name: 'Upgrading application mail-hosting', status: 'succeeded' });
  expect(done.resource.aps).toMatchObject({ id: before.globalsId, status: 'aps:ready' });
  expect(progress.some((p) => /^Reindexing mailboxes \(step \d of 2\)$/.test(p.message ?? ''))).toBe(true);
  // Issue 22, F12: status is the task's status, a string; the task is `task`.
  expect(progress[progress.length - 1]).toMatchObject({ status: 'succeeded', task: { status: 'succeeded' } });
  expect((await client.instance()).version).toBe('1.1');

  // The same request id again answers for the same task, creating no other.
  const again = await client.upgrade('1.1', { requestId: 'upgrade-1.1' });
  expect(again.taskId).toBe(op.taskId);
});

it('an upgrade the endpoint fails later (202, then 500) rejects waitFor with OperationFailedError carrying its message', async () => {
  mode = 'fail';
  polls = 0;
  const failed = await client.upgradeAndWait('2.0', { ...quick, requestId: 'upgrade-2.0' }).catch((e: unknown) => e);
  expect(failed).toBeInstanceOf(OperationFailedError);
  expect((failed as OperationFailedError).output).toBe('The mail store is read-only');
  expect((failed as OperationFailedError).requestId).toBe('upgrade-2.0');
  // The instance stays usable: ready, still at 1.1.
  const instance = await client.instance();
  expect(instance.version).toBe('1.1');
  const root = await client.json<{ aps: { status: string } }>({
    method: 'GET',
    path: `/aps/2/resources/${instance.globalsId}`,
  });
  expect(root.aps.status).toBe('aps:ready');
});

it('an upgrade the endpoint refuses at once answers its error to the submit (ApsClientError with the message)', async () => {
  mode = 'fail';
  polls = 2; // no 202 first
  const refused = await client.upgrade('2.1', { retry: false }).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(ApsClientError);
  expect(refused).toMatchObject({ status: 500, body: { message: 'The mail store is read-only' } });
});
