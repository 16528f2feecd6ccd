/**
 * Issue 15 #6: no answer is unbounded. Lists answer a page (a default without Range, never more than
 * the maximum, never much more than the byte budget) with a correct Content-Range; a bad Range is a
 * 400 naming the header, never a 500 with the database's words; event streams are capped; a task's
 * history keeps its newest events only, in every store.
 */
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MemoryStore, SqliteStore, type Store, type TaskRecord } from '@apskit/controller';
import { PostgresStore } from '@apskit/store-postgres';
import { requirePostgres, TEST_DATABASE_URL, uniqueName, withClient } from '@apskit/test-support/postgres';
import { api, eventually, JOB, startHarness, type Harness } from './fixtures/harness';
import { ev, resource, task } from './fixtures/records';

jest.setTimeout(60_000);

const ids = (r: { body: Array<{ aps?: { id: string }; id?: string }> }) => r.body.map((x) => x.aps?.id ?? x.id);

describe('issue 15 #6: lists are paged (pageSize default 3, max 5)', () => {
  let h: Harness;
  let total: number;

  beforeAll(async () => {
    h = await startHarness({ pageSize: { default: 3, max: 5 } });
    for (let i = 0; i < 8; i++) {
      const r = await api(h.url, 'POST', '/aps/2/resources', { aps: { type: JOB }, mode: 'ok', name: `p${i}` });
      expect(r.status).toBe(200);
    }
    total = 9; // the globals, and the 8 jobs
  });
  afterAll(() => h.close());

  it('answers the default page without Range, with its Content-Range', async () => {
    const r = await api(h.url, 'GET', '/aps/2/resources');
    expect(r.status).toBe(200);
    expect(r.body).toHaveLength(3);
    expect(r.headers.get('content-range')).toBe(`items 0-2/${total}`);
  });

  it('answers at most the maximum whatever Range asks, and the pages fit together', async () => {
    const big = await api(h.url, 'GET', '/aps/2/resources', undefined, { Range: 'items=0-999' });
    expect(big.body).toHaveLength(5);
    expect(big.headers.get('content-range')).toBe(`items 0-4/${total}`);
    const next = await api(h.url, 'GET', '/aps/2/resources', undefined, { Range: 'items=5-999' });
    expect(next.body).toHaveLength(4);
    expect(next.headers.get('content-range')).toBe(`items 5-8/${total}`);
    expect(new Set([...ids(big), ...ids(next)]).size).toBe(total);
    const past = await api(h.url, 'GET', '/aps/2/resources', undefined, { Range: 'items=100-101' });
    expect(past.body).toEqual([]);
    expect(past.headers.get('content-range')).toBe(`items */${total}`);
  });

  it.each([
    'items=0-99999999999999999999',
    'items=9007199254740992-9007199254740993',
    'items=5-2',
    'items=a-b',
    'items=-1-3',
    'items=0-',
    'bytes=0-1',
    'items=0-1, 3-4',
  ])('refuses Range: %s with a 400 that names the header and no database text', async (range) => {
    const r = await api(h.url, 'GET', '/aps/2/resources', undefined, { Range: range });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 400, error: 'BadRequest' });
    expect(r.body.message).toContain('Range');
    expect(r.body.message).not.toMatch(/datatype|mismatch|sqlite|SQL/i);
    const tasks = await api(h.url, 'GET', '/apskit/tasks', undefined, { Range: range });
    expect(tasks.status).toBe(400);
    expect(tasks.body.message).toContain('Range');
  });

  it('pages tasks too, by ?offset=&limit= or by Range, oldest first', async () => {
    const all = await api(h.url, 'GET', '/apskit/tasks?limit=5');
    expect(all.body).toHaveLength(5);
    const count = Number(/\/(\d+)$/.exec(all.headers.get('content-range') ?? '')?.[1]);
    expect(count).toBe(total); // one provision task per resource
    const first = await api(h.url, 'GET', '/apskit/tasks');
    expect(first.body).toHaveLength(3);
    expect(first.headers.get('content-range')).toBe(`items 0-2/${count}`);
    const page = await api(h.url, 'GET', '/apskit/tasks?offset=2&limit=2');
    expect(ids(page)).toEqual(ids(all).slice(2, 4));
    expect(page.headers.get('content-range')).toBe(`items 2-3/${count}`);
    const ranged = await api(h.url, 'GET', '/apskit/tasks', undefined, { Range: 'items=1-1000' });
    expect(ids(ranged)).toHaveLength(5);
    expect(ids(ranged)).toEqual(ids(await api(h.url, 'GET', '/apskit/tasks?offset=1&limit=5')));
    expect(ids(ranged).slice(0, 4)).toEqual(ids(all).slice(1, 5));
    const last = await api(h.url, 'GET', `/apskit/tasks?offset=${count - 2}`);
    expect(last.headers.get('content-range')).toBe(`items ${count - 2}-${count - 1}/${count}`);
    expect((await api(h.url, 'GET', '/apskit/tasks?limit=100000')).body).toHaveLength(5);
    for (const bad of ['limit=0', 'limit=x', 'offset=-1', 'offset=99999999999999999999', 'limit=1&limit=2']) {
      const r = await api(h.url, 'GET', `/apskit/tasks?${bad}`);
      expect([bad, r.status, r.body.code]).toEqual([bad, 400, 400]);
    }
  });

  it('pages a relation collection', async () => {
    const instance = await api(h.url, 'GET', '/apskit/instance');
    const linked = await api(h.url, 'GET', `/aps/2/resources/${instance.body.globalsId}/provisionables`);
    expect(linked.status).toBe(200);
    expect(linked.headers.get('content-range')).toBe('items */0');
  });
});

