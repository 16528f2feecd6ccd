/**
 * Issue 19, resource usage: the "Synchronize resource usage for APS application instance" task
 * (docs.cloudblue.com/cbc/sdk/8.2/apps/proc/counters: the platform periodically calls each
 * resource's retrieve and stores the usage of its Counter properties), over HTTP: the controller's
 * API on 127.0.0.1 and an endpoint double on node:http that counts usage and every retrieve.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Controller, MemoryStore, serveController, type RunningController } from '@apskit/controller';
import type { Store } from '@apskit/store';
import { api, eventually } from './fixtures/harness';
import { Events } from '@apskit/core';
import { MAILBOX_TYPE, services } from './fixtures/usage-app';
import { startUsageEndpoint, type UsageEndpoint } from './fixtures/usage-endpoint';
import { storesUnderTest } from './fixtures/stores';

jest.setTimeout(60_000);

/** The stores the API test runs on: undefined is the default (SQLite in the data directory). */
const STORES = storesUnderTest('usage sync');

interface Setup {
  readonly endpoint: UsageEndpoint;
  readonly dir: string;
}

function controllerOn(setup: Setup, extra: { store?: Store; tokens?: unknown; leaseMs?: number } = {}): Controller {
  return new Controller({
    app: { name: 'usage-app', services },
    endpoint: { url: setup.endpoint.url },
    dataDir: setup.dir,
    timeScale: 0.01,
    pollMs: 20,
    usageSyncSeconds: false,
    ...(extra as object),
  });
}

/** Registers `n` mailboxes (the app's own resources: no endpoint call), ids sorted. */
async function mailboxes(controller: Controller, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await controller.registerResource('mailboxes', {
      name: `box${i}`,
      diskspace: { usage: 0, limit: 100 },
    });
    ids.push(r.id);
  }
  return ids.sort();
}

async function finished(
  url: string,
  taskId: string,
  headers: Record<string, string> = {},
): Promise<{ status: string; output: string }> {
  const res = await eventually(
    () => api(url, 'GET', `/apskit/tasks/${taskId}`, undefined, headers),
    (r) => ['succeeded', 'failed', 'canceled'].includes(r.body?.status),
    30_000,
  );
  return res.body as { status: string; output: string };
}

async function diskspace(url: string, id: string): Promise<unknown> {
  return (await api(url, 'GET', `/aps/2/resources/${id}`)).body.diskspace;
}

