/**
 * Redeliveries: the same attempt again, new attempts of the same request, one after another or all at
 * once. The request is provisioned once, the result goes to the latest acknowledged attempt, and no
 * attempt ever gets two results.
 */
import { randomUUID } from 'node:crypto';
import { deliver, eventually, notification, redelivery } from './fixtures/marketplace';
import { startHarness, type Harness } from './fixtures/provisioner';
import { Space } from './fixtures/space';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
afterEach(() => {
  Space.asyncPolls = 0;
});

const provisions = (email: string) => Space.calls.filter((c) => c === `provision ${email}`).length;
const ended = (s: string) => ['succeeded', 'failed', 'canceled'].includes(s);

async function settled(requestId: string) {
  return eventually(
    () => h.tasks(requestId),
    (t) => [...t.attempts, ...t.processing, ...t.results].every((x) => ended(x.status)) && t.results.length > 0,
  );
}

it('acknowledges a duplicate delivery of the same attempt again, and changes nothing', async () => {
  const n = notification({ details: { adminEmail: 'dup@example.com' } });
  const acks = await Promise.all([1, 2, 3, 4, 5].map(() => deliver(h.webhookUrl, n)));
  expect(acks.map((a) => a.status)).toEqual([202, 202, 202, 202, 202]);
  // Each names the task holding the attempt: the intake task it was stored with, or (once that has
  // run) the attempt's own task.
  expect(new Set(acks.map((a) => a.body.taskId)).size).toBeLessThanOrEqual(2);
  await eventually(
    () => h.marketplace.acceptedFor(n.provisionAttempt.id),
    (r) => r.length === 1,
  );
  const tasks = await settled(n.provisionRequest.id);
  expect(tasks.attempts).toHaveLength(1);
  expect(tasks.processing).toHaveLength(1);
  expect(tasks.results).toHaveLength(1);
  expect(provisions('dup@example.com')).toBe(1);
});

it('provisions once for concurrent redeliveries, and posts for the latest acknowledged attempt', async () => {
  Space.asyncPolls = 3; // processing outlasts the deliveries
  const first = notification({ details: { adminEmail: 'concurrent@example.com' } });
  const all = [first, ...[1, 2, 3, 4, 5, 6, 7].map(() => redelivery(first))];
  const acks = await Promise.all(all.map((n) => deliver(h.webhookUrl, n)));
  expect(acks.every((a) => a.status === 202)).toBe(true);
  // An attempt task's request id is `marketplace:attempt:<attempt id>`.
  const attemptOf = (t: { requestId: string | null }) => decodeURIComponent((t.requestId ?? '').split(':').pop()!);

  const tasks = await settled(first.provisionRequest.id);
  expect(provisions('concurrent@example.com')).toBe(1);
  expect(tasks.processing).toHaveLength(1);
  expect(tasks.attempts).toHaveLength(8);
  const latest = attemptOf(tasks.attempts[tasks.attempts.length - 1]!);
  await eventually(
    () => h.marketplace.acceptedFor(latest),
    (r) => r.length === 1,
  );
  // No attempt has more than one result; those without one say why.
  for (const n of all) expect(h.marketplace.acceptedFor(n.provisionAttempt.id).length).toBeLessThanOrEqual(1);
  for (const t of tasks.attempts) {
    const attemptId = attemptOf(t);
    if (h.marketplace.acceptedFor(attemptId).length === 0) expect(t.output).toMatch(/^Superseded by a later delivery/);
  }
  expect(
    h.marketplace.posts.filter((p) => p.provisionRequestId === first.provisionRequest.id && p.answered !== 201),
  ).toEqual([]);
});

it('answers a redelivery after the result with the same outcome, without provisioning again', async () => {
  const n = notification({ details: { adminEmail: 'again@example.com' } });
  await deliver(h.webhookUrl, n);
  const [first] = await eventually(
    () => h.marketplace.acceptedFor(n.provisionAttempt.id),
    (r) => r.length === 1,
  );
  const again = redelivery(n);
  expect((await deliver(h.webhookUrl, again)).status).toBe(202);
  const [second] = await eventually(
    () => h.marketplace.acceptedFor(again.provisionAttempt.id),
    (r) => r.length === 1,
  );
  expect(second!.body).toEqual({ ...first!.body, provisionAttemptId: again.provisionAttempt.id });
  expect(provisions('again@example.com')).toBe(1);
  expect((await settled(n.provisionRequest.id)).processing).toHaveLength(1);
});

it('processes a retry with new details after a Fail, and provisions once it can', async () => {
  const n = notification({ details: { adminEmail: 'taken@example.com' } });
  await deliver(h.webhookUrl, n);
  const [failed] = await eventually(
    () => h.marketplace.acceptedFor(n.provisionAttempt.id),
    (r) => r.length === 1,
  );
  expect(failed!.body.status).toBe('Fail');

  // The marketplace retries with new details (the buyer entered another email): a new attempt.
  const detailId = randomUUID();
  const retry = {
    ...n,
    provisionDetail: { id: detailId, details: { adminEmail: 'free@example.com' } },
    provisionAttempt: { id: randomUUID(), provisionDetailId: detailId },
  };
  await deliver(h.webhookUrl, retry);
  const [ok] = await eventually(
    () => h.marketplace.acceptedFor(retry.provisionAttempt.id),
    (r) => r.length === 1,
  );
  expect(ok!.body.status).toBe('Success');
  expect(provisions('free@example.com')).toBe(1);
  expect((await settled(n.provisionRequest.id)).processing).toHaveLength(2);

  // New details for a subscription that is provisioned by now provision nothing more.
  const detailId2 = randomUUID();
  const late = {
    ...n,
    provisionDetail: { id: detailId2, details: { adminEmail: 'other@example.com' } },
    provisionAttempt: { id: randomUUID(), provisionDetailId: detailId2 },
  };
  await deliver(h.webhookUrl, late);
  const [same] = await eventually(
    () => h.marketplace.acceptedFor(late.provisionAttempt.id),
    (r) => r.length === 1,
  );
  expect(same!.body).toMatchObject({
    status: 'Success',
    externalProvisionerSubscriptionId: ok!.body.externalProvisionerSubscriptionId,
  });
  expect(provisions('other@example.com')).toBe(0);
});

it('refuses an attempt id already received for another request, storing nothing', async () => {
  const n = notification();
  await deliver(h.webhookUrl, n);
  const other = notification({ attemptId: n.provisionAttempt.id });
  const refused = await deliver(h.webhookUrl, other);
  expect(refused.status).toBe(409);
  expect(refused.body.message).toContain(`Attempt ${n.provisionAttempt.id} was already received`);
  expect((await h.tasks(other.provisionRequest.id)).attempts).toEqual([]);
});
