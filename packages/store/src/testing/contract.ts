/**
 * The Store contract: what the controller relies on of every store, for leases, exactly-once
 * completion, request ids and the one-active-task rule. `runStoreContract` registers it as a jest
 * suite (describe/it/expect are the runner's globals) against a store the factory makes afresh for
 * each test, initialised before and closed after.
 */
import { ResourceStatus, TaskEventKind, TaskStatus } from '@apskit/core';
import type { TaskRecord } from '../records';
import type { Store } from '../store';
import { linkContract } from './links-contract';
import { queryContract } from './query-contract';
import { subscriptionsContract } from './subscriptions-contract';
import { exampleEvent, exampleResource, exampleTask } from './records';

/** Makes an empty store, not yet initialised. */
export type StoreFactory = () => Store | Promise<Store>;

/** Registers the contract as `describe('<name> store', …)`. */
export function runStoreContract(name: string, makeStore: StoreFactory): void {
  describe(`${name} store`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
      await store.init();
    });
    afterEach(() => store.close());

    describe('links', () => linkContract(() => store));
    describe('resource queries', () => queryContract(() => store));
    describe('event subscriptions and follow-up tasks', () => subscriptionsContract(() => store));

    it('claims due tasks in time order, up to the limit, and leases them to the claimer', async () => {
      for (const [id, at] of [
        ['a', 300],
        ['b', 100],
        ['c', 200],
        ['d', 900],
      ] as const) {
        await store.createResourceWithTask(
          exampleResource(`r-${id}`),
          exampleTask(id, `r-${id}`, { nextRunAt: at }),
          exampleEvent(id, TaskEventKind.created),
          [],
        );
      }
      const claimed = await store.claimDueTasks(500, 2, 'me', 10_000);
      expect(claimed.map((t) => t.id)).toEqual(['b', 'c']);
      expect(claimed[0]).toMatchObject({
        status: TaskStatus.running,
        attempts: 1,
        leaseOwner: 'me',
        leaseUntil: 10_000,
      });
      expect((await store.claimDueTasks(500, 10, 'other', 10_000)).map((t) => t.id)).toEqual(['a']);
      expect(await store.claimDueTasks(500, 10, 'other', 10_000)).toEqual([]);
      expect(await store.nextWakeUp()).toBe(900);
    });

    it('records an outcome only for the runner that holds the lease', async () => {
      await store.createResourceWithTask(
        exampleResource('r1'),
        exampleTask('t1', 'r1'),
        exampleEvent('t1', TaskEventKind.created),
        [],
      );
      const [claimed] = await store.claimDueTasks(100, 1, 'me', 1000);
      const done: TaskRecord = {
        ...claimed,
        status: TaskStatus.succeeded,
        endedAt: 150,
        leaseOwner: null,
        leaseUntil: null,
      };
      const outcome = {
        task: done,
        event: exampleEvent('t1', TaskEventKind.succeeded, 150),
        resource: { ...exampleResource('r1'), status: ResourceStatus.ready, revision: 2 },
      };
      expect(await (await store.completeAttempts('someone-else', [outcome]))[0]).toBe(false);
      expect(await (await store.completeAttempts('me', [outcome]))[0]).toBe(true);
      // A second completion of an ended task changes nothing.
      expect(await (await store.completeAttempts('me', [outcome]))[0]).toBe(false);
      expect((await store.taskEvents('t1')).map((e) => e.kind)).toEqual([
        TaskEventKind.created,
        TaskEventKind.succeeded,
      ]);
      expect((await store.getResource('r1'))?.status).toBe(ResourceStatus.ready);
    });

    it('lets another runner take over a task whose lease ran out, with a recovered event', async () => {
      await store.createResourceWithTask(
        exampleResource('r1'),
        exampleTask('t1', 'r1'),
        exampleEvent('t1', TaskEventKind.created),
        [],
      );
      await store.claimDueTasks(100, 1, 'dead', 500);
      expect(await store.claimDueTasks(400, 1, 'alive', 2000)).toEqual([]);
      expect(await store.nextWakeUp()).toBe(500);
      const [taken] = await store.claimDueTasks(600, 1, 'alive', 2000);
      expect(taken).toMatchObject({ id: 't1', leaseOwner: 'alive', attempts: 2 });
      expect((await store.taskEvents('t1')).map((e) => e.kind)).toEqual([
        TaskEventKind.created,
        TaskEventKind.recovered,
      ]);
      const outcome = {
        task: { ...taken, status: TaskStatus.failed, leaseOwner: null },
        event: exampleEvent('t1', TaskEventKind.failed),
      };
      expect(await (await store.completeAttempts('dead', [outcome]))[0]).toBe(false);
    });

    it('completes and claims in one step where it can; claimed tasks come with their resources as stored if it reads them', async () => {
      if (!store.completeAttemptsAndClaim) return; // optional: the scheduler then asks twice
      for (const [id, at] of [
        ['a', 100],
        ['b', 200],
        ['c', 300],
      ] as const)
        await store.createResourceWithTask(
          exampleResource(`r-${id}`, { name: id }),
          exampleTask(id, `r-${id}`, { nextRunAt: at }),
          exampleEvent(id, TaskEventKind.created),
          [],
        );
      // A job's task: its resource id names no resource.
      await store.createTask(
        exampleTask('job', 'no-such-resource', { nextRunAt: 250 }),
        exampleEvent('job', TaskEventKind.created),
      );
      const [a] = await store.claimDueTasks(100, 1, 'me', 10_000);
      const outcome = {
        task: { ...a, status: TaskStatus.succeeded, endedAt: 400, leaseOwner: null, leaseUntil: null },
        event: exampleEvent('a', TaskEventKind.succeeded, 400),
        resource: { ...exampleResource('r-a', { name: 'a', done: true }), status: ResourceStatus.ready, revision: 2 },
      };
      const done = await store.completeAttemptsAndClaim('me', [outcome], { now: 400, limit: 5, leaseUntil: 20_000 });
      expect(done.applied).toEqual([true]);
      // In due order; the outcome's own task ended, so it is not among them.
      expect(done.claimed.map((t) => t.id)).toEqual(['b', 'job', 'c']);
      expect(done.claimed[0]).toMatchObject({ status: TaskStatus.running, leaseOwner: 'me', leaseUntil: 20_000 });
      expect((await store.getResource('r-a'))?.properties).toEqual({ name: 'a', done: true });
      if (done.resources) {
        expect(done.resources.get('r-b')).toEqual(await store.getResource('r-b'));
        expect(done.resources.get('r-c')).toEqual(await store.getResource('r-c'));
        expect(done.resources.has('no-such-resource')).toBe(false);
      }
      // Nothing is due any more: a claim alone (no outcomes) finds none.
      expect(
        (await store.completeAttemptsAndClaim('me', [], { now: 400, limit: 5, leaseUntil: 20_000 })).claimed,
      ).toEqual([]);
    });

    it('allows one active task per resource', async () => {
      await store.createResourceWithTask(
        exampleResource('r1'),
        exampleTask('t1', 'r1'),
        exampleEvent('t1', TaskEventKind.created),
        [],
      );
      const busy = await store.createTaskUnlessBusy(
        exampleTask('t2', 'r1'),
        exampleEvent('t2', TaskEventKind.created),
        exampleResource('r1'),
      );
      expect(busy).toMatchObject({ created: false, reason: 'busy', existing: { id: 't1' } });
      expect(await store.getTask('t2')).toBeUndefined();
      const [claimed] = await store.claimDueTasks(100, 1, 'me', 1000);
      await store.completeAttempts('me', [
        {
          task: { ...claimed, status: TaskStatus.succeeded, leaseOwner: null },
          event: exampleEvent('t1', TaskEventKind.succeeded),
        },
      ]);
      expect(
        await store.createTaskUnlessBusy(
          exampleTask('t2', 'r1'),
          exampleEvent('t2', TaskEventKind.created),
          exampleResource('r1'),
        ),
      ).toEqual({ created: true });
      expect((await store.activeTask('r1'))?.id).toBe('t2');
    });

    it('keeps request ids unique: a second task with one is not created, and is found by it', async () => {
      const first = exampleTask('t1', 'r1', { requestId: 'req-1', requestHash: 'h1' });
      expect(
        await store.createResourceWithTask(exampleResource('r1'), first, exampleEvent('t1', TaskEventKind.created), []),
      ).toEqual({ created: true });
      const again = await store.createResourceWithTask(
        exampleResource('r2'),
        exampleTask('t2', 'r2', { requestId: 'req-1' }),
        exampleEvent('t2', TaskEventKind.created),
        [],
      );
      expect(again).toMatchObject({ created: false, reason: 'duplicate', existing: { id: 't1', requestHash: 'h1' } });
      expect(await store.getResource('r2')).toBeUndefined();
      const job = await store.createTask(
        exampleTask('t3', 'subject', { requestId: 'req-1' }),
        exampleEvent('t3', TaskEventKind.created),
      );
      expect(job).toMatchObject({ created: false, reason: 'duplicate' });
      expect(
        await store.createTask(
          exampleTask('t4', 'subject', { requestId: 'req-2' }),
          exampleEvent('t4', TaskEventKind.created),
        ),
      ).toEqual({ created: true });
      expect((await store.findTaskByRequestId('req-2'))?.id).toBe('t4');
      expect(await store.findTaskByRequestId('req-3')).toBeUndefined();
      // Tasks without a request id never collide.
      expect(await store.createTask(exampleTask('t5', 's'), exampleEvent('t5', TaskEventKind.created))).toEqual({
        created: true,
      });
      expect(await store.createTask(exampleTask('t6', 's'), exampleEvent('t6', TaskEventKind.created))).toEqual({
        created: true,
      });
    });

    it('keeps the first value written with setMetaIfAbsent', async () => {
      expect(await store.setMetaIfAbsent('k', 'first')).toBe('first');
      expect(await store.setMetaIfAbsent('k', 'second')).toBe('first');
      expect(await store.getMeta('k')).toBe('first');
      await store.setMeta('k', 'third');
      expect(await store.setMetaIfAbsent('k', 'fourth')).toBe('third');
    });

    it('transitions a task only from the listed statuses', async () => {
      await store.createResourceWithTask(
        exampleResource('r1'),
        exampleTask('t1', 'r1'),
        exampleEvent('t1', TaskEventKind.created),
        [],
      );
      const t = (await store.getTask('t1')) as TaskRecord;
      expect(
        await store.transitionTask(
          { ...t, status: TaskStatus.scheduled },
          [TaskStatus.failed],
          exampleEvent('t1', TaskEventKind.rerun),
        ),
      ).toBe(false);
      expect(
        await store.transitionTask(
          { ...t, status: TaskStatus.canceled, nextRunAt: null },
          [TaskStatus.scheduled],
          exampleEvent('t1', TaskEventKind.canceled),
        ),
      ).toBe(true);
      expect((await store.getTask('t1'))?.status).toBe(TaskStatus.canceled);
      expect(await store.claimDueTasks(10_000, 10, 'me', 20_000)).toEqual([]);
      expect(await store.nextWakeUp()).toBeUndefined();
    });

    it('lists, pages and deletes resources with their links', async () => {
      await store.createResourceWithTask(
        exampleResource('a'),
        exampleTask('ta', 'a'),
        exampleEvent('ta', TaskEventKind.created),
        [],
      );
      await store.createResourceWithTask(
        exampleResource('b'),
        exampleTask('tb', 'b'),
        exampleEvent('tb', TaskEventKind.created),
        [{ from: 'b', relation: 'parent', to: 'a' }],
      );
      await store.link({ from: 'a', relation: 'children', to: 'b' });
      expect((await store.linksFrom('a')).map((l) => l.to)).toEqual(['b']);
      const page = await store.listResources({ type: 't', offset: 1, limit: 1 });
      expect(page).toMatchObject({ total: 2, items: [{ id: 'b' }] });
      expect(await store.putResource({ ...exampleResource('a'), revision: 2 }, 5)).toBe(false);
      expect(await store.putResource({ ...exampleResource('a'), revision: 2 }, 1)).toBe(true);
      await store.deleteResource('b');
      expect(await store.linksFrom('a')).toEqual([]);
      expect((await store.listResources({})).total).toBe(1);
    });
  });
}
