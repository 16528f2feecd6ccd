/**
 * Issue 19, upgrade: the resources stored under older type IDs become resources of the types the
 * upgraded app serves, as the platform "upgrades all APS resources" of an updated type
 * (docs.cloudblue.com/cbc/sdk/21.0/api/rest/application/upgrade): a minor version as it is (the
 * globals, 1.0 → 1.1), a major one through the app's `upgrade.migrate` entry (mailbox 1.0 → 2.0,
 * quotaGb → quotaMb), after the endpoint's upgrade succeeded and before the task is recorded as done;
 * a runner that stops mid-migration is taken over by another process, each resource moving once.
 * The endpoint is a node:http double written from the spec: it shares no APSKit code.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApsType, CoreTypes, defineApp, Property, type TypeMigration } from '@apskit/core';
import { Controller, MemoryStore, serveController, type RunningController } from '@apskit/controller';
import { storesUnderTest, type StoreOf } from './fixtures/stores';

const BASE = 'http://apskit.test/upgrade-migration';

@ApsType({ name: 'globals', id: `${BASE}/globals/1.0`, implements: [CoreTypes.application] })
class GlobalsV1 {
  provision(): void {}
}
@ApsType({ name: 'mailbox', id: `${BASE}/mailbox/1.0` })
class MailboxV1 {
  @Property() name!: string;
  @Property({ type: 'integer' }) quotaGb!: number;
}

@ApsType({ name: 'globals', id: `${BASE}/globals/1.1`, implements: [CoreTypes.application] })
class GlobalsV2 {
  @Property({ default: 'Welcome' }) motd?: string;
  provision(): void {}
  upgrade(): void {}
}
@ApsType({ name: 'mailbox', id: `${BASE}/mailbox/2.0` })
class MailboxV2 {
  @Property() name!: string;
  @Property({ type: 'integer' }) quotaMb!: number;
}

const V1 = { globals: GlobalsV1, mailboxes: MailboxV1 };
const V2 = { globals: GlobalsV2, mailboxes: MailboxV2 };
const MAILBOXES = 230; // more than two batches of 100

/** The endpoint double: stores nothing, echoes what it is sent, counts its upgrade calls. */
let upgradeCalls: string[] = [];
let endpoint: http.Server;
let endpointUrl: string;
const dirs: string[] = [];

beforeAll(async () => {
  endpoint = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (/\/upgrade(\?|$)/.test(req.url ?? '')) upgradeCalls.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(/\/upgrade(\?|$)/.test(req.url ?? '') || text === '' ? '{}' : text);
    });
  });
  await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
  endpointUrl = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => endpoint.close(() => resolve()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * The stores an upgrade runs on: SQLite in the data directory (the default), and PostgreSQL when
 * APSKIT_TEST_DATABASE_URL is set (a schema per data directory, so that two controllers share it).
 */
const STORES = storesUnderTest('upgrade migration', ['sqlite']);
let storeFor: StoreOf = () => undefined;

function serve(
  dir: string,
  services: Record<string, new () => unknown>,
  migrate?: Record<string, TypeMigration>,
  leaseMs?: number,
  pollMs = 50,
): Promise<RunningController> {
  const controller = new Controller({
    app: { name: 'mail-hosting', services, ...(migrate && { upgrade: { migrate } }) },
    endpoint: { url: endpointUrl },
    dataDir: dir,
    store: storeFor(dir),
    timeScale: 0.01,
    pollMs,
    leaseMs,
  });
  return serveController(controller, { port: 0 });
}

interface Answer {
  status: number;
  taskId: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

async function api(url: string, method: string, path: string, body?: unknown): Promise<Answer> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, taskId: res.headers.get('apskit-task-id') ?? '', body: text ? JSON.parse(text) : null };
}

