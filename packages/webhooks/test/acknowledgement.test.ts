/**
 * Acknowledge without judging (seed: "No validation should occur during this step. This is simply to
 * let Pax8 know whether the Provision Notification was received"): a notification whose content the
 * provisioner cannot serve (an unknown request type, no type, details of the wrong shape, content its
 * mapping cannot read) is acknowledged with 202 like any other, then answered with ONE Fail result
 * whose errorMessage says why. Only what makes a body unusable as a notification is refused at the
 * acknowledgement (authentication.test.ts).
 */
import { randomUUID } from 'node:crypto';
import type { ProvisionNotification } from '@apskit/webhooks';
import { deliver, eventually, notification } from './fixtures/marketplace';
import { startHarness, type Harness } from './fixtures/provisioner';
import { Space } from './fixtures/space';

const HANDLED = 'NetNew, Update, Deprovision, TrialCreate, TrialConvert, ChangeProduct, Renewal';

/** Delivers, expects 202, waits for the one result of the attempt and gives it with every post for the request. */
async function answered(h: Harness, body: unknown, requestId: string, attemptId: string) {
  const ack = await deliver(h.webhookUrl, body);
  expect(ack.status).toBe(202);
  const [result] = await eventually(
    () => h.marketplace.acceptedFor(attemptId),
    (r) => r.length === 1,
  );
  await new Promise((r) => setTimeout(r, 100)); // room for a second post, which must not come
  return { result: result!.body, posts: h.marketplace.posts.filter((p) => p.provisionRequestId === requestId) };
}

describe('acknowledged, then answered with one Fail result', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('an unknown request type (PartnerEnrollment)', async () => {
    const n = notification({ type: 'PartnerEnrollment' });
    // Delivered twice (the same attempt): acknowledged twice, answered once.
    expect((await deliver(h.webhookUrl, n)).status).toBe(202);
    const { result, posts } = await answered(h, n, n.provisionRequest.id, n.provisionAttempt.id);
    expect(result).toEqual({
      provisionAttemptId: n.provisionAttempt.id,
      status: 'Fail',
      errorMessage: `This provisioner does not handle "PartnerEnrollment" requests; it handles ${HANDLED}`,
    });
    expect(posts).toHaveLength(1);
    expect(Space.calls).toEqual([]);
    const tasks = await h.tasks(n.provisionRequest.id);
    expect(tasks.processing[0]!.name).toBe(
      `Processing PartnerEnrollment request ${n.provisionRequest.id} from the marketplace (a request type this provisioner does not handle)`,
    );
  });

  const cases: Array<[string, (n: ProvisionNotification) => unknown, string]> = [
    [
      'no request type',
      (n) => ({ ...n, provisionRequest: { ...n.provisionRequest, type: undefined } }),
      'The provision request has no type (provisionRequest.type)',
    ],
    [
      'a request type that is not a string',
      (n) => ({ ...n, provisionRequest: { ...n.provisionRequest, type: 7 } }),
      `This provisioner does not handle 7 requests; it handles ${HANDLED}`,
    ],
    [
      'provisionDetail that is not an object',
      (n) => ({ ...n, provisionDetail: 'admin@example.com' }),
      'The provision details (provisionDetail) are not an object',
    ],
    [
      'details that are not an object',
      (n) => ({ ...n, provisionDetail: { ...n.provisionDetail, details: ['admin@example.com'] } }),
      'The details entered at checkout (provisionDetail.details) are not an object',
    ],
    [
      'a provisionDetail.id that cannot be one',
      (n) => ({ ...n, provisionDetail: { ...n.provisionDetail, id: { nested: true } } }),
      'provisionDetail.id must be 1 to 200 visible ASCII characters',
    ],
    [
      'a quantity that is not a number',
      (n) => ({ ...n, provisionRequest: { ...n.provisionRequest, quantity: 'five' } }),
      'The quantity (provisionRequest.quantity) is not a number',
    ],
    [
      'a subscription id that is not a string',
      (n) => ({ ...n, provisionRequest: { ...n.provisionRequest, subscriptionId: { id: 1 } } }),
      'The subscription id (provisionRequest.subscriptionId) is not a string',
    ],
    [
      'content the type refuses (schema)',
      (n) => ({ ...n, provisionDetail: { ...n.provisionDetail, details: { adminEmail: 'not an email' } } }),
      'adminEmail',
    ],
  ];

  it.each(cases)('%s', async (_what, change, message) => {
    const n = notification();
    const { result, posts } = await answered(h, change(n), n.provisionRequest.id, n.provisionAttempt.id);
    expect(result.status).toBe('Fail');
    expect(result.errorMessage).toContain(message);
    expect(posts).toHaveLength(1);
  });

  it('still refuses what cannot be a notification: no attempt id to post a result for', async () => {
    const n = notification();
    const reply = await deliver(h.webhookUrl, { ...n, provisionAttempt: { provisionDetailId: randomUUID() } });
    expect(reply.status).toBe(400);
    expect(reply.body.details).toEqual([{ field: 'provisionAttempt.id', message: 'is required' }]);
    expect((await h.tasks(n.provisionRequest.id)).attempts).toEqual([]);
  });
});

describe('a mapping that cannot read the notification', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      // Reads a nested field without looking: a TypeError for a notification without it.
      resource: (n) => ({ adminEmail: (n.provisionDetail!.details!.admin as { email: string }).email, seats: 1 }),
    });
  });
  afterAll(() => h.close());

  it('answers Fail at once, instead of retrying what would fail again', async () => {
    const n = notification({ details: { adminEmail: 'x@example.com' } });
    const { result, posts } = await answered(h, n, n.provisionRequest.id, n.provisionAttempt.id);
    expect(result.status).toBe('Fail');
    expect(result.errorMessage).toMatch(/^The notification could not be read: /);
    expect(posts).toHaveLength(1);
    const [processing] = (await h.tasks(n.provisionRequest.id)).processing;
    expect(processing).toMatchObject({ status: 'failed', attempts: 1 });
  });
});
