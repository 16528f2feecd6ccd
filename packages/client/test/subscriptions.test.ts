/**
 * Event subscriptions through the client (`subscribe`, `subscriptions`, `unsubscribe`), against a
 * real controller on 127.0.0.1: `/aps/2/resources/{id}/aps/subscriptions`
 * (docs.cloudblue.com/cbc/sdk/21.0/concepts/events/aps-event/event-subscriptions), with the
 * subscriptions the subscriber's type declares (`@OnEvent`) listed among them.
 */
import { Events } from '@apskit/core';
import { ApsClientError, createClient, type ApsClient, type Resource } from '@apskit/client';
import { startHarness, type Harness } from './fixtures/harness';
import { Domain, eventServices, Mailbox } from './fixtures/events';

let h: Harness;
let client: ApsClient;
let domain: Resource<Domain>;
let mailbox: Resource<Mailbox>;
const quick = { initialDelay: 10, interval: 20, backoff: 1.5, maxInterval: 100, deadline: 10_000 };
const MAILBOX_TYPE = 'http://apskit.test/client-events/mailbox/1.0';

beforeAll(async () => {
  h = await startHarness({ name: 'client-events', services: eventServices });
  client = createClient({ baseUrl: h.url });
  domain = (await client.resources(Domain).createAndWait({ name: 'one.example' }, quick)).resource;
  mailbox = (await client.resources(Mailbox).createAndWait({ name: 'box' }, quick)).resource;
});
afterAll(() => h.close());

describe('subscriptions through the client', () => {
  it('lists the subscription the type declares, marked declared', async () => {
    expect(await client.subscriptions(domain)).toEqual([
      {
        id: expect.any(String),
        event: Events.changed,
        source: { type: MAILBOX_TYPE },
        handler: 'onMailboxChanged',
        declared: true,
      },
    ]);
  });

  it('subscribes by a class and by a resource id, lists, and unsubscribes (the sample in docs/client.md)', async () => {
    const byType = await client.subscribe(domain.aps.id, {
      event: Events.linked,
      source: Mailbox, // the class: its type ID is sent
      relation: 'domain',
      handler: 'onMailboxEvent',
    });
    expect(byType).toEqual({
      id: expect.any(String),
      event: Events.linked,
      source: { type: MAILBOX_TYPE },
      relation: 'domain',
      handler: 'onMailboxEvent',
    });
    const byId = await client.subscribe(domain, {
      event: Events.removed,
      source: { id: mailbox.aps.id },
      handler: 'onMailboxEvent',
    });
    expect(byId.source).toEqual({ id: mailbox.aps.id });

    const listed = await client.subscriptions(domain.aps.id);
    expect(listed.map((s) => [s.event, s.handler, s.declared === true])).toEqual([
      [Events.changed, 'onMailboxChanged', true],
      [Events.linked, 'onMailboxEvent', false],
      [Events.removed, 'onMailboxEvent', false],
    ]);

    await client.unsubscribe(domain, byType.id);
    await client.unsubscribe(domain.aps.id, byId.id);
    expect((await client.subscriptions(domain)).map((s) => s.handler)).toEqual(['onMailboxChanged']);
  });

  it('rejects what the controller refuses with its status and the field it names, and nothing is stored', async () => {
    const refusal = async (p: Promise<unknown>): Promise<ApsClientError> => {
      const e = await p.then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(ApsClientError);
      return e as ApsClientError;
    };
    const unknownEvent = await refusal(
      client.subscribe(domain, {
        event: 'http://aps-standard.org/core/events/created',
        source: Mailbox,
        handler: 'onMailboxEvent',
      }),
    );
    expect(unknownEvent.status).toBe(400);
    expect(JSON.stringify(unknownEvent.body)).toContain('"event"');
    const notAnOperation = await refusal(
      client.subscribe(domain, { event: Events.changed, source: Mailbox, handler: 'provision' }),
    );
    expect(notAnOperation.status).toBe(400);
    expect(JSON.stringify(notAnOperation.body)).toContain('"handler"');
    expect((await client.subscriptions(domain)).map((s) => s.handler)).toEqual(['onMailboxChanged']);

    const gone = await refusal(client.unsubscribe(domain, '00000000-0000-4000-8000-000000000000'));
    expect(gone.status).toBe(404);
  });
});
