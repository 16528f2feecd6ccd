/**
 * The typed client against a real controller over HTTP: submits with request ids, waiting for
 * tasks (success, failure, deadline, abort), idempotent resubmits, custom operations, type checks.
 */
import {
  ApsClientError,
  createClient,
  OperationFailedError,
  OperationTimeoutError,
  TypeMismatchError,
  type ApsClient,
  type TaskProgress,
} from '@apskit/client';
import { startHarness, type Harness } from './fixtures/harness';
import { Order, OrderV0, STEPS } from './fixtures/shop';

let h: Harness;
let client: ApsClient;
beforeAll(async () => {
  h = await startHarness();
  client = createClient({ baseUrl: h.url });
});
afterAll(() => h.close());

const orders = () => client.resources(Order);
/** Short waits: a test's polling is over in well under a second. */
const quick = { initialDelay: 10, interval: 20, backoff: 1.5, maxInterval: 100, deadline: 10_000 };

describe('create and waitFor', () => {
  it('creates a resource typed from its class and waits until it is provisioned, reporting progress', async () => {
    const op = await orders().create({ mode: 'steps', item: 'kettle', quantity: 2 }, { requestId: 'order-ok-1' });
    expect(op).toMatchObject({ kind: 'provision', requestId: 'order-ok-1', status: 'pending' });
    expect(op.taskId).toEqual(expect.any(String));
    expect(op.resource?.aps.status).toBe('aps:provisioning');

    const progress: TaskProgress[] = [];
    const done = await client.waitFor(op, { ...quick, onProgress: (p) => progress.push(p) });
    expect(done.resource).toMatchObject({ item: 'kettle', quantity: 2, stage: 'shipped', step: STEPS });
    expect(done.resource.aps).toMatchObject({ id: op.resourceId, status: 'aps:ready' });
    expect(done.task).toMatchObject({ id: op.taskId, requestId: 'order-ok-1', status: 'succeeded' });
    expect(done.requestId).toBe('order-ok-1');
    // Progress carries the task's latest message, and names the request.
    const messages = progress.map((p) => p.message);
    expect(messages.some((m) => m !== undefined && /^(Order for kettle queued|Step \d of 3)$/.test(m))).toBe(true);
    expect(
      progress.every((p) => p.requestId === 'order-ok-1' && p.task.id === op.taskId && typeof p.status === 'string'),
    ).toBe(true);
    // Issue 22, F12: status is the task's status, a string; the task is `task`.
    expect(progress[progress.length - 1]).toMatchObject({ status: 'succeeded', task: { status: 'succeeded' } });
    expect(progress[progress.length - 1]?.nextPollInMs).toBeUndefined();
  });

  it('answers at once, without polling, when the controller finished the create in the submit', async () => {
    const op = await orders().create({ mode: 'instant', item: 'spoon' });
    expect(op).toMatchObject({ status: 'succeeded', taskId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(op.requestId).toMatch(/^[0-9a-f-]{36}$/); // generated
    const done = await client.waitFor(op, quick);
    // Finished in the submit: not polled, its task read once (issue 22, F13).
    expect(done).toMatchObject({
      polls: 0,
      task: { id: op.taskId, status: 'succeeded' },
      resource: { stage: 'shipped' },
    });
  });

  it('creates and waits in one call, under one deadline and one request id', async () => {
    const done = await orders().createAndWait({ mode: 'steps', item: 'teapot' }, { ...quick, requestId: 'order-caw' });
    expect(done.task?.requestId).toBe('order-caw');
    expect(done.resource.stage).toBe('shipped');
  });

  it('updates and removes, waiting for their tasks', async () => {
    const created = await orders().createAndWait({ mode: 'instant', item: 'cup' }, quick);
    const id = created.resource.aps.id;
    const updated = await orders().updateAndWait(id, { quantity: 6 }, { ...quick, requestId: 'order-upd' });
    expect(updated.resource).toMatchObject({ quantity: 6, aps: { status: 'aps:ready' } });
    expect(updated.task).toMatchObject({ operation: 'configure', requestId: 'order-upd' });
    // A synchronous (204) unprovision: removeAndWait still answers the finished task (issue 22, F13).
    const removed = await orders().removeAndWait(id, quick);
    expect(removed.operation.status).toBe('succeeded');
    expect(removed.polls).toBe(0);
    expect(removed.resource).toBeUndefined();
    expect(removed.task).toMatchObject({ operation: 'unprovision', status: 'succeeded' });
    await expect(orders().get(id)).rejects.toMatchObject({ status: 404 });
  });
});

describe('failure', () => {
  it('fails with the task error, correlated by the request id', async () => {
    const op = await orders().create({ mode: 'fail', item: 'anvil' }, { requestId: 'order-fail-1' });
    const error = await client.waitFor(op, quick).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationFailedError);
    const failed = error as OperationFailedError;
    expect(failed.requestId).toBe('order-fail-1');
    expect(failed.output).toBe('The warehouse rejected anvil');
    expect(failed.message).toBe('Request order-fail-1 failed: The warehouse rejected anvil');
    expect(failed.last).toMatchObject({ task: { id: op.taskId, requestId: 'order-fail-1', status: 'failed' } });
  });

  it('throws the endpoint refusal of a create as an ApsClientError naming the request id', async () => {
    const error = await orders()
      .create({ mode: 'refuse', item: 'unicorn' }, { requestId: 'order-refused-1' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApsClientError);
    expect(error).toMatchObject({
      status: 422,
      requestId: 'order-refused-1',
      transient: false,
      body: { code: 422, message: 'Cannot order unicorn: out of stock' },
    });
  });

  it('names the fields of an invalid create, with the request id', async () => {
    const error = await orders()
      // @ts-expect-error: `item` is required; sent anyway to see the controller refuse it
      .create({ mode: 'steps' }, { requestId: 'order-invalid-1' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, requestId: 'order-invalid-1', error: 'BadRequest' });
    expect((error as ApsClientError).details).toEqual([{ field: 'item', message: 'is required' }]);
  });
});

describe('deadline and abort', () => {
  it('gives up at the deadline with a timeout error naming the request id and the last message', async () => {
    const op = await orders().create({ mode: 'forever', item: 'perpetuum' }, { requestId: 'order-late-1' });
    const started = Date.now();
    const error = await client.waitFor(op, { ...quick, deadline: 400 }).catch((e: unknown) => e);
    const took = Date.now() - started;
    expect(error).toBeInstanceOf(OperationTimeoutError);
    const late = error as OperationTimeoutError;
    expect(late.requestId).toBe('order-late-1');
    expect(late.message).toMatch(/^Request order-late-1 did not finish by its deadline \d{4}-\d\d-\d\dT/);
    expect(late.lastMessage).toMatch(/^(Order for perpetuum queued|Still waiting for the warehouse)$/);
    expect(late.polls).toBeGreaterThan(0);
    expect(took).toBeGreaterThanOrEqual(390);
    expect(took).toBeLessThan(2000);
    // The work goes on: a timeout is not a failure.
    expect((await client.tasks.get(op.taskId as string)).status).not.toBe('failed');
  });

  it("stops when the signal aborts, rejecting with the signal's reason", async () => {
    const op = await orders().create({ mode: 'forever', item: 'patience' });
    const controller = new AbortController();
    const reason = new Error('the user went home');
    setTimeout(() => controller.abort(reason), 150);
    const started = Date.now();
    await expect(client.waitFor(op, { ...quick, signal: controller.signal })).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(1500);

    // Without a reason of its own, the signal's reason is the standard AbortError.
    const aborted = new AbortController();
    aborted.abort();
    await expect(client.waitFor(op, { ...quick, signal: aborted.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
  });

  it('aborts a submit in flight too', async () => {
    const signal = AbortSignal.abort(new Error('not now'));
    await expect(orders().create({ mode: 'instant', item: 'x' }, { signal })).rejects.toThrow('not now');
  });
});

describe('request ids', () => {
  it('answers a repeated submit (same id, same body) with the same operation', async () => {
    const first = await orders().create({ mode: 'forever', item: 'twin', quantity: 1 }, { requestId: 'order-twice' });
    const again = await orders().create({ quantity: 1, item: 'twin', mode: 'forever' }, { requestId: 'order-twice' });
    expect(again).toMatchObject({
      requestId: 'order-twice',
      taskId: first.taskId,
      resourceId: first.resourceId,
      status: 'pending',
    });
    const twins = (await orders().list()).filter((o) => o.item === 'twin');
    expect(twins).toHaveLength(1);
  });

  it('refuses the same id with another body (409, naming the id)', async () => {
    await orders().create({ mode: 'instant', item: 'fork' }, { requestId: 'order-reused' });
    const error = await orders()
      .create({ mode: 'instant', item: 'knife' }, { requestId: 'order-reused' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApsClientError);
    expect(error).toMatchObject({ status: 409, requestId: 'order-reused', transient: false });
    expect((error as Error).message).toContain('Request id order-reused was already used for another request');
  });

  it('lists tasks by resource', async () => {
    const op = await orders().create({ mode: 'instant', item: 'plate' }, { requestId: 'order-listed' });
    const tasks = await client.tasks.list({ resourceId: op.resourceId });
    expect(tasks.map((t) => t.requestId)).toEqual(['order-listed']);
  });
});

describe('custom operations and types', () => {
  it('calls custom operations with their parameters where the declaration puts them', async () => {
    const { resource } = await orders().createAndWait({ mode: 'instant', item: 'vase' }, quick);
    const shipped = await orders().call(resource.aps.id, 'ship', true);
    expect(shipped).toEqual({ tracking: 'vase-express' });
    const wrapped = await orders().call(resource.aps.id, 'wrap', { message: 'Happy birthday' });
    expect(wrapped).toEqual({ wrapped: 'vase with "Happy birthday"' });
  });

  it('knows the type id from the class, and checks the served types against the declarations', async () => {
    expect(orders().typeId).toBe('http://apskit.test/client/order/1.0');
    await expect(client.checkTypes([Order])).resolves.toBeUndefined();
    const error = await client.checkTypes([OrderV0]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeMismatchError);
    const differences = (error as TypeMismatchError).differences;
    expect(differences).toContain(
      'http://apskit.test/client/order/1.0: properties.coupon is declared here, not on the server',
    );
    expect(differences).toContain(
      'http://apskit.test/client/order/1.0: properties.gift is on the server, not declared here',
    );
    expect(differences.some((d) => d.includes('properties.item: {"type":"number","required":true} here'))).toBe(true);
  });

  it('pages the list of a type', async () => {
    await orders().create({ mode: 'instant', item: 'page-1' });
    await orders().create({ mode: 'instant', item: 'page-2' });
    const page = await orders().list({ first: 0, last: 0 });
    expect(page).toHaveLength(1);
  });
});

/** Compile-time checks (run by `tsc -p tsconfig.json`): the typed API refuses what the class does not allow. */
export function typeChecks(c: ApsClient): void {
  const o = c.resources(Order);
  void o.create({ mode: 'steps', item: 'a', gift: { message: 'hi' } });
  // @ts-expect-error: not one of the modes
  void o.create({ mode: 'sometimes', item: 'a' });
  // @ts-expect-error: methods are not properties
  void o.create({ mode: 'steps', item: 'a', ship: () => ({ tracking: '' }) });
  // @ts-expect-error: quantity is a number
  void o.update('id', { quantity: 'two' });
  // @ts-expect-error: `ship` takes a boolean
  void o.call('id', 'ship', 'yes');
  // @ts-expect-error: `mode` is a property, not an operation
  void o.call('id', 'mode');
  // @ts-expect-error: lifecycle methods are the controller's to call
  void o.call('id', 'provision');
  void o.call('id', 'wrap', { message: 'ok' }).then((r) => r.wrapped.toUpperCase());
  void o.get('id').then((r) => r.item.toUpperCase() + r.aps.status);
}
