/**
 * Declared event subscriptions (`@OnEvent`, issue 19): created with their subscriber, in the same
 * step that stores it, shown by the subscriptions API (docs.cloudblue.com/cbc/sdk/21.0/concepts/events/
 * aps-event/event-subscriptions) marked `declared`, and delivered to the handler operation like any
 * other (docs.cloudblue.com/cbc/sdk/8.2/concepts/events/aps-event/event-processing/). Over real HTTP on
 * 127.0.0.1: the controller's API, and the app's endpoint (APSKit's runtime: the test is about the
 * handler receiving the notification) served over HTTP.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import {
  ApsType,
  CoreTypes,
  DeclarationError,
  Events,
  Notification,
  OnEvent,
  Operation,
  Param,
  Property,
  Relation,
} from '@apskit/core';
import { createEndpoint } from '@apskit/express';
import { Controller, MemoryStore, renderResource, serveController, type RunningController } from '@apskit/controller';
import { declaredSubscriptionId, declaredSubscriptions } from '../src/events/declared-subscriptions';
import { api, eventually } from './fixtures/harness';

const NS = 'http://apskit.test/declared';
const MAILBOX = `${NS}/mailbox/1.0`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** What the domains' handlers received: [subscriber id, handler, notification]. */
const received: Array<[string, string, Notification]> = [];

@ApsType({ name: 'mailbox', id: MAILBOX, implements: [CoreTypes.resource] })
class Mailbox {
  @Property()
  name?: string;

  // `object`: the design type would read Domain before it is defined.
  @Relation(() => Domain)
  domain?: object;

  provision(): void {}
  configure(): void {}
  unprovision(): void {}
}

@ApsType({ name: 'domain', id: `${NS}/domain/1.0`, implements: [CoreTypes.resource] })
class Domain {
  aps!: { id: string };

  @Property()
  name?: string;

  @Relation(() => Mailbox, { collection: true })
  mailboxes?: Mailbox[];

  provision(): void {}
  unprovision(): void {}

  @OnEvent(Events.changed, { source: () => Mailbox })
  @Operation({ verb: 'POST', path: '/onMailboxChanged' })
  onMailboxChanged(@Param('event', { kind: 'body', type: Notification }) event: Notification): void {
    received.push([this.aps.id, 'onMailboxChanged', event]);
  }

  @OnEvent(Events.linked, { source: () => Mailbox, relation: 'domain' })
  @Operation({ verb: 'POST', path: '/onMailboxLinked' })
  onMailboxLinked(@Param('event', { kind: 'body', type: Notification }) event: Notification): void {
    received.push([this.aps.id, 'onMailboxLinked', event]);
  }
}

const services = { mailboxes: Mailbox, domains: Domain };
const href = (id: string, rest = ''): string => `/aps/2/resources/${id}${rest}`;

let host: http.Server;
let running: RunningController;
let controller: Controller;
const store = new MemoryStore();

async function create(type: string, body: Record<string, unknown> = {}): Promise<string> {
  const reply = await api(running.url, 'POST', '/aps/2/resources', { ...body, aps: { type } });
  expect(reply.status).toBe(200);
  return (reply.body as { aps: { id: string } }).aps.id;
}

beforeAll(async () => {
  const ref: { controller?: Controller } = {};
  const endpoint = createEndpoint({
    services,
    logger: false,
    loadResource: async ({ id }) => {
      const r = await ref.controller?.findResource(id);
      return r && (renderResource(r) as unknown as Record<string, unknown>);
    },
  });
  const hostApp = express();
  hostApp.use('/endpoint', endpoint);
  host = http.createServer(hostApp);
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
  controller = new Controller({
    app: { name: 'declared', services },
    endpoint: { url: `http://127.0.0.1:${(host.address() as AddressInfo).port}/endpoint` },
    store,
    timeScale: 0.01,
    pollMs: 20,
  });
  ref.controller = controller;
  running = await serveController(controller, { port: 0 });
});

afterAll(async () => {
  await running?.close();
  await new Promise<void>((resolve) => host.close(() => resolve()));
});

describe('declaredSubscriptions', () => {
  const domain = () => controller.model.get(Domain);

  it('makes one record per @OnEvent, marked declared, with ids that depend only on what it is', () => {
    const records = declaredSubscriptions(domain(), 'sub-1', 1000);
    expect(records).toEqual([
      {
        id: expect.stringMatching(UUID),
        subscriberId: 'sub-1',
        event: Events.changed,
        sourceType: MAILBOX,
        sourceId: null,
        relation: null,
        handler: 'onMailboxChanged',
        declared: true,
        createdAt: 1000,
      },
      {
        id: expect.stringMatching(UUID),
        subscriberId: 'sub-1',
        event: Events.linked,
        sourceType: MAILBOX,
        sourceId: null,
        relation: 'domain',
        handler: 'onMailboxLinked',
        declared: true,
        createdAt: 1000,
      },
    ]);
    // The same subscriber gets the same ids (adding again is a no-op); another gets others.
    expect(declaredSubscriptions(domain(), 'sub-1', 2000).map((r) => r.id)).toEqual(records.map((r) => r.id));
    const other = declaredSubscriptions(domain(), 'sub-2', 1000).map((r) => r.id);
    expect(other.some((id) => records.some((r) => r.id === id))).toBe(false);
    const s = domain().subscriptions[0];
    expect(declaredSubscriptionId('sub-1', { ...s, relation: 'domain' })).not.toBe(records[0].id);
    expect(declaredSubscriptionId('sub-1', { ...s, handler: 'other' })).not.toBe(records[0].id);
    expect(declaredSubscriptionId('sub-1', { ...s, source: { type: `${NS}/other/1.0` } })).not.toBe(records[0].id);
  });

  it('makes none for a type without @OnEvent', () => {
    expect(declaredSubscriptions(controller.model.get(Mailbox), 'm', 1)).toEqual([]);
  });
});