async function until<T>(probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A store of version 1.0: its globals and MAILBOXES mailboxes (quotaGb = index + 1), made over HTTP. */
async function storeOfVersion1(): Promise<{ dir: string; globalsId: string; mailboxIds: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'apskit-upgrade-migration-'));
  dirs.push(dir);
  const v1 = await serve(dir, V1);
  try {
    const globalsId: string = await until(async () => (await api(v1.url, 'GET', '/apskit/instance')).body.globalsId);
    const mailboxIds: string[] = [];
    for (let i = 0; i < MAILBOXES; i += 10) {
      const made = await Promise.all(
        Array.from({ length: Math.min(10, MAILBOXES - i) }, (_, k) =>
          api(v1.url, 'POST', '/aps/2/resources', {
            aps: { type: `${BASE}/mailbox/1.0` },
            name: `box-${i + k}`,
            quotaGb: i + k + 1,
          }),
        ),
      );
      for (const m of made) {
        expect(m.status).toBe(200);
        mailboxIds.push(m.body.aps.id);
      }
    }
    return { dir, globalsId, mailboxIds };
  } finally {
    await v1.close();
  }
}

async function taskEnded(url: string, taskId: string): Promise<{ status: string; output: string }> {
  return until(async () => {
    const t = (await api(url, 'GET', `/apskit/tasks/${taskId}`)).body;
    return ['succeeded', 'failed'].includes(t.status) ? t : undefined;
  });
}

/** Every mailbox as stored now, read one by one over HTTP. */
async function mailboxes(url: string, ids: readonly string[]): Promise<Answer['body'][]> {
  return Promise.all(ids.map(async (id) => (await api(url, 'GET', `/aps/2/resources/${id}`)).body));
}

/** The app's migration of mailbox 1.0 to 2.0, recording whom it was called for. */
function mailboxMigration(calledFor: string[], before?: (id: string) => Promise<void>): TypeMigration {
  return async (properties, resource) => {
    calledFor.push(resource.id);
    await before?.(resource.id);
    const { quotaGb, ...rest } = properties;
    return { ...rest, quotaMb: (quotaGb as number) * 1024 };
  };
}

beforeEach(() => {
  upgradeCalls = [];
});

