/**
 * The PASubscription example end to end: the controller and the endpoint in one process, the custom
 * operations called through the controller's API as a client calls them, over HTTP on 127.0.0.1.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { toApsSchema } from '@apskit/core';
import { startController, type RunningController } from '@apskit/controller';
import { PASubscription, services } from '../src';

const SUBSCRIPTION = 'http://parallels.com/aps/types/pa/subscription/1.0';
const WEBSITE = 'http://parallels.com/aps/types/pa/website/1.0';

let running: RunningController;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'apskit-pa-'));
  running = await startController({
    app: { name: 'pa-subscription', services },
    port: 0,
    dataDir: dir,
    timeScale: 0.002,
    pollMs: 20,
  });
});
afterAll(async () => {
  await running.close();
  rmSync(dir, { recursive: true, force: true });
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test bodies are read loosely
async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(running.url + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
}

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const end = Date.now() + 10_000;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`not reached: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let nextId = 1000;
async function subscription(serviceTemplateId: number): Promise<string> {
  const created = await call('POST', '/aps/2/resources', {
    aps: { type: SUBSCRIPTION },
    subscriptionId: nextId++,
    serviceTemplateId,
  });
  expect(created.status).toBe(202);
  return created.body.aps.id;
}

const state = (id: string) => call('GET', `/aps/2/resources/${id}/provisioningState`);

it('emits the published PASubscription schema byte for byte', () => {
  const golden = readFileSync(resolve(__dirname, '../../../../shared/golden/pa-subscription.schema.json'), 'utf8');
  expect(`${JSON.stringify(toApsSchema(PASubscription), null, 2)}\n`).toBe(golden);
});

describe('provisioningState', () => {
  it('reports provisioning, then provisioned', async () => {
    const id = await subscription(1);
    const first = await state(id);
    expect(first.status).toBe(200);
    expect(['provisioning', 'provisioned']).toContain(first.body.state);
    const done = await until(
      () => state(id),
      (r) => r.body.state === 'provisioned',
    );
    expect(done.body).toEqual({ state: 'provisioned' });
    expect((await call('GET', `/aps/2/resources/${id}`)).body.aps.status).toBe('aps:ready');
  });

  it('reports a failed provisioning with its error message', async () => {
    const id = await subscription(99);
    const failed = await until(
      () => state(id),
      (r) => r.body.state === 'failed',
    );
    expect(failed.body).toEqual({ state: 'failed', message: 'Service template 99 does not exist' });
  });
});

describe('restartProvisioning', () => {
  it('restarts a failed provisioning through the controller, which then succeeds', async () => {
    const id = await subscription(42);
    await until(
      () => state(id),
      (r) => r.body.state === 'failed',
    );
    // Fix the cause, then restart.
    expect((await call('PUT', `/aps/2/resources/${id}`, { serviceTemplateId: 2 })).status).toBe(200);
    const restarted = await call('POST', `/aps/2/resources/${id}/restartProvisioning`);
    expect(restarted.status).toBe(200);
    expect(restarted.body.taskId).toEqual(expect.any(String));
    await until(
      () => state(id),
      (r) => r.body.state === 'provisioned',
    );
    const task = await call('GET', `/apskit/tasks/${restarted.body.taskId}`);
    expect(task.body.history.map((e: { kind: string }) => e.kind)).toContain('rerun');
    expect((await call('GET', `/aps/2/resources/${id}`)).body).toMatchObject({
      aps: { status: 'aps:ready' },
      serviceTemplateId: 2,
    });
  });

  it('refuses with 409 when provisioning has not failed', async () => {
    const id = await subscription(1);
    await until(
      () => state(id),
      (r) => r.body.state === 'provisioned',
    );
    const refused = await call('POST', `/aps/2/resources/${id}/restartProvisioning`);
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/has not failed: there is nothing to restart/);
  });
});

describe('hold and release', () => {
  it('blocks configure and custom operations while held, and lets them through once released', async () => {
    const id = await subscription(1);
    await until(
      () => state(id),
      (r) => r.body.state === 'provisioned',
    );

    expect((await call('POST', `/aps/2/resources/${id}/hold`)).status).toBe(204);
    const again = await call('POST', `/aps/2/resources/${id}/hold`);
    expect(again.status).toBe(409);

    const configure = await call('PUT', `/aps/2/resources/${id}`, { serviceTemplateId: 2 });
    expect(configure.status).toBe(409);
    expect(configure.body.message).toMatch(/is on hold in BSS: configure is refused until it is released/);
    expect((await call('GET', `/aps/2/resources/${id}`)).body).toMatchObject({
      serviceTemplateId: 1,
      aps: { status: 'aps:ready' },
    });

    for (const [verb, op] of [
      ['GET', 'provisioningState'],
      ['GET', 'applications'],
      ['POST', 'restartProvisioning'],
    ]) {
      const refused = await call(verb, `/aps/2/resources/${id}/${op}`);
      expect(refused.status).toBe(409);
      expect(refused.body.message).toContain(`${op} is refused until it is released`);
    }

    expect((await call('POST', `/aps/2/resources/${id}/release`)).status).toBe(204);
    expect((await call('POST', `/aps/2/resources/${id}/release`)).status).toBe(409);
    const configured = await call('PUT', `/aps/2/resources/${id}`, { serviceTemplateId: 2 });
    expect(configured.status).toBe(200);
    expect(configured.body.serviceTemplateId).toBe(2);
  });
});

describe('applications', () => {
  it('lists no application until a resource of one hangs off the subscription, then the instance', async () => {
    const id = await subscription(1);
    await until(
      () => state(id),
      (r) => r.body.state === 'provisioned',
    );
    expect((await call('GET', `/aps/2/resources/${id}/applications`)).body).toEqual([]);

    const site = await call('POST', `/aps/2/resources/${id}/websites`, {
      aps: { type: WEBSITE },
      domain: 'shop.example',
    });
    expect(site.status).toBe(200);
    const instance = await call('GET', '/apskit/instance');
    expect((await call('GET', `/aps/2/resources/${id}/applications`)).body).toEqual([instance.body.id]);
    const back = await call('GET', `/aps/2/resources/${site.body.aps.id}/subscription`);
    expect(back.body.map((r: { aps: { id: string } }) => r.aps.id)).toEqual([id]);
  });
});

it('refuses a subscription without its required properties, and a change to the final subscriptionId', async () => {
  const bad = await call('POST', '/aps/2/resources', { aps: { type: SUBSCRIPTION }, serviceTemplateId: 'one' });
  expect(bad.status).toBe(400);
  expect(bad.body.details).toEqual(
    expect.arrayContaining([
      { field: 'subscriptionId', message: 'is required' },
      { field: 'serviceTemplateId', message: 'must be an integer' },
    ]),
  );
  const id = await subscription(1);
  await until(
    () => state(id),
    (r) => r.body.state === 'provisioned',
  );
  const final = await call('PUT', `/aps/2/resources/${id}`, { subscriptionId: 1 });
  expect(final.status).toBe(400);
  expect(final.body.details).toEqual([
    { field: 'subscriptionId', message: 'is final: it cannot change once the resource exists' },
  ]);
});
