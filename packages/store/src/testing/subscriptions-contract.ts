/**
 * The store contract for event subscriptions (issue 19) and for the tasks a write creates with it
 * (`followUps`, the outbox of event deliveries): subscriptions are listed in creation order, capped
 * per subscriber in one step, matched by event and source (resource id, or one of its types), and go
 * with their subscriber or their source resource; follow-ups exist exactly when their write does.
 * See docs.cloudblue.com/cbc/sdk/21.0/concepts/events/aps-event/event-subscriptions.
 */
import { Events, ResourceStatus, TaskEventKind, TaskStatus } from '@apskit/core';
import type { NewTask, SubscriptionRecord, TaskRecord } from '../records';
import type { Store } from '../store';
import { exampleEvent, exampleResource, exampleSubscription, exampleTask } from './records';

const CHANGED = Events.changed;
const LINKED = Events.linked;

/** A delivery task to create with a write, due at 200. */
const followUp = (id: string, over: Partial<TaskRecord> = {}): NewTask => ({
  task: exampleTask(id, `event-delivery:${id}`, { operation: 'aps.event.deliver', nextRunAt: 200, ...over }),
  event: exampleEvent(id, TaskEventKind.created),
});

const ids = (list: readonly { id: string }[]): string[] => list.map((x) => x.id);