describe.each(STORES)('on the %s store', (_name, store) => {
  beforeAll(() => {
    storeFor = store;
  });
  afterAll(() => {
    storeFor = () => undefined;
  });

  it('before the upgrade, resources of the old type IDs are read as they are but cannot be changed (400 unknown type)', async () => {
    const { dir, mailboxIds } = await storeOfVersion1();
    const v2 = await serve(dir, V2, { [`${BASE}/mailbox/1.0`]: mailboxMigration([]) });
    try {
      const id = mailboxIds[0] as string;
      const read = await api(v2.url, 'GET', `/aps/2/resources/${id}`);
      expect(read.body.aps.type).toBe(`${BASE}/mailbox/1.0`);
      const put = await api(v2.url, 'PUT', `/aps/2/resources/${id}`, { name: 'renamed' });
      expect(put.status).toBe(400);
      expect(put.body.message).toContain(`Unknown type "${BASE}/mailbox/1.0"`);
      expect((await api(v2.url, 'GET', `/aps/2/resources?implementing(${BASE}/mailbox/2.0)`)).body).toEqual([]);
    } finally {
      await v2.close();
    }
  });

  it('migrates every resource of the old IDs once the endpoint upgraded: a minor version as it is, a major one through upgrade.migrate', async () => {
    const { dir, globalsId, mailboxIds } = await storeOfVersion1();
    const calledFor: string[] = [];
    const v2 = await serve(dir, V2, { [`${BASE}/mailbox/1.0`]: mailboxMigration(calledFor) });
    try {
      const before = await mailboxes(v2.url, mailboxIds);
      const started = await api(v2.url, 'POST', '/apskit/instance/upgrade', { version: '2.0' });
      expect([200, 202]).toContain(started.status);
      const task = await taskEnded(v2.url, started.taskId);
      expect(task).toMatchObject({
        status: 'succeeded',
        output: `Upgraded to 2.0: ${MAILBOXES + 1} resources migrated to the new type versions`,
      });
      expect(upgradeCalls).toEqual([`/globals/${globalsId}/upgrade`]);

      // The root moved as it was, its new property filled from its default.
      const root = (await api(v2.url, 'GET', `/aps/2/resources/${globalsId}`)).body;
      expect(root).toMatchObject({ aps: { type: `${BASE}/globals/1.1`, status: 'aps:ready' }, motd: 'Welcome' });
      expect((await api(v2.url, 'GET', '/apskit/instance')).body.version).toBe('2.0');

      // Each mailbox: the new ID, the app's properties, one write more than before.
      const after = await mailboxes(v2.url, mailboxIds);
      after.forEach((m, i) => {
        expect(m).toEqual({
          aps: {
            ...before[i].aps,
            type: `${BASE}/mailbox/2.0`,
            revision: before[i].aps.revision + 1,
            modified: m.aps.modified,
          },
          name: `box-${i}`,
          quotaMb: (i + 1) * 1024,
        });
      });
      expect([...calledFor].sort()).toEqual([...mailboxIds].sort());
      const listed = await fetch(`${v2.url}/aps/2/resources?implementing(${BASE}/mailbox/2.0)`);
      expect(listed.headers.get('content-range')).toMatch(new RegExp(`/${MAILBOXES}$`));

      // Writable again, as the type served now.
      const id = mailboxIds[0] as string;
      const put = await api(v2.url, 'PUT', `/aps/2/resources/${id}`, { quotaMb: 2048 });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({ aps: { type: `${BASE}/mailbox/2.0`, status: 'aps:ready' }, quotaMb: 2048 });
    } finally {
      await v2.close();
    }
  });

  it('a migration the new type refuses fails the task naming the resource; the instance stays usable, and a rerun finishes the migration', async () => {
    const { dir, globalsId, mailboxIds } = await storeOfVersion1();
    const bad = mailboxIds[120] as string;
    let broken = true;
    const migrate: TypeMigration = (properties, resource) => {
      const { quotaGb, ...rest } = properties;
      return { ...rest, quotaMb: broken && resource.id === bad ? 'lots' : (quotaGb as number) * 1024 };
    };
    const v2 = await serve(dir, V2, { [`${BASE}/mailbox/1.0`]: migrate });
    try {
      const started = await api(v2.url, 'POST', '/apskit/instance/upgrade', { version: '2.0' });
      const failed = await taskEnded(v2.url, started.taskId);
      expect(failed.status).toBe('failed');
      expect(failed.output).toBe(
        `Migrating resource ${bad} from ${BASE}/mailbox/1.0 to ${BASE}/mailbox/2.0 failed: mailbox refuses the migrated properties: quotaMb must be an integer`,
      );
      expect((await api(v2.url, 'GET', `/aps/2/resources/${globalsId}`)).body.aps.status).toBe('aps:ready');
      expect((await api(v2.url, 'GET', '/apskit/instance')).body.version).toBeNull();
      expect((await api(v2.url, 'GET', `/aps/2/resources/${bad}`)).body.aps.type).toBe(`${BASE}/mailbox/1.0`);

      broken = false;
      const rerun = await api(v2.url, 'POST', `/apskit/tasks/${started.taskId}/rerun`);
      expect(rerun.status).toBe(200);
      expect(await taskEnded(v2.url, started.taskId)).toMatchObject({ status: 'succeeded' });
      // The rerun continued the migration: the endpoint's upgrade was not called again.
      expect(upgradeCalls).toHaveLength(1);
      const after = await mailboxes(v2.url, mailboxIds);
      expect(after.map((m) => m.aps.type)).toEqual(mailboxIds.map(() => `${BASE}/mailbox/2.0`));
      expect(after.map((m) => m.quotaMb)).toEqual(mailboxIds.map((_, i) => (i + 1) * 1024));
      expect((await api(v2.url, 'GET', '/apskit/instance')).body.version).toBe('2.0');
    } finally {
      await v2.close();
    }
  });

  it('a runner that stops mid-migration (its lease runs out) is taken over by another process: every resource moves exactly once', async () => {
    const { dir, mailboxIds } = await storeOfVersion1();
    const before = await (async () => {
      const peek = await serve(dir, V1);
      try {
        return await mailboxes(peek.url, mailboxIds);
      } finally {
        await peek.close();
      }
    })();
    // The first process stalls from its 150th mailbox on, as a process that froze would: an attempt
    // of its own that takes the task over again stalls too.
    let release: () => void = () => {};
    const stalled = new Promise<void>((resolve) => (release = resolve));
    let reached: () => void = () => {};
    const stalling = new Promise<void>((resolve) => (reached = resolve));
    const firstCalls: string[] = [];
    const first = await serve(
      dir,
      V2,
      {
        [`${BASE}/mailbox/1.0`]: mailboxMigration(firstCalls, async () => {
          if (firstCalls.length >= 150) {
            reached();
            await stalled;
          }
        }),
      },
      500,
      3_600_000,
    );
    const secondCalls: string[] = [];
    let second: RunningController | undefined;
    try {
      const answer = api(first.url, 'POST', '/apskit/instance/upgrade', { version: '2.0' });
      await stalling;
      // A second process on the same database claims the task once the first one's lease ran out.
      second = await serve(dir, V2, { [`${BASE}/mailbox/1.0`]: mailboxMigration(secondCalls) }, 2000);
      const taskId = await until(async () => {
        const tasks = (await api(second!.url, 'GET', '/apskit/tasks?status=succeeded')).body as {
          id: string;
          name: string;
        }[];
        return tasks.find((t) => t.name === 'Upgrading application mail-hosting')?.id;
      });
      release();
      await answer;
      expect(await taskEnded(second.url, taskId)).toMatchObject({ status: 'succeeded' });
      // Stalled in the attempt whose endpoint call succeeded (not recorded yet), the task's next
      // attempt calls the endpoint again, as any lifecycle call after a crash; stalled in a later
      // migration step (its progress recorded), it does not.
      expect(upgradeCalls.length).toBeGreaterThanOrEqual(1);
      // The first's 149 moves stand; the second moved exactly the rest.
      const movedByFirst = firstCalls.slice(0, 149);
      expect([...secondCalls].sort()).toEqual(mailboxIds.filter((id) => !movedByFirst.includes(id)).sort());
      const after = await mailboxes(second.url, mailboxIds);
      after.forEach((m, i) => {
        expect([m.aps.type, m.aps.revision, m.quotaMb]).toEqual([
          `${BASE}/mailbox/2.0`,
          before[i].aps.revision + 1,
          (i + 1) * 1024,
        ]);
      });
      expect((await api(second.url, 'GET', '/apskit/instance')).body.version).toBe('2.0');
    } finally {
      release();
      await first.close();
      await second?.close();
    }
  });
});

