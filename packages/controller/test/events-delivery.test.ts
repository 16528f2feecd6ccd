/**
 * Issue 19: events raised by the controller's writes and delivered to the subscriber's handler, over
 * real HTTP on 127.0.0.1, the endpoint an HTTP double written from the spec (./fixtures/event-endpoint,
 * no APSKit code). Spec pages:
 * - docs.cloudblue.com/cbc/sdk/8.2/concepts/events/aps-event/event-processing (notification body,
 *   delivery: 200/204 end it, 202 redelivered without limit, 4xx/5xx up to 10 times);
 * - docs.cloudblue.com/cbc/sdk/21.0/concepts/events/aps-event/event-subscriptions (source by type or
 *   id, relation for linked/unlinked, one `changed` per operation);
 * - docs.cloudblue.com/cbc/sdk/8.2/concepts/events/aps-event ("Visibility Scope"): events-visibility.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, serveController, type RunningController } from '@apskit/controller';
import { api, eventually } from './fixtures/harness';
import { ACCOUNT, DOMAIN, eventServices, GLOBALS, MAILBOX } from './fixtures/event-app';
import { startEventEndpoint, type EventEndpoint, type Received } from './fixtures/event-endpoint';
import { storesUnderTest } from './fixtures/stores';

const EVENTS = 'http://aps-standard.org/core/events';
const AVAILABLE = `${EVENTS}/available`;
const CHANGED = `${EVENTS}/changed`;
const REMOVED = `${EVENTS}/removed`;
const LINKED = `${EVENTS}/linked`;
const UNLINKED = `${EVENTS}/unlinked`;
const DELIVER = 'aps.event.deliver';

interface TaskJson {
  id: string;
  resourceId: string;
  operation: string;
  name: string;
  status: string;
  output: string;
}

jest.setTimeout(60_000);

/** Each store the controller may run on: undefined is its default (SQLite in its data directory). */
const STORES = storesUnderTest('event delivery');