describe('issue 15 #6: a page stops at the byte budget (maxPageBytes)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ maxPageBytes: 20_000 });
    for (let i = 0; i < 6; i++) {
      // Some 6 KB each: three fit in the budget, the fourth would not.
      const r = await api(h.url, 'POST', '/aps/2/resources', {
        aps: { type: JOB },
        mode: 'ok',
        name: `${i}`.repeat(6000),
      });
      expect(r.status).toBe(200);
    }
  });
  afterAll(() => h.close());

  it('ends the page early and says so in Content-Range; the next page goes on from there', async () => {
    const first = await api(h.url, 'GET', '/aps/2/resources');
    const text = JSON.stringify(first.body);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(20_000);
    expect(first.body.length).toBeGreaterThanOrEqual(3);
    expect(first.body.length).toBeLessThan(7);
    const shown = first.body.length;
    expect(first.headers.get('content-range')).toBe(`items 0-${shown - 1}/7`);
    const rest = await api(h.url, 'GET', '/aps/2/resources', undefined, { Range: `items=${shown}-999` });
    expect(rest.headers.get('content-range')).toMatch(new RegExp(`^items ${shown}-\\d+/7$`));
    expect(new Set([...ids(first), ...ids(rest)]).size).toBe(shown + rest.body.length);
  });
});

/** Opens `GET /apskit/events`; resolves once the first bytes (or a refusal) arrive. */
function openStream(
  url: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; first: string; close(): void }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.get({ host: u.hostname, port: u.port, path: '/apskit/events' }, (res) => {
      res.once('data', (c: Buffer) =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          first: c.toString('utf8'),
          close: () => req.destroy(),
        }),
      );
    });
    req.on('error', reject);
  });
}

describe('issue 15 #6: event streams are capped (maxEventClients)', () => {
  it('answers one stream more than the cap with 503, an APS error and Retry-After; a freed place is taken again', async () => {
    const h = await startHarness({ maxEventClients: 2 });
    const open: Array<{ close(): void }> = [];
    try {
      for (let i = 0; i < 2; i++) {
        const s = await openStream(h.url);
        open.push(s);
        expect(s.status).toBe(200);
        expect(s.first).toContain('event: ready');
      }
      const refused = await openStream(h.url);
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe('5');
      expect(JSON.parse(refused.first)).toMatchObject({ code: 503, error: 'ServiceUnavailable' });
      open.shift()?.close();
      const again = await eventually(
        () => openStream(h.url),
        (s) => {
          if (s.status !== 200) s.close();
          return s.status === 200;
        },
      );
      open.push(again);
    } finally {
      open.forEach((s) => s.close());
      await h.close();
    }
  });
});

describe('issue 15 #6: task history is bounded (maxTaskEvents)', () => {
  it('keeps the newest events of a task that re-polls for ever, in the API and in the SQLite file', async () => {
    const h = await startHarness({ maxTaskEvents: 4 });
    try {
      const created = await api(h.url, 'POST', '/aps/2/resources', { aps: { type: JOB }, mode: 'forever', name: 'f' });
      const taskId = created.headers.get('apskit-task-id') as string;
      // Every re-poll (each 10 ms at this time scale) adds an event: wait for many more than 4.
      const t = await eventually(
        () => api(h.url, 'GET', `/apskit/tasks/${taskId}`),
        (r) => r.body.attempts >= 12,
      );
      expect(t.body.history.length).toBeLessThanOrEqual(4);
      expect(t.body.history.at(-1).attempt).toBeGreaterThanOrEqual(t.body.attempts - 2);
      const db = new Database(join(h.dir, 'apskit.sqlite'), { readonly: true });
      try {
        const { n } = db.prepare('SELECT COUNT(*) AS n FROM task_events WHERE task_id = ?').get(taskId) as {
          n: number;
        };
        expect(n).toBeLessThanOrEqual(4);
      } finally {
        db.close();
      }
    } finally {
      await h.close();
    }
  });
});