it('refuses a migration entry that no served type takes, when the controller is made', () => {
  expect(
    () =>
      new Controller({
        app: { name: 'x', services: V2, upgrade: { migrate: { 'http://elsewhere.test/box/1.0': (p) => ({ ...p }) } } },
        endpoint: { url: endpointUrl },
        store: new MemoryStore(),
      }),
  ).toThrow(
    'upgrade.migrate["http://elsewhere.test/box/1.0"]: no served type has its base ID (http://elsewhere.test/box)',
  );
});

it('defineApp keeps upgrade.migrate for the controller and refuses a key that is no versioned type ID', () => {
  const definition = {
    id: 'http://apskit.test/mail-hosting',
    name: 'mail-hosting',
    version: '2.0',
    release: '0',
    vendor: { name: 'APSKit tests' },
    packager: { name: 'APSKit' },
    summary: 'Mail hosting.',
    description: 'Mailboxes.',
    services: V2,
  };
  const migration = mailboxMigration([]);
  const app = defineApp({
    ...definition,
    upgrade: { match: 'version=ge=1.0', migrate: { [`${BASE}/mailbox/1.0`]: migration } },
  });
  expect(app.upgrade?.migrate?.[`${BASE}/mailbox/1.0`]).toBe(migration);
  // What defineApp made is what a controller takes.
  expect(() => new Controller({ app, endpoint: { url: endpointUrl }, store: new MemoryStore() })).not.toThrow();
  expect(() =>
    defineApp({ ...definition, upgrade: { match: 'version=ge=1.0', migrate: { mailbox: migration } } }),
  ).toThrow('upgrade.migrate["mailbox"]: the key must be a versioned type ID (http://…/1.0)');
});