describe.each(STORES)('event delivery on the %s store', (_name, storeOf) => {
  let endpoint: EventEndpoint;
  let running: RunningController;
  let controller: Controller;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apskit-events-'));
    endpoint = await startEventEndpoint();
    controller = new Controller({
      app: { name: 'events', services: eventServices },
      endpoint: { url: endpoint.url },
      store: storeOf(),
      dataDir: dir,
      // Back-off of 1 … 60 s and a 202's 30 s, a thousand times faster.
      timeScale: 0.001,
      pollMs: 20,
    });
    running = await serveController(controller, { port: 0 });
  });

  afterEach(() => {
    endpoint.answer = () => ({ status: 200 });
  });

  afterAll(async () => {
    await running?.close();
    await endpoint?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const create = async (type: string, body: Record<string, unknown> = {}): Promise<string> => {
    const reply = await api(running.url, 'POST', '/aps/2/resources', { aps: { type }, ...body });
    expect(reply.status).toBe(200);
    return reply.body.aps.id as string;
  };
  const subscribe = async (subscriber: string, body: Record<string, unknown>): Promise<string> => {
    const reply = await api(running.url, 'POST', `/aps/2/resources/${subscriber}/aps/subscriptions`, {
      handler: 'onEvent',
      ...body,
    });
    expect(reply.status).toBe(200);
    return reply.body.id as string;
  };
  /** The delivery tasks of a (subscriber, source) pair, through the controller's task API. */
  const deliveries = async (subscriber: string, source: string): Promise<TaskJson[]> => {
    const reply = await api(
      running.url,
      'GET',
      `/apskit/tasks?resourceId=${encodeURIComponent(`event-delivery:${subscriber}:${source}`)}`,
    );
    expect(reply.status).toBe(200);
    return reply.body as TaskJson[];
  };
  const ended = (tasks: TaskJson[], n: number): boolean =>
    tasks.length === n && tasks.every((t) => t.status === 'succeeded' || t.status === 'failed');
  const notificationsOf = (subscriber: string, event?: string): Received[] =>
    endpoint.notifications(subscriber).filter((r) => event === undefined || r.body.event === event);

  it('delivers "available" to a subscriber by source type, with the spec\'s notification body', async () => {
    const domain = await create(DOMAIN);
    const subscription = await subscribe(domain, { event: AVAILABLE, source: { type: MAILBOX } });
    const mailbox = await create(MAILBOX, { name: 'a' });
    const [call] = await eventually(
      async () => notificationsOf(domain, AVAILABLE),
      (n) => n.length === 1,
    );
    expect(call!.method).toBe('POST');
    expect(call!.path).toBe(`/domains/${domain}/onEvent`);
    expect(call!.body).toEqual({
      event: AVAILABLE,
      type: AVAILABLE,
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      serial: expect.any(Number),
      subscription,
      source: { id: mailbox, type: MAILBOX },
    });
    // The APS headers of a call from the controller.
    expect(call!.headers['aps-instance-id']).toBe(controller.instance.id);
    expect(call!.headers['aps-transaction-id']).toEqual(expect.any(String));
    // Visible as a task of the controller's task API, succeeded.
    const tasks = await eventually(
      () => deliveries(domain, mailbox),
      (t) => ended(t, 1),
    );
    expect(tasks[0]).toMatchObject({
      operation: DELIVER,
      name: `Delivering "available" of ${mailbox} to ${domain} (onEvent)`,
      status: 'succeeded',
    });
  });

  it('delivers one "changed" per configure, whatever the number of properties, by source id', async () => {
    const domain = await create(DOMAIN);
    const mailbox = await create(MAILBOX, { name: 'b', size: 1 });
    await subscribe(domain, { event: CHANGED, source: { id: mailbox } });
    const put = await api(running.url, 'PUT', `/aps/2/resources/${mailbox}`, { name: 'b2', size: 2 });
    expect(put.status).toBe(200);
    await eventually(
      () => deliveries(domain, mailbox),
      (t) => ended(t, 1),
    );
    const calls = notificationsOf(domain, CHANGED);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.body.source).toEqual({ id: mailbox, type: MAILBOX });
  });

  it('delivers "changed" for an application write that changes something, and none for one that does not', async () => {
    const domain = await create(DOMAIN);
    const mailbox = await create(MAILBOX, { name: 'c', size: 1 });
    await subscribe(domain, { event: CHANGED, source: { type: MAILBOX } });
    await controller.updateByApp(mailbox, { size: 5, name: 'c' });
    await controller.updateByApp(mailbox, { size: 5 }); // nothing changed: no event
    await eventually(
      () => deliveries(domain, mailbox),
      (t) => ended(t, 1),
    );
    await controller.updateByApp(mailbox, { size: 6 });
    await eventually(
      () => deliveries(domain, mailbox),
      (t) => ended(t, 2),
    );
    const serials = notificationsOf(domain, CHANGED).map((c) => c.body.serial as number);
    expect(serials).toHaveLength(2);
    expect(serials[1]).toBeGreaterThan(serials[0]!); // the serial increases with each event
  });

  it('delivers "available" for a resource the application registers', async () => {
    const domain = await create(DOMAIN);
    const subscription = await subscribe(domain, { event: AVAILABLE, source: { type: ACCOUNT } });
    const account = await controller.registerResource('accounts', { name: 'registered' });
    const [call] = await eventually(
      async () => notificationsOf(domain, AVAILABLE).filter((c) => c.body.source.id === account.id),
      (n) => n.length === 1,
    );
    expect(call!.body.source).toEqual({ id: account.id, type: ACCOUNT });
    // Accounts have no subscriber again (the last test needs a type nobody subscribes to).
    const removed = await api(running.url, 'DELETE', `/aps/2/resources/${domain}/aps/subscriptions/${subscription}`);
    expect(removed.status).toBe(204);
  });

  it('delivers "changed" of the root resource when an upgrade succeeds', async () => {
    const domain = await create(DOMAIN);
    const root = (await controller.instance.globalsId) as string;
    await subscribe(domain, { event: CHANGED, source: { id: root } });
    const reply = await api(running.url, 'POST', '/apskit/instance/upgrade', { version: '1.1' });
    expect(reply.status).toBe(200);
    const [call] = await eventually(
      async () => notificationsOf(domain, CHANGED),
      (n) => n.length === 1,
    );
    expect(call!.body.source).toEqual({ id: root, type: GLOBALS });
  });

  it('delivers "removed" when a source is unprovisioned', async () => {
    const domain = await create(DOMAIN);
    await subscribe(domain, { event: REMOVED, source: { type: MAILBOX } });
    const mailbox = await create(MAILBOX, { name: 'd' });
    expect((await api(running.url, 'DELETE', `/aps/2/resources/${mailbox}`)).status).toBe(204);
    const [call] = await eventually(
      async () => notificationsOf(domain, REMOVED),
      (n) => n.length === 1,
    );
    expect(call!.body).toMatchObject({ event: REMOVED, source: { id: mailbox, type: MAILBOX } });
  });

  it('delivers "linked" and "unlinked" through the relation a subscription names, and not through another', async () => {
    const domain = await create(DOMAIN);
    const target = await create(DOMAIN);
    const mailbox = await create(MAILBOX, { name: 'e' });
    await subscribe(domain, { event: LINKED, source: { type: MAILBOX }, relation: 'domain' });
    await subscribe(domain, { event: UNLINKED, source: { id: mailbox }, relation: 'domain' });
    const rel = (r: string): string => `/aps/2/resources/${mailbox}/${r}`;
    expect((await api(running.url, 'POST', rel('forwardTo'), { aps: { id: target } })).status).toBe(200);
    expect((await api(running.url, 'POST', rel('domain'), { aps: { id: target } })).status).toBe(200);
    expect((await api(running.url, 'DELETE', `${rel('forwardTo')}/${target}`)).status).toBe(204);
    expect((await api(running.url, 'DELETE', `${rel('domain')}/${target}`)).status).toBe(204);
    const tasks = await eventually(
      () => deliveries(domain, mailbox),
      (t) => ended(t, 2),
    );
    expect(tasks.map((t) => t.name)).toEqual([
      `Delivering "linked" of ${mailbox} to ${domain} (onEvent)`,
      `Delivering "unlinked" of ${mailbox} to ${domain} (onEvent)`,
    ]);
    expect(notificationsOf(domain).map((c) => [c.body.event, c.body.source.id])).toEqual([
      [LINKED, mailbox],
      [UNLINKED, mailbox],
    ]);
  });

  it('redelivers after a 202 (APS-Retry-Timeout), and a 200 then ends it', async () => {
    const domain = await create(DOMAIN);
    const mailbox = await create(MAILBOX, { name: 'f' });
    await subscribe(domain, { event: CHANGED, source: { id: mailbox } });
    let calls = 0;
    endpoint.answer = (call) =>
      call.path.includes(domain) && ++calls < 3
        ? { status: 202, headers: { 'APS-Retry-Timeout': '1' } }
        : { status: 200 };
    await controller.updateByApp(mailbox, { size: 7 });
    const [task] = await eventually(
      () => deliveries(domain, mailbox),
      (t) => ended(t, 1),
    );
    expect(task!.status).toBe('succeeded');
    expect(notificationsOf(domain)).toHaveLength(3);
    // Each call carries the same notification.
    expect(new Set(notificationsOf(domain).map((c) => JSON.stringify(c.body))).size).toBe(1);
  });

  it.each([
    [500, 'HTTP 500'],
    [400, 'HTTP 400'],
  ])('redelivers a %i ten times (11 calls), then the task fails saying it was dropped', async (status, reason) => {
    const domain = await create(DOMAIN);
    const mailbox = await create(MAILBOX, { name: `g${status}` });
    await subscribe(domain, { event: CHANGED, source: { id: mailbox } });
    endpoint.answer = (call) => ({ status: call.path.includes(domain) ? status : 200 });
    await controller.updateByApp(mailbox, { size: 8 });
    const [task] = await eventually(
      () => deliveries(domain, mailbox),
      (t) => ended(t, 1),
    );
    expect(task!.status).toBe('failed');
    expect(task!.output).toContain('Dropped after 11 failed deliveries');
    expect(task!.output).toContain(reason);
    expect(notificationsOf(domain)).toHaveLength(11);
  });

  it('delivers the changes of one source in order: the second waits while the first is answered 202', async () => {
    const domain = await create(DOMAIN);
    const mailbox = await create(MAILBOX, { name: 'h' });
    await subscribe(domain, { event: CHANGED, source: { id: mailbox } });
    let holding = true;
    let first: number | undefined;
    endpoint.answer = (call) => {
      if (!call.path.includes(domain)) return { status: 200 };
      first ??= call.body.serial as number;
      return holding && call.body.serial === first
        ? { status: 202, headers: { 'APS-Retry-Timeout': '1' } }
        : { status: 200 };
    };
    await controller.updateByApp(mailbox, { size: 1 });
    await eventually(
      async () => notificationsOf(domain),
      (n) => n.length >= 1,
    );
    await controller.updateByApp(mailbox, { size: 2 });
    // Both deliveries exist; the first is redelivered several times, the second not called meanwhile.
    await eventually(
      () => deliveries(domain, mailbox),
      (t) => t.length === 2,
    );
    await eventually(
      async () => notificationsOf(domain),
      (n) => n.length >= 4,
    );
    expect(notificationsOf(domain).every((c) => c.body.serial === first)).toBe(true);
    holding = false;
    await eventually(
      () => deliveries(domain, mailbox),
      (t) => ended(t, 2) && t.every((x) => x.status === 'succeeded'),
    );
    const serials = notificationsOf(domain).map((c) => c.body.serial as number);
    const second = serials.at(-1)!;
    expect(second).toBeGreaterThan(first!);
    expect(serials.filter((s) => s === second)).toHaveLength(1);
    expect(serials.indexOf(second)).toBe(serials.length - 1);
  });

  it("ends a removed subscriber's pending deliveries without a call", async () => {
    const domain = await create(DOMAIN);
    const mailbox = await create(MAILBOX, { name: 'i' });
    await subscribe(domain, { event: CHANGED, source: { id: mailbox } });
    endpoint.answer = (call) => (call.path.includes(domain) ? 'hold' : { status: 200 });
    await controller.updateByApp(mailbox, { size: 3 });
    await eventually(
      async () => notificationsOf(domain),
      (n) => n.length === 1,
    );
    // The subscriber goes while its delivery is held; the delivery then fails once, and is not made again.
    endpoint.answer = () => ({ status: 200 });
    expect((await api(running.url, 'DELETE', `/aps/2/resources/${domain}`)).status).toBe(204);
    expect((await api(running.url, 'GET', `/aps/2/resources/${domain}/aps/subscriptions`)).status).toBe(404);
    endpoint.release(500);
    const [task] = await eventually(
      () => deliveries(domain, mailbox),
      (t) => ended(t, 1),
    );
    expect(task!.output).toContain(`the subscriber ${domain} no longer exists`);
    expect(notificationsOf(domain)).toHaveLength(1);
  });

  it('raises nothing for a change nobody subscribes to', async () => {
    // Mailboxes have subscribers by now; accounts have none.
    const account = await create(ACCOUNT, { name: 'j' });
    const before = endpoint.notifications().length;
    await controller.updateByApp(account, { name: 'j2' });
    const put = await api(running.url, 'PUT', `/aps/2/resources/${account}`, { name: 'j3' });
    expect(put.status).toBe(200);
    expect((await api(running.url, 'DELETE', `/aps/2/resources/${account}`)).status).toBe(204);
    const tasks = await controller.listTasks({});
    expect(tasks.filter((t) => t.name.includes(` of ${account} `))).toEqual([]);
    expect(endpoint.notifications()).toHaveLength(before);
  });
});