describe.each(STORES)('POST /apskit/usage/sync on the %s store', (_name, storeOf) => {
  let setup: Setup;
  let running: RunningController;
  let ids: string[];

  beforeAll(async () => {
    setup = { endpoint: await startUsageEndpoint(), dir: mkdtempSync(join(tmpdir(), 'apskit-usage-')) };
    running = await serveController(controllerOn(setup, { store: storeOf() }), { port: 0 });
    ids = await mailboxes(running.controller, 250);
  });

  afterAll(async () => {
    await running.close();
    await setup.endpoint.close();
    rmSync(setup.dir, { recursive: true, force: true });
  });

  it('retrieves every counted resource, stores what changed as an app write, and names failures and overuse', async () => {
    const { endpoint } = setup;
    // 3 report new usage, one answers 500, one answers what is no Counter, one is over its limit;
    // the others report what is stored (unchanged: no write, no `changed`).
    const [a, b, c, failing, invalid, over] = ids.slice(10);
    for (const id of ids) endpoint.usage.set(id, { diskspace: { usage: 0, limit: 100 } });
    endpoint.usage.set(a, { diskspace: { usage: 10 } });
    endpoint.usage.set(b, { diskspace: { usage: 20, limit: 100 }, name: 'renamed' });
    endpoint.usage.set(c, { diskspace: { usage: 30, limit: 100 } });
    endpoint.failing.add(failing);
    endpoint.usage.set(invalid, { diskspace: 'lots' });
    endpoint.usage.set(over, { diskspace: { usage: 120, limit: 100 } });
    const changed: string[] = [];
    running.controller.events.on('resource', (id: string) => changed.push(id));
    // The first retrieve is held: a second POST while the sync runs answers the same task.
    endpoint.hold = (n) => n === 1;

    const first = await api(running.url, 'POST', '/apskit/usage/sync');
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({
      name: 'Synchronize resource usage for APS application instance usage-app',
    });
    expect(first.headers.get('apskit-task-id')).toBe(first.body.id);
    expect(first.headers.get('location')).toBe(`/apskit/tasks/${first.body.id}`);
    await eventually(
      async () => endpoint.held(),
      (n) => n > 0,
    );
    const second = await api(running.url, 'POST', '/apskit/usage/sync');
    expect(second.status).toBe(202);
    expect(second.body.id).toBe(first.body.id);
    endpoint.dropHeld(); // that resource fails this time (the endpoint hung up): named, skipped
    const droppedId = [...endpoint.gets.keys()][0];

    const task = await finished(running.url, first.body.id);
    expect(task.status).toBe('succeeded');
    expect(task.output).toMatch(/^Synchronized 247 of 250 resources \(4 changed, 3 failed: /);
    expect(task.output).toContain(`${failing}: the endpoint answered 500 (The mail server did not answer)`);
    expect(task.output).toContain(`${invalid}: the answer was refused`);
    expect(task.output).toContain(droppedId);
    expect(task.output).toContain(`1 over the limit: ${over} diskspace 120 of 100)`);
    // Every resource retrieved once, through GET /{service}/{id}.
    expect(endpoint.gets.size).toBe(250);
    expect([...endpoint.gets.values()].every((n) => n === 1)).toBe(true);
    expect(endpoint.requests.filter((r) => r.startsWith('PUT'))).toEqual([]); // no configure
    // Stored as reported: what the answer leaves out stays (a's limit); the overuse as it is.
    expect(await diskspace(running.url, a)).toEqual({ usage: 10 });
    expect(await diskspace(running.url, over)).toEqual({ usage: 120, limit: 100 });
    expect((await api(running.url, 'GET', `/aps/2/resources/${b}`)).body.name).toBe('renamed');
    expect(await diskspace(running.url, invalid)).toEqual({ usage: 0, limit: 100 });
    // One write (a `changed`) per resource that changed, none for the others.
    expect([...changed].sort()).toEqual([a, b, c, over].sort());
  });

  it('a second sync over the same usage changes nothing', async () => {
    const changed: string[] = [];
    running.controller.events.on('resource', (id: string) => changed.push(id));
    setup.endpoint.failing.clear();
    const res = await api(running.url, 'POST', '/apskit/usage/sync');
    const task = await finished(running.url, res.body.id);
    expect(task.output).toMatch(
      /^Synchronized 249 of 250 resources \(0 changed, 1 failed: [^;]*the answer was refused/,
    );
    expect(changed).toEqual([]);
  });
});

/** A controller process for the usage app (fixtures/usage-controller-process.ts); `ready` once its resources are stored. */
function controllerProcess(
  dir: string,
  endpointUrl: string,
  mailboxCount?: number,
): { child: ChildProcess; url: Promise<string>; ready: Promise<void> } {
  const child = spawn(
    process.execPath,
    [
      '-r',
      'ts-node/register/transpile-only',
      join(__dirname, 'fixtures/usage-controller-process.ts'),
      dir,
      endpointUrl,
      ...(mailboxCount === undefined ? [] : [String(mailboxCount)]),
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, TS_NODE_PROJECT: join(__dirname, '../../../tsconfig.json'), TS_NODE_FILES: 'false' },
    },
  );
  const lines = createInterface({ input: child.stdout! });
  let onReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const url = new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`controller process exited early with ${code}`)));
    lines.on('line', (line) => {
      if (line.startsWith('port ')) resolve(`http://127.0.0.1:${line.slice(5)}`);
      if (line === 'ready') onReady();
    });
  });
  return { child, url, ready };
}

