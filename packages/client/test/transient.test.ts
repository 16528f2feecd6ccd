/**
 * Transient errors between the client and the controller: 5xx answers, lost answers, and a
 * controller that cannot be reached (connection refused, on a port the test closed). The client
 * retries within the deadline and never loses the request id, so nothing is created twice.
 */
import {
  ConnectionError,
  createClient,
  OperationTimeoutError,
  type ApsClientError,
  type RetryNotice,
} from '@apskit/client';
import { FlakyProxy, sleep, startHarness, type Harness } from './fixtures/harness';
import { Order } from './fixtures/shop';

let h: Harness;
let proxy: FlakyProxy;
beforeAll(async () => {
  h = await startHarness();
  proxy = new FlakyProxy(h.url);
  await proxy.open();
});
afterEach(async () => {
  proxy.faults.length = 0;
  if (!proxy.isOpen) await proxy.open(); // a test that shut it leaves it open again
});
afterAll(async () => {
  await proxy.shut();
  await h.close();
});

const quick = { initialDelay: 10, interval: 20, backoff: 1.5, maxInterval: 100, deadline: 10_000 };
const viaProxy = () => createClient({ baseUrl: proxy.url, submitRetry: { interval: 20, deadline: 5000 } });
const direct = () => createClient({ baseUrl: h.url }).resources(Order);

describe('retries of transient errors', () => {
  it('retries 5xx answers to status reads, keeping the request id', async () => {
    const client = viaProxy();
    const op = await client.resources(Order).create({ mode: 'steps', item: 'bolt' }, { requestId: 'flaky-503' });
    proxy.faults.push({ method: 'GET', path: '/apskit/tasks/', action: '503', times: 3 });
    const retries: RetryNotice[] = [];
    const done = await client.waitFor(op, { ...quick, onRetry: (r) => retries.push(r) });
    expect(done.task).toMatchObject({ requestId: 'flaky-503', status: 'succeeded' });
    expect(retries).toHaveLength(3);
    expect(retries.every((r) => r.phase === 'status' && r.requestId === 'flaky-503')).toBe(true);
    expect(retries.map((r) => (r.error as ApsClientError).status)).toEqual([503, 503, 503]);
  });

  it('retries a submit whose answer was lost with the same request id, and creates one resource', async () => {
    const client = viaProxy();
    proxy.faults.push({ method: 'POST', path: '/aps/2/resources', action: 'lose-answer', times: 2 });
    const retries: RetryNotice[] = [];
    const done = await client
      .resources(Order)
      .createAndWait(
        { mode: 'steps', item: 'nut' },
        { ...quick, requestId: 'lost-answer', onRetry: (r) => retries.push(r) },
      );
    expect(retries.map((r) => [r.phase, r.attempt, (r.error as ApsClientError).status])).toEqual([
      ['submit', 1, 502],
      ['submit', 2, 502],
    ]);
    // Three POSTs reached the controller, all with the same id; it made one resource and one task.
    const posts = proxy.seen.filter((s) => s.method === 'POST' && s.requestId === 'lost-answer');
    expect(posts).toHaveLength(3);
    expect(posts.slice(0, 2).map((s) => s.answered)).toEqual([502, 502]);
    expect([200, 202]).toContain(posts[2]?.answered);
    const nuts = (await direct().list()).filter((o) => o.item === 'nut');
    expect(nuts).toHaveLength(1);
    expect(done.resource.aps.id).toBe(nuts[0]?.aps.id);
    const tasks = await createClient({ baseUrl: h.url }).tasks.list({ resourceId: done.resource.aps.id });
    expect(tasks.map((t) => [t.requestId, t.status])).toEqual([['lost-answer', 'succeeded']]);
  });

  it('submits once the controller can be reached again (connection refused meanwhile), with the id it chose', async () => {
    const client = viaProxy();
    await proxy.shut();
    const retries: RetryNotice[] = [];
    const pending = client
      .resources(Order)
      .createAndWait(
        { mode: 'steps', item: 'washer' },
        { ...quick, requestId: 'refused-1', onRetry: (r) => retries.push(r) },
      );
    await sleep(200);
    await proxy.open();
    const done = await pending;
    expect(retries.length).toBeGreaterThan(0);
    expect(retries.every((r) => r.phase === 'submit' && r.requestId === 'refused-1')).toBe(true);
    expect(retries.every((r) => r.error instanceof ConnectionError)).toBe(true);
    // The first may meet a pooled connection the proxy dropped ("other side closed"); then refusals.
    expect(retries.some((r) => (r.error as Error).message.includes('ECONNREFUSED'))).toBe(true);
    expect(done.task?.requestId).toBe('refused-1');
  });

  it('goes on polling after the controller was unreachable for a while', async () => {
    const client = viaProxy();
    const op = await client.resources(Order).create({ mode: 'steps', item: 'screw' }, { requestId: 'refused-2' });
    await proxy.shut();
    const retries: RetryNotice[] = [];
    const pending = client.waitFor(op, { ...quick, onRetry: (r) => retries.push(r) });
    await sleep(200);
    await proxy.open();
    const done = await pending;
    expect(retries.length).toBeGreaterThan(0);
    expect(retries.every((r) => r.phase === 'status' && r.error instanceof ConnectionError)).toBe(true);
    expect(done.task).toMatchObject({ requestId: 'refused-2', status: 'succeeded' });
  });

  it('gives up at the deadline when the controller stays unreachable, naming the request id', async () => {
    const client = viaProxy();
    await proxy.shut();
    const error = await client
      .resources(Order)
      .createAndWait({ mode: 'instant', item: 'ghost' }, { ...quick, deadline: 300, requestId: 'refused-3' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationTimeoutError);
    expect((error as Error).message).toMatch(
      /^Request refused-3 could not be submitted by its deadline .*ECONNREFUSED/,
    );
    expect((error as Error).cause).toBeInstanceOf(ConnectionError);
    expect((error as OperationTimeoutError).polls).toBe(0);
  });

  it('does not retry a 4xx: a status read for an unknown task fails at once, naming the request id', async () => {
    const client = viaProxy();
    const op = {
      kind: 'provision',
      requestId: 'unknown-task',
      taskId: 'no-such-task',
      resourceId: 'no-such-resource',
      resource: undefined,
      status: 'pending',
    } as const;
    const retries: RetryNotice[] = [];
    const error = await client.waitFor(op, { ...quick, onRetry: (r) => retries.push(r) }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 404, requestId: 'unknown-task' });
    expect(retries).toHaveLength(0);
  });

  it('does not retry a submit when told not to', async () => {
    const client = createClient({ baseUrl: proxy.url, submitRetry: false });
    await proxy.shut();
    const error = await client
      .resources(Order)
      .create({ mode: 'instant', item: 'once' }, { requestId: 'no-retry' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ status: 0, transient: true, requestId: 'no-retry' });
  });
});
