/**
 * The Store contract, run against every store: the controller relies on exactly these semantics for
 * leases, exactly-once completion and the one-active-task rule.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore, SqliteStore, type Store, type TaskRecord } from '@apskit/controller';
import { postgresStores } from '../../store-postgres/test/fixtures/database';
import { ev, resource, task } from './fixtures/records';

const dirs: string[] = [];
const stores: Array<[string, () => Store]> = [
  ['memory', () => new MemoryStore()],
  [
    'sqlite',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'apskit-store-'));
      dirs.push(dir);
      return new SqliteStore(join(dir, 'db.sqlite'));
    },
  ],
];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
// PostgreSQL when APSKIT_TEST_DATABASE_URL is set (each test on a fresh schema); otherwise a notice and a skip.
const postgres = postgresStores('the store contract');
if (postgres) stores.push(['postgres', () => postgres.newStore()]);
afterAll(() => postgres?.dropAll());

describe.each(stores)('%s store', (_name, make) => {
  let store: Store;
  beforeEach(async () => {
    store = make();
    await store.init();
  });
  afterEach(() => store.close());

  it('claims due tasks in time order, up to the limit, and leases them to the claimer', async () => {
    for (const [id, at] of [
      ['a', 300],
      ['b', 100],
      ['c', 200],
      ['d', 900],
    ] as const) {
      await store.createResourceWithTask(
        resource(`r-${id}`),
        task(id, `r-${id}`, { nextRunAt: at }),
        ev(id, 'created'),
        [],
      );
    }
    const claimed = await store.claimDueTasks(500, 2, 'me', 10_000);
    expect(claimed.map((t) => t.id)).toEqual(['b', 'c']);
    expect(claimed[0]).toMatchObject({ status: 'running', attempts: 1, leaseOwner: 'me', leaseUntil: 10_000 });
    expect((await store.claimDueTasks(500, 10, 'other', 10_000)).map((t) => t.id)).toEqual(['a']);
    expect(await store.claimDueTasks(500, 10, 'other', 10_000)).toEqual([]);
    expect(await store.nextWakeUp()).toBe(900);
  });

  it('records an outcome only for the runner that holds the lease', async () => {
    await store.createResourceWithTask(resource('r1'), task('t1', 'r1'), ev('t1', 'created'), []);
    const [claimed] = await store.claimDueTasks(100, 1, 'me', 1000);
    const done: TaskRecord = { ...claimed, status: 'succeeded', endedAt: 150, leaseOwner: null, leaseUntil: null };
    const outcome = {
      task: done,
      event: ev('t1', 'succeeded', 150),
      resource: { ...resource('r1'), status: 'aps:ready' as const, revision: 2 },
    };
    expect(await (await store.completeAttempts('someone-else', [outcome]))[0]).toBe(false);
    expect(await (await store.completeAttempts('me', [outcome]))[0]).toBe(true);
    // A second completion of an ended task changes nothing.
    expect(await (await store.completeAttempts('me', [outcome]))[0]).toBe(false);
    expect((await store.taskEvents('t1')).map((e) => e.kind)).toEqual(['created', 'succeeded']);
    expect((await store.getResource('r1'))?.status).toBe('aps:ready');
  });

  it('lets another runner take over a task whose lease ran out, with a recovered event', async () => {
    await store.createResourceWithTask(resource('r1'), task('t1', 'r1'), ev('t1', 'created'), []);
    await store.claimDueTasks(100, 1, 'dead', 500);
    expect(await store.claimDueTasks(400, 1, 'alive', 2000)).toEqual([]);
    expect(await store.nextWakeUp()).toBe(500);
    const [taken] = await store.claimDueTasks(600, 1, 'alive', 2000);
    expect(taken).toMatchObject({ id: 't1', leaseOwner: 'alive', attempts: 2 });
    expect((await store.taskEvents('t1')).map((e) => e.kind)).toEqual(['created', 'recovered']);
    const outcome = { task: { ...taken, status: 'failed' as const, leaseOwner: null }, event: ev('t1', 'failed') };
    expect(await (await store.completeAttempts('dead', [outcome]))[0]).toBe(false);
  });

  it('allows one active task per resource', async () => {
    await store.createResourceWithTask(resource('r1'), task('t1', 'r1'), ev('t1', 'created'), []);
    const busy = await store.createTaskUnlessBusy(task('t2', 'r1'), ev('t2', 'created'), resource('r1'));
    expect(busy).toMatchObject({ created: false, reason: 'busy', existing: { id: 't1' } });
    expect(await store.getTask('t2')).toBeUndefined();
    const [claimed] = await store.claimDueTasks(100, 1, 'me', 1000);
    await store.completeAttempts('me', [
      { task: { ...claimed, status: 'succeeded', leaseOwner: null }, event: ev('t1', 'succeeded') },
    ]);
    expect(await store.createTaskUnlessBusy(task('t2', 'r1'), ev('t2', 'created'), resource('r1'))).toEqual({
      created: true,
    });
    expect((await store.activeTask('r1'))?.id).toBe('t2');
  });

  it('keeps request ids unique: a second task with one is not created, and is found by it', async () => {
    const first = task('t1', 'r1', { requestId: 'req-1', requestHash: 'h1' });
    expect(await store.createResourceWithTask(resource('r1'), first, ev('t1', 'created'), [])).toEqual({
      created: true,
    });
    const again = await store.createResourceWithTask(
      resource('r2'),
      task('t2', 'r2', { requestId: 'req-1' }),
      ev('t2', 'created'),
      [],
    );
    expect(again).toMatchObject({ created: false, reason: 'duplicate', existing: { id: 't1', requestHash: 'h1' } });
    expect(await store.getResource('r2')).toBeUndefined();
    const job = await store.createTask(task('t3', 'subject', { requestId: 'req-1' }), ev('t3', 'created'));
    expect(job).toMatchObject({ created: false, reason: 'duplicate' });
    expect(await store.createTask(task('t4', 'subject', { requestId: 'req-2' }), ev('t4', 'created'))).toEqual({
      created: true,
    });
    expect((await store.findTaskByRequestId('req-2'))?.id).toBe('t4');
    expect(await store.findTaskByRequestId('req-3')).toBeUndefined();
    // Tasks without a request id never collide.
    expect(await store.createTask(task('t5', 's'), ev('t5', 'created'))).toEqual({ created: true });
    expect(await store.createTask(task('t6', 's'), ev('t6', 'created'))).toEqual({ created: true });
  });

  it('keeps the first value written with setMetaIfAbsent', async () => {
    expect(await store.setMetaIfAbsent('k', 'first')).toBe('first');
    expect(await store.setMetaIfAbsent('k', 'second')).toBe('first');
    expect(await store.getMeta('k')).toBe('first');
    await store.setMeta('k', 'third');
    expect(await store.setMetaIfAbsent('k', 'fourth')).toBe('third');
  });

  it('transitions a task only from the listed statuses', async () => {
    await store.createResourceWithTask(resource('r1'), task('t1', 'r1'), ev('t1', 'created'), []);
    const t = (await store.getTask('t1')) as TaskRecord;
    expect(await store.transitionTask({ ...t, status: 'scheduled' }, ['failed'], ev('t1', 'rerun'))).toBe(false);
    expect(
      await store.transitionTask({ ...t, status: 'canceled', nextRunAt: null }, ['scheduled'], ev('t1', 'canceled')),
    ).toBe(true);
    expect((await store.getTask('t1'))?.status).toBe('canceled');
    expect(await store.claimDueTasks(10_000, 10, 'me', 20_000)).toEqual([]);
    expect(await store.nextWakeUp()).toBeUndefined();
  });

  it('lists, pages and deletes resources with their links', async () => {
    await store.createResourceWithTask(resource('a'), task('ta', 'a'), ev('ta', 'created'), []);
    await store.createResourceWithTask(resource('b'), task('tb', 'b'), ev('tb', 'created'), [
      { from: 'b', relation: 'parent', to: 'a' },
    ]);
    await store.link({ from: 'a', relation: 'children', to: 'b' });
    expect((await store.linksFrom('a')).map((l) => l.to)).toEqual(['b']);
    const page = await store.listResources({ type: 't', offset: 1, limit: 1 });
    expect(page).toMatchObject({ total: 2, items: [{ id: 'b' }] });
    expect(await store.putResource({ ...resource('a'), revision: 2 }, 5)).toBe(false);
    expect(await store.putResource({ ...resource('a'), revision: 2 }, 1)).toBe(true);
    await store.deleteResource('b');
    expect(await store.linksFrom('a')).toEqual([]);
    expect((await store.listResources({})).total).toBe(1);
  });
});