/** Registers the subscription cases in the current describe; `store()` is the test's initialised store. */
export function subscriptionsContract(store: () => Store): void {
  /** A resource `id` whose provisioning task `t-<id>` (due at 100) is claimed by 'me' until `leaseUntil`. */
  const claimedTaskOf = async (s: Store, id: string, leaseUntil = 1000): Promise<TaskRecord> => {
    await s.createResourceWithTask(
      exampleResource(id),
      exampleTask(`t-${id}`, id),
      exampleEvent(`t-${id}`, TaskEventKind.created),
      [],
    );
    const [claimed] = await s.claimDueTasks(100, 1, 'me', leaseUntil);
    return claimed;
  };

  it('adds, lists in creation order, and removes (false when there is none with that id)', async () => {
    const s = store();
    const b = exampleSubscription('b', 'sub');
    const a = exampleSubscription('a', 'sub', { sourceType: null, sourceId: 'src', relation: 'users', declared: true });
    expect(await s.addSubscription(b, 10)).toBe(true);
    expect(await s.addSubscription(a, 10)).toBe(true);
    expect(await s.addSubscription(exampleSubscription('c', 'other'), 10)).toBe(true);
    expect(await s.listSubscriptions('sub')).toEqual([b, a]);
    expect(await s.listSubscriptions('nobody')).toEqual([]);
    expect(await s.removeSubscription('sub', 'missing')).toBe(false);
    // Another subscriber's id is not this one's to remove.
    expect(await s.removeSubscription('sub', 'c')).toBe(false);
    expect(await s.removeSubscription('sub', 'b')).toBe(true);
    expect(await s.removeSubscription('sub', 'b')).toBe(false);
    expect(await s.listSubscriptions('sub')).toEqual([a]);
    expect(ids(await s.listSubscriptions('other'))).toEqual(['c']);
  });

  it('matches a subscription added after a change of its event had none', async () => {
    const s = store();
    expect(await s.matchingSubscriptions(CHANGED, 'src', ['t'])).toEqual([]);
    const sub = exampleSubscription('a', 'sub', { event: CHANGED, sourceType: null, sourceId: 'src' });
    expect(await s.addSubscription(sub, 10)).toBe(true);
    expect(await s.matchingSubscriptions(CHANGED, 'src', ['t'])).toEqual([sub]);
    // Removed, it is matched no more (a store may still look).
    expect(await s.removeSubscription('sub', 'a')).toBe(true);
    expect(await s.matchingSubscriptions(CHANGED, 'src', ['t'])).toEqual([]);
    // One made with its subscriber (declared subscriptions) too.
    expect(await s.matchingSubscriptions(LINKED, 'src', ['t'])).toEqual([]);
    const declared = exampleSubscription('d', 'holder', { event: LINKED, declared: true });
    await s.createResourceWithTask(
      exampleResource('holder'),
      exampleTask('t-holder', 'holder'),
      exampleEvent('t-holder', TaskEventKind.created),
      [],
      [declared],
    );
    expect(await s.matchingSubscriptions(LINKED, 'src', ['t'])).toEqual([declared]);
  });

  it('keeps at most maxPerSubscriber per subscriber; adding an id that is stored again is a no-op', async () => {
    const s = store();
    expect(await s.addSubscription(exampleSubscription('a', 'sub'), 2)).toBe(true);
    expect(await s.addSubscription(exampleSubscription('b', 'sub'), 2)).toBe(true);
    expect(await s.addSubscription(exampleSubscription('c', 'sub'), 2)).toBe(false);
    expect(ids(await s.listSubscriptions('sub'))).toEqual(['a', 'b']);
    // The same id again, even at the limit and with other fields: true, and the stored one is kept.
    expect(await s.addSubscription(exampleSubscription('a', 'sub', { handler: 'other' }), 2)).toBe(true);
    expect(await s.listSubscriptions('sub')).toEqual([
      exampleSubscription('a', 'sub'),
      exampleSubscription('b', 'sub'),
    ]);
    // Another subscriber has a limit of its own.
    expect(await s.addSubscription(exampleSubscription('d', 'other'), 2)).toBe(true);
  });

  it('counts and adds in one step: of two adds at once with one place left, one is stored', async () => {
    const s = store();
    await s.addSubscription(exampleSubscription('a', 'sub'), 2);
    const answers = await Promise.all([
      s.addSubscription(exampleSubscription('b', 'sub'), 2),
      s.addSubscription(exampleSubscription('c', 'sub'), 2),
    ]);
    expect(answers.filter(Boolean)).toHaveLength(1);
    expect(await s.listSubscriptions('sub')).toHaveLength(2);
  });

  it('matches by event and source id, or by event and any of the source types, in creation order', async () => {
    const s = store();
    const add = (id: string, over: Partial<SubscriptionRecord>) =>
      s.addSubscription(exampleSubscription(id, `subscriber-${id}`, over), 10);
    await add('by-type', { event: CHANGED, sourceType: 'T' });
    await add('by-id', { event: CHANGED, sourceType: null, sourceId: 'r1' });
    await add('by-base-type', { event: CHANGED, sourceType: 'Base' });
    await add('other-event', { event: LINKED, sourceType: 'T' });
    await add('other-id', { event: CHANGED, sourceType: null, sourceId: 'r2' });
    await add('other-type', { event: CHANGED, sourceType: 'U' });
    // A type beside an id narrows it: that resource, when it is of the type.
    await add('id-and-type', { event: CHANGED, sourceType: 'T', sourceId: 'r1' });
    await add('id-and-other-type', { event: CHANGED, sourceType: 'U', sourceId: 'r1' });
    expect(ids(await s.matchingSubscriptions(CHANGED, 'r1', ['T', 'Base']))).toEqual([
      'by-type',
      'by-id',
      'by-base-type',
      'id-and-type',
    ]);
    expect(ids(await s.matchingSubscriptions(LINKED, 'r1', ['T']))).toEqual(['other-event']);
    expect(ids(await s.matchingSubscriptions(CHANGED, 'r9', ['V']))).toEqual([]);
    expect(ids(await s.matchingSubscriptions(CHANGED, 'r1', []))).toEqual(['by-id']);
    expect(await s.matchingSubscriptions(CHANGED, 'r5', ['Base'])).toEqual([
      exampleSubscription('by-base-type', 'subscriber-by-base-type', { event: CHANGED, sourceType: 'Base' }),
    ]);
  });

  it("deleteResource removes the resource's subscriptions, as subscriber and as source", async () => {
    const s = store();
    await s.putResource(exampleResource('r1'));
    await s.addSubscription(exampleSubscription('held', 'r1'), 10);
    await s.addSubscription(exampleSubscription('naming', 'r2', { sourceType: null, sourceId: 'r1' }), 10);
    await s.addSubscription(exampleSubscription('by-type', 'r2', { sourceType: 't' }), 10);
    await s.addSubscription(exampleSubscription('else', 'r3', { sourceType: null, sourceId: 'r4' }), 10);
    await s.deleteResource('r1');
    expect(await s.listSubscriptions('r1')).toEqual([]);
    expect(ids(await s.listSubscriptions('r2'))).toEqual(['by-type']);
    expect(ids(await s.listSubscriptions('r3'))).toEqual(['else']);
    expect(ids(await s.matchingSubscriptions(CHANGED, 'r1', ['t']))).toEqual(['by-type']);
  });

  it("an attempt outcome's delete removes the resource's subscriptions too", async () => {
    const s = store();
    const claimed = await claimedTaskOf(s, 'r1');
    await s.addSubscription(exampleSubscription('held', 'r1'), 10);
    await s.addSubscription(exampleSubscription('naming', 'r2', { sourceType: null, sourceId: 'r1' }), 10);
    const [applied] = await s.completeAttempts('me', [
      {
        task: { ...claimed, status: TaskStatus.succeeded, leaseOwner: null, leaseUntil: null },
        event: exampleEvent('t-r1', TaskEventKind.succeeded),
        resource: { delete: 'r1' },
      },
    ]);
    expect(applied).toBe(true);
    expect(await s.getResource('r1')).toBeUndefined();
    expect(await s.listSubscriptions('r1')).toEqual([]);
    expect(await s.listSubscriptions('r2')).toEqual([]);
  });

  it("creates an outcome's follow-ups when it is applied, and not when the runner lost the lease", async () => {
    const s = store();
    const claimed = await claimedTaskOf(s, 'r1');
    const outcome = {
      task: { ...claimed, status: TaskStatus.succeeded, leaseOwner: null, leaseUntil: null },
      event: exampleEvent('t-r1', TaskEventKind.succeeded),
      resource: { ...exampleResource('r1'), status: ResourceStatus.ready, revision: 2 },
      followUps: [followUp('d1'), followUp('d2')],
    };
    expect(await s.completeAttempts('someone-else', [outcome])).toEqual([false]);
    expect(await s.getTask('d1')).toBeUndefined();
    expect(await s.countTasks({})).toBe(1);
    expect(await s.completeAttempts('me', [outcome])).toEqual([true]);
    expect(await s.getTask('d1')).toEqual(followUp('d1').task);
    expect((await s.taskEvents('d2')).map((e) => e.kind)).toEqual([TaskEventKind.created]);
    expect(ids(await s.listTasks({}))).toEqual(['t-r1', 'd1', 'd2']);
    expect(ids(await s.claimDueTasks(300, 10, 'me', 2000))).toEqual(['d1', 'd2']);
    // Applied once only: the same outcome again creates nothing more.
    expect(await s.completeAttempts('me', [outcome])).toEqual([false]);
    expect(await s.countTasks({})).toBe(3);
  });

  it('creates the follow-ups of each applied outcome of a batch, and of none refused', async () => {
    const s = store();
    const a = await claimedTaskOf(s, 'ra');
    const b = await claimedTaskOf(s, 'rb', 5000);
    const done = (t: TaskRecord, f: string) => ({
      task: { ...t, status: TaskStatus.succeeded, leaseOwner: null, leaseUntil: null },
      event: exampleEvent(t.id, TaskEventKind.succeeded),
      followUps: [followUp(f)],
    });
    // a is another runner's now (its lease ran out and it was taken over); b is still 'me''s.
    expect(ids(await s.claimDueTasks(1500, 10, 'other', 9000))).toEqual(['t-ra']);
    expect(await s.completeAttempts('me', [done(a, 'da'), done(b, 'db')])).toEqual([false, true]);
    expect(ids(await s.listTasks({ status: TaskStatus.scheduled }))).toEqual(['db']);
    expect(await s.getTask('da')).toBeUndefined();
  });

  it('putResource creates its follow-ups only when the resource is written', async () => {
    const s = store();
    await s.putResource(exampleResource('r1'));
    expect(await s.putResource({ ...exampleResource('r1'), revision: 2 }, 5, [followUp('lost')])).toBe(false);
    expect(await s.getTask('lost')).toBeUndefined();
    expect(await s.putResource({ ...exampleResource('r1'), revision: 2 }, 1, [followUp('d1')])).toBe(true);
    expect(await s.putResource({ ...exampleResource('r1'), revision: 3 }, undefined, [followUp('d2')])).toBe(true);
    expect(ids(await s.listTasks({}))).toEqual(['d1', 'd2']);
    expect((await s.taskEvents('d1')).map((e) => e.kind)).toEqual([TaskEventKind.created]);
    expect(ids(await s.claimDueTasks(300, 10, 'me', 2000))).toEqual(['d1', 'd2']);
  });

  it('activeTask answers the oldest active follow-up of an ordering key, ties in creation order', async () => {
    const s = store();
    const key = 'event-delivery:sub:src';
    await s.putResource(exampleResource('r1'), undefined, [
      followUp('first', { resourceId: key }),
      followUp('second', { resourceId: key }),
    ]);
    await s.changeLinks([], [], [followUp('third', { resourceId: key })]);
    expect((await s.activeTask(key))?.id).toBe('first');
    const first = (await s.getTask('first')) as TaskRecord;
    await s.transitionTask(
      { ...first, status: TaskStatus.canceled, nextRunAt: null },
      [TaskStatus.scheduled],
      exampleEvent('first', TaskEventKind.canceled),
    );
    expect((await s.activeTask(key))?.id).toBe('second');
  });

  it('changeLinks creates its follow-ups with the links', async () => {
    const s = store();
    await s.changeLinks([], [{ from: 'a', relation: 'users', to: 'b' }], [followUp('d1')]);
    expect((await s.linksFrom('a')).map((l) => l.to)).toEqual(['b']);
    expect(await s.getTask('d1')).toEqual(followUp('d1').task);
    expect((await s.taskEvents('d1')).map((e) => e.kind)).toEqual([TaskEventKind.created]);
  });

  it('leaves out a follow-up whose request id a task has already, and creates the others', async () => {
    const s = store();
    await s.createTask(exampleTask('first', 'x', { requestId: 'req' }), exampleEvent('first', TaskEventKind.created));
    await s.putResource(exampleResource('r1'), undefined, [followUp('d1', { requestId: 'req' }), followUp('d2')]);
    expect(await s.getTask('d1')).toBeUndefined();
    expect(ids(await s.listTasks({}))).toEqual(['first', 'd2']);
    expect((await s.findTaskByRequestId('req'))?.id).toBe('first');
  });

  it('createResourceWithTask stores the declared subscriptions, and nothing on a taken request id', async () => {
    const s = store();
    const declared = [
      exampleSubscription('s1', 'r1', { declared: true }),
      exampleSubscription('s2', 'r1', { declared: true, event: LINKED, relation: 'users' }),
    ];
    const task = exampleTask('t1', 'r1', { requestId: 'req' });
    expect(
      await s.createResourceWithTask(
        exampleResource('r1'),
        task,
        exampleEvent('t1', TaskEventKind.created),
        [],
        declared,
      ),
    ).toEqual({ created: true });
    expect(await s.listSubscriptions('r1')).toEqual(declared);
    const again = await s.createResourceWithTask(
      exampleResource('r2'),
      exampleTask('t2', 'r2', { requestId: 'req' }),
      exampleEvent('t2', TaskEventKind.created),
      [],
      [exampleSubscription('s3', 'r2', { declared: true })],
    );
    expect(again).toMatchObject({ created: false, reason: 'duplicate', existing: { id: 't1' } });
    expect(await s.getResource('r2')).toBeUndefined();
    expect(await s.listSubscriptions('r2')).toEqual([]);
    expect(ids(await s.matchingSubscriptions(CHANGED, 'x', ['t']))).toEqual(['s1']);
  });
}