/** Adds `count` events to a task through the paths the controller uses: attempts' outcomes and reruns. */
async function churn(store: Store, count: number): Promise<void> {
  await store.createResourceWithTask(resource('r1'), task('t1', 'r1', { nextRunAt: 0 }), ev('t1', 'created'), []);
  for (let i = 1; i <= count; i++) {
    const [claimed] = await store.claimDueTasks(i * 10, 1, 'me', i * 10 + 5);
    const failed: TaskRecord = { ...claimed, status: 'failed', leaseOwner: null, leaseUntil: null };
    expect(
      await store.completeAttempts('me', [{ task: failed, event: { ...ev('t1', 'failed', i * 10), attempt: i } }]),
    ).toEqual([true]);
    const again: TaskRecord = { ...failed, status: 'scheduled', nextRunAt: i * 10 + 1 };
    expect(await store.transitionTask(again, ['failed'], { ...ev('t1', 'rerun', i * 10 + 1), attempt: i })).toBe(true);
  }
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const stores: Array<[string, () => Store]> = [
  ['memory', () => new MemoryStore({ maxEventsPerTask: 5 })],
  [
    'sqlite',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'apskit-history-'));
      dirs.push(dir);
      return new SqliteStore(join(dir, 'db.sqlite'), { maxEventsPerTask: 5 });
    },
  ],
];
const schemas: string[] = [];
if (requirePostgres('bounded task history')) {
  stores.push([
    'postgres',
    () => {
      const schema = uniqueName('apskit_history');
      schemas.push(schema);
      return new PostgresStore({ connectionString: TEST_DATABASE_URL, schema, poolSize: 2, maxEventsPerTask: 5 });
    },
  ]);
}
afterAll(async () => {
  if (schemas.length === 0) return;
  await withClient(TEST_DATABASE_URL as string, async (c) => {
    for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  });
});

describe.each(stores)('issue 15 #6: the %s store keeps the newest maxEventsPerTask events', (_name, make) => {
  let store: Store;
  beforeEach(async () => {
    store = make();
    await store.init();
  });
  afterEach(() => store.close());

  it('drops the oldest as new ones come, and pages the history and the tasks', async () => {
    await churn(store, 6); // 1 + 12 events
    const kept = await store.taskEvents('t1');
    expect(kept.map((e) => `${e.kind}@${e.at}`)).toEqual([
      'rerun@41',
      'failed@50',
      'rerun@51',
      'failed@60',
      'rerun@61',
    ]);
    expect((await store.taskEvents('t1', 2)).map((e) => e.at)).toEqual([60, 61]);
    await store.createResourceWithTask(resource('r2'), task('t2', 'r2', { createdAt: 5 }), ev('t2', 'created'), []);
    await store.createResourceWithTask(resource('r3'), task('t3', 'r3', { createdAt: 9 }), ev('t3', 'created'), []);
    expect((await store.listTasks({ offset: 1, limit: 1 })).map((t) => t.id)).toEqual(['t2']);
    expect((await store.listTasks({ offset: 1 })).map((t) => t.id)).toEqual(['t2', 't3']);
    expect(await store.countTasks({})).toBe(3);
    expect(await store.countTasks({ resourceId: 'r3' })).toBe(1);
    expect(await store.countTasks({ status: 'scheduled' })).toBe(3);
  });
});

it('issue 15 #6: stores and the API refuse limits below 1, saying which', async () => {
  expect(() => new MemoryStore({ maxEventsPerTask: 0 })).toThrow(/maxEventsPerTask/);
  expect(() => new SqliteStore(':memory:', { maxEventsPerTask: 1.5 })).toThrow(/maxEventsPerTask/);
  expect(() => new PostgresStore({ maxEventsPerTask: -1 })).toThrow(/maxEventsPerTask/);
  await expect(startHarness({ pageSize: { default: 10, max: 5 } })).rejects.toThrow(/pageSize.default/);
  await expect(startHarness({ maxEventClients: 0 })).rejects.toThrow(/maxEventClients/);
});
