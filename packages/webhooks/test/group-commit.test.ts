/**
 * Acknowledgements under bursts: the deliveries of a moment are stored in one write (an intake task
 * holding them all, which then stores each attempt as its own task), every one is still answered 202
 * only once stored, and processing waits while deliveries are being acknowledged (AckGate).
 */
import type { Controller } from '@apskit/controller';
import { AckBatch, AckGate, WebhookKeys } from '@apskit/webhooks';
import { deliver, eventually, notification } from './fixtures/marketplace';
import { startHarness, type Harness } from './fixtures/provisioner';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

it('stores a burst of 60 deliveries in a few writes, and every attempt once', async () => {
  const ns = Array.from({ length: 60 }, () => notification());
  const acks = await Promise.all(ns.map((n) => deliver(h.webhookUrl, n)));
  expect(acks.every((a) => a.status === 202)).toBe(true);
  const intake = (await h.provisioner.controller.listTasks({ resourceId: 'marketplace:intake' })).filter(
    (t) => t.operation === h.provisioner.webhooks.kinds.intake,
  );
  // Over HTTP from this same process, deliveries reach the intake a few at a time: how many share a
  // write depends on timing (the unit test below and the benchmark show the grouping itself).
  expect(intake.length).toBeLessThanOrEqual(60);
  expect(new Set(acks.map((a) => a.body.taskId)).size).toBe(intake.length);
  for (const n of ns)
    await eventually(
      () => h.marketplace.acceptedFor(n.provisionAttempt.id),
      (r) => r.length === 1,
      20_000,
    );
  for (const n of ns.slice(0, 5)) expect((await h.tasks(n.provisionRequest.id)).attempts).toHaveLength(1);
  const ended = await eventually(
    () => h.provisioner.controller.listTasks({ resourceId: 'marketplace:intake' }),
    (ts) => ts.every((t) => t.status === 'succeeded'),
  );
  const stored = ended.map((t) => Number(/^Stored (\d+) attempt/.exec(t.output)?.[1] ?? 0)).reduce((a, b) => a + b, 0);
  expect(stored).toBe(60);
  expect(ended[0]!.name).toMatch(/^\d+ notifications? acknowledged together from the marketplace$/);
});

describe('AckBatch', () => {
  it('stores the deliveries of a moment in one write, waiting for those under way', async () => {
    const writes: Array<{ kind: string; count: number }> = [];
    const controller = {
      enqueueJob: async (kind: string, o: { payload: { notifications: unknown[] } }) => {
        writes.push({ kind, count: o.payload.notifications.length });
        return { task: { id: `intake-${writes.length}` }, created: true };
      },
    } as unknown as Controller;
    let underWay = 12;
    const batch = new AckBatch(controller, new WebhookKeys('marketplace'), () => underWay);
    const first = Array.from({ length: 10 }, () => batch.add(notification()));
    // Two more deliveries are still being read: the write waits for them (at most 5 ms).
    await new Promise((r) => setImmediate(r));
    const late = [batch.add(notification()), batch.add(notification())];
    underWay = 0;
    const ids = await Promise.all([...first, ...late]);
    // One write for the twelve; two on a machine so busy that the 5 ms bound passed before the last two.
    expect(writes.map((w) => w.count).reduce((a, b) => a + b, 0)).toBe(12);
    expect(writes.length).toBeLessThanOrEqual(2);
    expect(writes[0]).toMatchObject({ kind: 'marketplace.intake' });
    expect(writes[0]!.count).toBeGreaterThanOrEqual(10);
    expect(new Set(ids).size).toBe(writes.length);
    const n = notification();
    const pending = batch.add(n);
    expect(batch.pending(n.provisionAttempt.id)?.provisionRequestId).toBe(n.provisionRequest.id);
    expect(await pending).toBe(`intake-${writes.length}`);
    batch.stored(n.provisionAttempt.id);
    expect(batch.pending(n.provisionAttempt.id)).toBeUndefined();
  });
});

describe('AckGate', () => {
  it('holds processing while a burst is acknowledged, until none has been for lingerMs', async () => {
    const gate = new AckGate(true, 30);
    await gate.quiet(); // nothing under way: at once
    const alone = gate.enter();
    await gate.quiet(); // one delivery at a time is no burst: at once
    const second = gate.enter(); // two at once: a burst
    let released = 0;
    const waiting = gate.quiet(5000).then(() => (released = Date.now()));
    await new Promise((r) => setTimeout(r, 50));
    expect(released).toBe(0);
    const answeredAt = Date.now();
    second();
    second(); // twice changes nothing
    alone();
    await waiting;
    expect(released - answeredAt).toBeGreaterThanOrEqual(25);
    expect(gate.acknowledging).toBe(0);
  });

  it('waits at most maxWaitMs, and never when disabled', async () => {
    const gate = new AckGate(true);
    gate.enter();
    gate.enter();
    const start = Date.now();
    await gate.quiet(60);
    expect(Date.now() - start).toBeLessThan(1000);
    const off = new AckGate(false);
    off.enter();
    off.enter();
    await off.quiet(60_000);
  });
});

describe('acknowledgeFirst: false (each acknowledgement its own write)', () => {
  let one: Harness;
  beforeAll(async () => {
    one = await startHarness({ acknowledgeFirst: false });
  });
  afterAll(() => one.close());

  it('stores the attempt itself before its 202, which names it; no intake task', async () => {
    const n = notification();
    const ack = await deliver(one.webhookUrl, n);
    expect(ack.status).toBe(202);
    const { attempts } = await one.tasks(n.provisionRequest.id);
    expect(attempts.map((t) => t.id)).toEqual([ack.body.taskId]);
    expect(await one.provisioner.controller.listTasks({ resourceId: 'marketplace:intake' })).toEqual([]);
    await eventually(
      () => one.marketplace.acceptedFor(n.provisionAttempt.id),
      (r) => r.length === 1,
    );
    const other = notification({ attemptId: n.provisionAttempt.id });
    expect((await deliver(one.webhookUrl, other)).status).toBe(409);
  });
});
