/**
 * The webhook flow over HTTP on 127.0.0.1: a notification is acknowledged with 202 once stored,
 * processed as tasks of the controller's task engine through the APS lifecycle of the declared type,
 * and answered with one result per attempt. Every request type reaches its lifecycle operation.
 */
import { REQUEST_TYPES } from '@apskit/webhooks';
import { deliver, eventually, notification, type NotificationFields } from './fixtures/marketplace';
import { mapperFault, startHarness, type Harness } from './fixtures/provisioner';
import { Space } from './fixtures/space';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

async function resultOf(fields: NotificationFields) {
  const n = notification(fields);
  const ack = await deliver(h.webhookUrl, n);
  expect(ack.status).toBe(202);
  const [posted] = await eventually(
    () => h.marketplace.acceptedFor(n.provisionAttempt.id),
    (r) => r.length === 1,
  );
  return { n, ack, posted: posted! };
}

describe('acknowledge, process, post', () => {
  it('answers 202 naming the task that holds it, then posts Success for the attempt', async () => {
    const { n, ack, posted } = await resultOf({ details: { adminEmail: 'flow@example.com' } });
    expect(ack.body).toMatchObject({
      acknowledged: true,
      provisionRequestId: n.provisionRequest.id,
      provisionAttemptId: n.provisionAttempt.id,
    });
    expect(posted.provisionRequestId).toBe(n.provisionRequest.id);
    expect(posted.body).toMatchObject({ provisionAttemptId: n.provisionAttempt.id, status: 'Success' });
    const resourceId = posted.body.externalProvisionerSubscriptionId as string;
    const resource = await fetch(`${h.provisioner.controllerUrl}/aps/2/resources/${resourceId}`).then((r) => r.json());
    expect(resource).toMatchObject({ adminEmail: 'flow@example.com', seats: 5, aps: { status: 'aps:ready' } });

    // The whole story is visible as tasks.
    const tasks = await h.tasks(n.provisionRequest.id);
    expect(tasks.attempts).toHaveLength(1);
    // The 202 names the task that holds the acknowledgement: the intake task of the moment it came in.
    const holder = (await fetch(`${h.provisioner.controllerUrl}/apskit/tasks/${ack.body.taskId}`).then((r) =>
      r.json(),
    )) as { operation: string; status: string };
    expect(holder).toMatchObject({ operation: 'marketplace.intake', status: 'succeeded' });
    expect(tasks.processing).toHaveLength(1);
    expect(tasks.processing[0]).toMatchObject({
      status: 'succeeded',
      name: `Processing NetNew request ${n.provisionRequest.id} from the marketplace (provision space)`,
    });
    expect(tasks.results[0]).toMatchObject({ status: 'succeeded' });
    expect(tasks.results[0]!.output).toMatch(/^Posted Success for attempt .* \(HTTP 201\)$/);
    const listed = await fetch(
      `${h.provisioner.controllerUrl}/apskit/tasks?resourceId=${encodeURIComponent(`marketplace:request:${n.provisionRequest.id}`)}`,
    ).then((r) => r.json());
    expect(listed).toHaveLength(3);
  });

  it('posts Fail with the human-readable message when the type refuses the request', async () => {
    const { posted } = await resultOf({ details: { adminEmail: 'taken@example.com' } });
    expect(posted.body).toEqual({
      provisionAttemptId: posted.body.provisionAttemptId,
      status: 'Fail',
      errorMessage: 'The admin email taken@example.com is already in use by another account',
    });
  });

  it('posts Fail when the mapping refuses the request (validation after the acknowledgement)', async () => {
    const { posted } = await resultOf({ details: {} });
    expect(posted.body.status).toBe('Fail');
    expect(posted.body.errorMessage).toBe(
      'The admin email is missing: enter the email of the administrator of the space',
    );
    const schema = await resultOf({ details: { adminEmail: 'not an email' } });
    expect(schema.posted.body.status).toBe('Fail');
    expect(schema.posted.body.errorMessage).toContain('adminEmail');
  });

  it('waits for asynchronous provisioning (202 and re-polls) before posting', async () => {
    Space.asyncPolls = 3;
    try {
      const { n, posted } = await resultOf({ details: { adminEmail: 'async@example.com' } });
      expect(posted.body.status).toBe('Success');
      expect(Space.calls.filter((c) => c === 'provisionAsync async@example.com')).toHaveLength(3);
      const tasks = await h.tasks(n.provisionRequest.id);
      expect(tasks.processing[0]!.attempts).toBeGreaterThan(1); // it re-scheduled itself while waiting
    } finally {
      Space.asyncPolls = 0;
    }
  });

  it('runs processing again after a transient fault (a plain Error) in the mapping', async () => {
    mapperFault.message = 'the CRM did not answer';
    mapperFault.times = 2;
    const { n, posted } = await resultOf({ details: { adminEmail: 'transient-app@example.com' } });
    expect(posted.body.status).toBe('Success');
    const [processing] = (await h.tasks(n.provisionRequest.id)).processing;
    expect(processing).toMatchObject({ status: 'succeeded', attempts: 3 });
    expect(Space.calls.filter((c) => c === 'provision transient-app@example.com')).toHaveLength(1);
  });

  it('takes an unexpected error in a lifecycle method as the answer, as the APS platform does', async () => {
    // provision() threw a plain Error: the endpoint answered 500 and the lifecycle task failed with
    // its message. A type that wants to be asked again later throws Accepted instead.
    Space.failNextProvision = 'database connection reset';
    const { posted } = await resultOf({ details: { adminEmail: 'unexpected@example.com' } });
    expect(posted.body).toMatchObject({ status: 'Fail', errorMessage: 'database connection reset' });
  });
});

