/**
 * Issue 19: who hears of an event. The spec's "Visibility Scope": "the event subscriber must either
 * share the same owner with the event publisher, or be linked directly with the event publisher"
 * (docs.cloudblue.com/cbc/sdk/8.2/concepts/events/aps-event; event-processing, "Notification
 * Delivery"). Owners are issue 18's accounts (docs/security.md "Access rules"); callers are account
 * owners with tokens, over real HTTP on 127.0.0.1, the endpoint the HTTP double of ./fixtures/event-endpoint.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, serveController, type RunningController } from '@apskit/controller';
import { api, eventually } from './fixtures/harness';
import { ACCOUNT, DOMAIN, eventServices, MAILBOX } from './fixtures/event-app';
import { startEventEndpoint, type EventEndpoint } from './fixtures/event-endpoint';

const CHANGED = 'http://aps-standard.org/core/events/changed';
const OWNER_A = 'events-owner-a-token-0123456789abcdef';
const OWNER_B = 'events-owner-b-token-0123456789abcdef';
const hex = (t: string): string => createHash('sha256').update(t).digest('hex');
const auth = (t: string): Record<string, string> => ({ Authorization: `Bearer ${t}` });

let endpoint: EventEndpoint;
let running: RunningController;
let controller: Controller;
let dir: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'apskit-events-visibility-'));
  endpoint = await startEventEndpoint();
  const tokens = join(dir, 'tokens.json');
  controller = new Controller({
    app: { name: 'events-visibility', services: eventServices },
    endpoint: { url: endpoint.url },
    dataDir: dir,
    tokens,
    timeScale: 0.001,
    pollMs: 20,
  });
  await controller.start();
  const make = async (name: string, body: Record<string, unknown>): Promise<void> => {
    const result = await controller.provision(body);
    ids[name] = (result.resource as { aps: { id: string } }).aps.id;
  };
  const of = (name: string): { aps: { id: string } } => ({ aps: { id: ids[name] as string } });
  await make('A', { aps: { type: ACCOUNT }, name: 'A' });
  await make('B', { aps: { type: ACCOUNT }, name: 'B' });
  // The subscribers: one of account A's, and one of the provider's (no account).
  await make('domainA', { aps: { type: DOMAIN }, name: 'a', account: of('A') });
  await make('provider', { aps: { type: DOMAIN }, name: 'provider' });
  // Sources: A's, B's, and one of B's linked directly with A's domain.
  await make('mailboxA', { aps: { type: MAILBOX }, name: 'ma', account: of('A') });
  await make('mailboxB', { aps: { type: MAILBOX }, name: 'mb', account: of('B') });
  await make('linkedB', { aps: { type: MAILBOX }, name: 'lb', account: of('B'), domain: of('domainA') });
  writeFileSync(
    tokens,
    JSON.stringify([
      { 'token-sha256': hex(OWNER_A), role: 'owner', account: ids.A, subject: 'a' },
      { 'token-sha256': hex(OWNER_B), role: 'owner', account: ids.B, subject: 'b' },
    ]),
  );
  running = await serveController(controller, { port: 0 });
  // Subscriptions by type: each hears of what it may see, and only that.
  const subscribe = (subscriber: string, token?: string): Promise<unknown> =>
    api(
      running.url,
      'POST',
      `/aps/2/resources/${subscriber}/aps/subscriptions`,
      { event: CHANGED, source: { type: MAILBOX }, handler: 'onEvent' },
      token === undefined ? {} : auth(token),
    ).then((r) => expect(r.status).toBe(200));
  await subscribe(ids.domainA as string, OWNER_A);
  await controller.subscribe(
    { id: ids.provider as string, type: DOMAIN },
    {
      event: CHANGED,
      source: { type: MAILBOX },
      handler: 'onEvent',
    },
  );
});

afterAll(async () => {
  await running?.close();
  await endpoint?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Configures a mailbox as its owner; answers once the configure has succeeded (its deliveries stored with it). */
async function change(name: string, token: string): Promise<void> {
  const reply = await api(running.url, 'PUT', `/aps/2/resources/${ids[name]}`, { size: 1 }, auth(token));
  expect(reply.status).toBe(200);
  expect(reply.body.aps.status).toBe('aps:ready');
}

const deliveryTasks = async (subscriber: string, source: string): Promise<Array<{ status: string }>> =>
  controller.listTasks({ resourceId: `event-delivery:${ids[subscriber]}:${ids[source]}` });

describe('event visibility (docs.cloudblue.com/cbc/sdk/8.2/concepts/events/aps-event "Visibility Scope")', () => {
  it("does not tell a subscriber of account A of account B's resources; the provider's subscriber hears of them", async () => {
    await change('mailboxB', OWNER_B);
    // Raised in the same step as the configure's outcome: none was raised for A's domain.
    expect(await deliveryTasks('domainA', 'mailboxB')).toEqual([]);
    await eventually(
      () => deliveryTasks('provider', 'mailboxB'),
      (t) => t.length === 1 && t[0]!.status === 'succeeded',
    );
    expect(endpoint.notifications(ids.domainA).filter((c) => c.body.source.id === ids.mailboxB)).toEqual([]);
  });

  it("tells a subscriber of account A of A's resources", async () => {
    await change('mailboxA', OWNER_A);
    const [call] = await eventually(
      async () => endpoint.notifications(ids.domainA).filter((c) => c.body.source.id === ids.mailboxA),
      (n) => n.length === 1,
    );
    expect(call!.body).toMatchObject({ event: CHANGED, source: { id: ids.mailboxA, type: MAILBOX } });
  });

  it('tells a subscriber of a resource of another account linked with it directly', async () => {
    await change('linkedB', OWNER_B);
    await eventually(
      async () => endpoint.notifications(ids.domainA).filter((c) => c.body.source.id === ids.linkedB),
      (n) => n.length === 1,
    );
  });

  it("refuses to subscribe another account's resource (404, nothing stored)", async () => {
    const reply = await api(
      running.url,
      'POST',
      `/aps/2/resources/${ids.domainA}/aps/subscriptions`,
      { event: CHANGED, source: { type: MAILBOX }, handler: 'onEvent' },
      auth(OWNER_B),
    );
    expect(reply.status).toBe(404);
    expect(await controller.listSubscriptions(ids.domainA as string)).toHaveLength(1);
  });
});