describe('the usage sync across a crash (SQLite file)', () => {
  it('resumes from the stored cursor after a SIGKILL mid-batch: every resource retrieved, at most one batch twice, nothing counted twice', async () => {
    const endpoint = await startUsageEndpoint();
    const dir = mkdtempSync(join(tmpdir(), 'apskit-usage-crash-'));
    const first = controllerProcess(dir, endpoint.url, 250);
    let second: RunningController | undefined;
    try {
      const firstUrl = await first.url;
      await first.ready;
      const listed = (await api(firstUrl, 'GET', '/aps/2/resources')).body as Array<{
        aps: { id: string; type: string };
      }>;
      const domain = listed.find((r) => r.aps.type !== MAILBOX_TYPE)?.aps.id as string;
      const ids = listed
        .filter((r) => r.aps.type === MAILBOX_TYPE)
        .map((r) => r.aps.id)
        .sort();
      expect(ids).toHaveLength(250);
      // A domain subscribes to the mailboxes' changes: the sync's writes are delivered to it as events.
      const subscribed = await api(firstUrl, 'POST', `/aps/2/resources/${domain}/aps/subscriptions`, {
        event: Events.changed,
        source: { type: MAILBOX_TYPE },
        handler: 'onMailboxChanged',
      });
      expect(subscribed.status).toBe(200);
      // Absolute usage: what a double-counting sync would get wrong (it would add, not replace).
      const usageOf = (i: number): number => (i % 7 === 0 ? 0 : (i % 90) + 1);
      ids.forEach((id, i) => endpoint.usage.set(id, { diskspace: { usage: usageOf(i), limit: 100 } }));
      const changedIds = ids.filter((_, i) => usageOf(i) !== 0);
      const sources = (): string[] => endpoint.notifications.map((n) => (n.body.source as { id: string }).id).sort();

      // The first process: a first batch of 100 (the domain is counted too), then its second batch's
      // retrieves hang from the 51st (the 151st GET); it is killed once the changes it stored so far
      // are delivered (a delivery cut short would be repeated: events are delivered at least once).
      endpoint.hold = (n) => n >= 151;
      const started = await api(firstUrl, 'POST', '/apskit/usage/sync');
      expect(started.status).toBe(202);
      await eventually(
        async () => endpoint.held(),
        (n) => n >= 8,
        30_000,
      );
      const answered = new Set([...endpoint.gets.keys()].slice(0, 150));
      const storedSoFar = changedIds.filter((id) => answered.has(id)).length;
      await eventually(
        async () => endpoint.notifications.length,
        (n) => n >= storedSoFar,
        30_000,
      );
      // ... and recorded as delivered (one that was delivered but not recorded would be delivered again).
      await eventually(
        async () => (await api(firstUrl, 'GET', '/apskit/tasks')).body as Array<{ operation: string; status: string }>,
        (tasks) => tasks.filter((t) => t.operation === 'aps.event.deliver' && t.status !== 'succeeded').length === 0,
        30_000,
      );
      first.child.kill('SIGKILL');
      await new Promise((resolve) => first.child.once('exit', resolve));
      endpoint.dropHeld();
      endpoint.hold = () => false;

      // A new controller on the same file takes the task over and finishes the sync.
      second = await serveController(controllerOn({ endpoint, dir }), { port: 0 });
      const task = await finished(second.url, started.body.id);
      expect(task.status).toBe('succeeded');
      expect(task.output).toMatch(/^Synchronized 251 of 251 resources /);
      const counts = ids.map((id) => endpoint.gets.get(id) ?? 0);
      expect(counts.every((n) => n >= 1)).toBe(true); // every resource retrieved
      const twice = counts.filter((n) => n > 1).length;
      expect(twice).toBeGreaterThan(0); // the batch the crash cut short, again
      expect(twice).toBeLessThanOrEqual(100); // at most one batch twice
      for (const [i, id] of ids.entries())
        expect(await diskspace(second.url, id)).toEqual({ usage: usageOf(i), limit: 100 });
      // One `changed` delivered per mailbox that changed, across both processes.
      await eventually(
        async () => sources(),
        (s) => s.length >= changedIds.length,
        30_000,
      );
      await new Promise((resolve) => setTimeout(resolve, 300)); // and none more
      expect(sources()).toEqual(changedIds);
      expect(endpoint.notifications.every((n) => n.path === `/domains/${domain}/onMailboxChanged`)).toBe(true);
    } finally {
      if (first.child.exitCode === null && first.child.signalCode === null) first.child.kill('SIGKILL');
      await second?.close();
      await endpoint.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('a slow endpoint', () => {
  it('makes runs shorter, each well within the lease: no other runner takes the task over, nothing retrieved twice', async () => {
    const endpoint = await startUsageEndpoint();
    const setup: Setup = { endpoint, dir: mkdtempSync(join(tmpdir(), 'apskit-usage-slow-')) };
    // A lease of 1.2 s: a run starts retrieves for 300 ms; each retrieve takes 150 ms, 8 at once (in
    // memory: no disk write to slow a run down on a busy machine).
    const running = await serveController(controllerOn(setup, { leaseMs: 1200, store: new MemoryStore() }), {
      port: 0,
    });
    try {
      const ids = await mailboxes(running.controller, 60);
      for (const id of ids) endpoint.usage.set(id, { diskspace: { usage: 7 } });
      endpoint.delayMs = 150;
      const started = await api(running.url, 'POST', '/apskit/usage/sync');
      const task = await finished(running.url, started.body.id);
      expect(task.output).toBe('Synchronized 60 of 60 resources (60 changed)');
      expect([...endpoint.gets.values()].every((n) => n === 1)).toBe(true);
      expect(endpoint.gets.size).toBe(60);
      const history = (await running.controller.getTask(started.body.id, true)).history ?? [];
      expect(history.filter((e) => e.kind === 'recovered')).toEqual([]);
      expect(history.filter((e) => e.kind === 'rescheduled').length).toBeGreaterThan(1); // several runs
    } finally {
      await running.close();
      await endpoint.close();
      rmSync(setup.dir, { recursive: true, force: true });
    }
  });
});

describe('the periodic sync', () => {
  it('enqueues the next period at start, once whatever the number of processes (usage-sync:<slot>)', async () => {
    const endpoint = await startUsageEndpoint();
    const setup: Setup = { endpoint, dir: mkdtempSync(join(tmpdir(), 'apskit-usage-period-')) };
    const make = (): Controller =>
      new Controller({
        app: { name: 'usage-app', services },
        endpoint: { url: endpoint.url },
        dataDir: setup.dir,
        timeScale: 0.01,
        pollMs: 20,
        usageSyncSeconds: 60, // 600 ms scaled
      });
    const a = await serveController(make(), { port: 0 });
    const b = await serveController(make(), { port: 0 });
    try {
      const id = (await a.controller.registerResource('mailboxes', { name: 'x', diskspace: { usage: 1 } })).id;
      endpoint.usage.set(id, { diskspace: { usage: 5 } });
      const syncs = async (): Promise<Array<{ status: string; output: string; requestId: string }>> =>
        (await api(a.url, 'GET', '/apskit/tasks')).body.filter((t: { name: string }) =>
          t.name.startsWith('Synchronize resource usage'),
        );
      // Periods end: each one's sync runs once, in either process, and the next one waits.
      const done = await eventually(
        syncs,
        (ts) => ts.some((t) => t.output === 'Synchronized 1 of 1 resources (1 changed)'),
        10_000,
      );
      expect(await diskspace(a.url, id)).toEqual({ usage: 5 });
      const slots = done.map((t) => Number(/^usage-sync:(\d+)$/.exec(t.requestId)?.[1]));
      // One task per period (two processes enqueued each): consecutive periods, none twice.
      expect(new Set(slots).size).toBe(slots.length);
      expect(Math.max(...slots) - Math.min(...slots) + 1).toBe(slots.length);
      expect(done.filter((t) => t.status === 'succeeded').length).toBeGreaterThanOrEqual(1);
    } finally {
      await a.close();
      await b.close();
      await endpoint.close();
      rmSync(setup.dir, { recursive: true, force: true });
    }
  });
});

describe('who may synchronize', () => {
  it('the provider may; an account owner is refused (403)', async () => {
    const endpoint = await startUsageEndpoint();
    const setup: Setup = { endpoint, dir: mkdtempSync(join(tmpdir(), 'apskit-usage-auth-')) };
    const running = await serveController(
      controllerOn(setup, {
        tokens: [
          { token: 'admin-token-123456789012345678901234', role: 'admin', subject: 'ops' },
          { token: 'owner-token-123456789012345678901234', role: 'owner', account: 'acct-1', subject: 'acme' },
        ],
      }),
      { port: 0 },
    );
    try {
      const owner = await api(running.url, 'POST', '/apskit/usage/sync', undefined, {
        authorization: 'Bearer owner-token-123456789012345678901234',
      });
      expect(owner.status).toBe(403);
      expect(owner.body).toMatchObject({ code: 403, message: 'Only the provider synchronizes resource usage' });
      expect(await running.controller.listTasks({})).toEqual([]);
      const admin = await api(running.url, 'POST', '/apskit/usage/sync', undefined, {
        authorization: 'Bearer admin-token-123456789012345678901234',
      });
      expect(admin.status).toBe(202);
      const task = await finished(running.url, admin.body.id, {
        authorization: 'Bearer admin-token-123456789012345678901234',
      });
      expect(task.output).toBe('Synchronized 0 of 0 resources (0 changed)');
    } finally {
      await running.close();
      await endpoint.close();
      rmSync(setup.dir, { recursive: true, force: true });
    }
  });
});