describe('request types onto the lifecycle', () => {
  it('maps every request type: provision, configure, custom operation, unprovision', async () => {
    const subscriptionId = 'sub-lifecycle';
    const email = 'lifecycle@example.com';
    const run = async (type: string, extra: NotificationFields = {}) =>
      (await resultOf({ type, subscriptionId, details: { adminEmail: email }, ...extra })).posted.body;

    const created = await run('NetNew', { quantity: 2 });
    expect(created.status).toBe('Success');
    const id = created.externalProvisionerSubscriptionId as string;
    const get = () => fetch(`${h.provisioner.controllerUrl}/aps/2/resources/${id}`).then((r) => r.json());

    expect(await run('Update', { quantity: 7 })).toMatchObject({ status: 'Success' });
    expect(await get()).toMatchObject({ seats: 7 });
    expect(await run('TrialConvert', { quantity: 9 })).toMatchObject({ status: 'Success' });
    expect(await get()).toMatchObject({ seats: 9 });
    expect(await run('ChangeProduct', { quantity: 9 })).toMatchObject({ status: 'Success' });
    expect(await run('Renewal')).toMatchObject({ status: 'Success' });
    expect(Space.calls).toContain(`renew ${email} until 2030-01-01`);
    expect(await run('Deprovision')).toMatchObject({ status: 'Success' });
    expect((await fetch(`${h.provisioner.controllerUrl}/aps/2/resources/${id}`)).status).toBe(404);

    const trial = await run('TrialCreate', { subscriptionId: 'sub-trial' });
    expect(trial.status).toBe('Success');
    expect(Space.calls.filter((c) => c.startsWith('provision lifecycle@'))).toHaveLength(2);
    expect(Space.calls.filter((c) => c.startsWith('configure lifecycle@'))).toHaveLength(3);
    expect(Space.calls.filter((c) => c.startsWith('unprovision lifecycle@'))).toHaveLength(1);
    expect(REQUEST_TYPES).toHaveLength(7);
  });

  it('answers Fail for a change to a subscription it does not know', async () => {
    const update = await resultOf({ type: 'Update', subscriptionId: 'sub-unknown' });
    expect(update.posted.body).toMatchObject({
      status: 'Fail',
      errorMessage: 'Subscription sub-unknown is not provisioned by this provisioner',
    });
  });
});