describe('a provisioned resource gets its declared subscriptions', () => {
  it('stores them with the resource, and adding them again stores nothing more', async () => {
    const domainId = await create('domain', { name: 'one.example' });
    const stored = await store.listSubscriptions(domainId);
    expect(stored).toEqual(declaredSubscriptions(controller.model.get(Domain), domainId, stored[0]?.createdAt ?? 0));
    for (const s of stored) expect(await store.addSubscription(s, 100)).toBe(true);
    expect(await store.listSubscriptions(domainId)).toHaveLength(2);
  });

  it('stores them with a resource the application registers', async () => {
    const registered = await controller.registerResource('domains', { name: 'registered.example' });
    const stored = await store.listSubscriptions(registered.id);
    expect(stored.map((s) => [s.event, s.handler, s.declared])).toEqual([
      [Events.changed, 'onMailboxChanged', true],
      [Events.linked, 'onMailboxLinked', true],
    ]);
  });

  it('lists them in GET …/aps/subscriptions, marked declared, and deletes them like any other', async () => {
    const domainId = await create('domain', { name: 'two.example' });
    const list = await api(running.url, 'GET', href(domainId, '/aps/subscriptions'));
    expect(list.status).toBe(200);
    expect(list.body).toEqual([
      expect.objectContaining({
        event: Events.changed,
        source: { type: MAILBOX },
        handler: 'onMailboxChanged',
        declared: true,
      }),
      expect.objectContaining({
        event: Events.linked,
        source: { type: MAILBOX },
        relation: 'domain',
        handler: 'onMailboxLinked',
        declared: true,
      }),
    ]);
    const [first] = list.body as Array<{ id: string }>;
    expect((await api(running.url, 'DELETE', href(domainId, `/aps/subscriptions/${first.id}`))).status).toBe(204);
    const after = await api(running.url, 'GET', href(domainId, '/aps/subscriptions'));
    expect((after.body as Array<{ handler: string }>).map((s) => s.handler)).toEqual(['onMailboxLinked']);
  });

  it('delivers a change of a mailbox to the handler of every domain subscribed (event-processing)', async () => {
    const domainId = await create('domain', { name: 'three.example' });
    const mailboxId = await create('mailbox', { name: 'box' });
    received.length = 0;
    const put = await api(running.url, 'PUT', href(mailboxId), { name: 'box, renamed' });
    expect(put.status).toBe(200);
    const got = await eventually(
      async () => received.filter(([subscriber, handler]) => subscriber === domainId && handler === 'onMailboxChanged'),
      (list) => list.length > 0,
    );
    const [subscription] = (await store.listSubscriptions(domainId)).filter((s) => s.handler === 'onMailboxChanged');
    expect(got).toHaveLength(1);
    expect(got[0][2]).toEqual(
      expect.objectContaining({
        event: Events.changed,
        subscription: subscription.id,
        source: { id: mailboxId, type: MAILBOX },
      }),
    );
  });
});

describe('a declared linked subscription with a relation', () => {
  it('delivers a link made through that relation of the source, and no other (event-subscriptions: relation)', async () => {
    const domainId = await create('domain', { name: 'four.example' });
    const mailboxId = await create('mailbox', { name: 'linked-later' });
    received.length = 0;
    const link = await api(running.url, 'POST', href(mailboxId, '/domain'), { aps: { id: domainId } });
    expect(link.status).toBe(200);
    const got = await eventually(
      async () => received.filter(([subscriber, handler]) => subscriber === domainId && handler === 'onMailboxLinked'),
      (list) => list.length > 0,
    );
    expect(got[0][2]).toEqual(
      expect.objectContaining({ event: Events.linked, source: { id: mailboxId, type: MAILBOX } }),
    );
    // The way back (domain.mailboxes) raises its own linked event, of a domain: no mailbox subscription hears it.
    expect(received.filter(([, , n]) => n.source?.id === domainId)).toEqual([]);
  });
});

describe('bad declarations', () => {
  it('refuses @OnEvent on a method that is not an operation, naming the type and the method', () => {
    @ApsType({ name: 'broken', id: `${NS}/broken/1.0` })
    class Broken {
      @OnEvent(Events.changed, { source: () => Mailbox })
      onChanged(_event: Notification): void {}
    }
    expect(
      () => new Controller({ app: { name: 'broken', services: { broken: Broken } }, store: new MemoryStore() }),
    ).toThrow(DeclarationError);
    expect(
      () => new Controller({ app: { name: 'broken', services: { broken: Broken } }, store: new MemoryStore() }),
    ).toThrow(/Broken\.onChanged: @OnEvent needs an @Operation on the same method/);
  });
});
