/**
 * Issue 19: the controller's event subscriptions API, `/aps/2/resources/{id}/aps/subscriptions`
 * (docs.cloudblue.com/cbc/sdk/21.0/concepts/events/aps-event/event-subscriptions), over real HTTP on
 * 127.0.0.1 with the endpoint served over HTTP by a host that records every request it gets.
 * Subscriptions are kept, checked and removed here; their delivery is in events-*.test.ts.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { ApsType, CoreTypes, Operation } from '@apskit/core';
import { createEndpoint } from '@apskit/express';
import { Controller, renderResource, serveController, type RunningController } from '@apskit/controller';
import { MAX_SUBSCRIPTIONS_PER_RESOURCE } from '../src/events/subscriptions';
import { api, eventually } from './fixtures/harness';
import { ACCOUNT_TYPE, app as accessApp, VAULT_TYPE } from './fixtures/access-app';

const NS = 'http://apskit.test/subscriptions';
const CHANGED = 'http://aps-standard.org/core/events/changed';
const LINKED = 'http://aps-standard.org/core/events/linked';

@ApsType({ name: 'mailbox', id: `${NS}/mailbox/1.0`, implements: [CoreTypes.resource] })
class Mailbox {
  provision(): void {}
  unprovision(): void {}
}

@ApsType({ name: 'domain', id: `${NS}/domain/1.0`, implements: [CoreTypes.resource] })
class Domain {
  provision(): void {}
  unprovision(): void {}

  @Operation({ verb: 'POST', path: '/onMailboxChanged' })
  onMailboxChanged(): void {}
}

const services = { mailboxes: Mailbox, domains: Domain };
const href = (id: string, rest = ''): string => `/aps/2/resources/${id}${rest}`;

/** Every request the endpoint's host got. */
const seen: string[] = [];
let host: http.Server;
let running: RunningController;
let controller: Controller;
let dir: string;
let domainId: string;
let mailboxId: string;

async function create(type: string): Promise<string> {
  const reply = await api(running.url, 'POST', '/aps/2/resources', { aps: { type } });
  expect(reply.status).toBe(200);
  return (reply.body as { aps: { id: string } }).aps.id;
}

const listOf = async (id: string): Promise<Array<Record<string, unknown>>> => {
  const reply = await api(running.url, 'GET', href(id, '/aps/subscriptions'));
  expect(reply.status).toBe(200);
  return reply.body as Array<Record<string, unknown>>;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'apskit-subscriptions-'));
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
  host = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    hostApp(req, res);
  });
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
  const hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
  controller = new Controller({
    app: { name: 'subscriptions', services },
    endpoint: { url: `${hostUrl}/endpoint` },
    dataDir: dir,
  });
  ref.controller = controller;
  running = await serveController(controller, { port: 0 });
  domainId = await create('domain');
  mailboxId = await create('mailbox');
});

afterAll(async () => {
  await running?.close();
  await new Promise<void>((resolve) => host.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

describe('event subscriptions (docs.cloudblue.com/cbc/sdk/21.0/concepts/events/aps-event/event-subscriptions)', () => {
  it('creates, lists, reads and deletes a subscription, with an id the controller assigns', async () => {
    expect(await listOf(domainId)).toEqual([]);
    const body = { event: CHANGED, source: { type: `${NS}/mailbox/1.0` }, handler: 'onMailboxChanged' };
    const created = await api(running.url, 'POST', href(domainId, '/aps/subscriptions'), { ...body, id: 'mine' });
    expect(created.status).toBe(200);
    const sub = created.body as { id: string };
    expect(sub).toEqual({ ...body, id: expect.any(String) });
    expect(sub.id).not.toBe('mine');
    const byId = await api(running.url, 'POST', href(domainId, '/aps/subscriptions'), {
      event: LINKED,
      source: { id: mailboxId },
      relation: 'domain',
      handler: 'onMailboxChanged',
    });
    expect(byId.status).toBe(200);
    expect((await listOf(domainId)).map((s) => s.id)).toEqual([sub.id, (byId.body as { id: string }).id]);

    const one = await api(running.url, 'GET', href(domainId, `/aps/subscriptions/${sub.id}`));
    expect(one.status).toBe(200);
    expect(one.body).toEqual(sub);

    expect((await api(running.url, 'DELETE', href(domainId, `/aps/subscriptions/${sub.id}`))).status).toBe(204);
    expect((await api(running.url, 'GET', href(domainId, `/aps/subscriptions/${sub.id}`))).status).toBe(404);
    expect((await api(running.url, 'DELETE', href(domainId, `/aps/subscriptions/${sub.id}`))).status).toBe(404);
    expect((await listOf(domainId)).map((s) => s.id)).toEqual([(byId.body as { id: string }).id]);
    // The controller's own paths: the endpoint never hears of them.
    expect(seen.filter((r) => r.includes('subscriptions'))).toEqual([]);
  });

  it.each([
    [
      'event',
      { event: 'http://aps-standard.org/core/events/exploded', source: { id: 'x' }, handler: 'onMailboxChanged' },
    ],
    ['event', { source: { type: `${NS}/mailbox/1.0` }, handler: 'onMailboxChanged' }],
    ['handler', { event: CHANGED, source: { type: `${NS}/mailbox/1.0` }, handler: 'provision2' }],
    ['handler', { event: CHANGED, source: { type: `${NS}/mailbox/1.0` } }],
    [
      'source.type',
      { event: CHANGED, source: { type: 'http://nowhere.test/nothing/1.0' }, handler: 'onMailboxChanged' },
    ],
    [
      'source.id',
      { event: CHANGED, source: { id: '00000000-0000-4000-8000-000000000000' }, handler: 'onMailboxChanged' },
    ],
    ['source', { event: CHANGED, handler: 'onMailboxChanged' }],
  ])('refuses a bad %s with a 400 naming it, and stores nothing', async (field, body) => {
    const before = await listOf(domainId);
    const reply = await api(running.url, 'POST', href(domainId, '/aps/subscriptions'), body);
    expect(reply.status).toBe(400);
    expect(JSON.stringify(reply.body)).toContain(`"field":"${field}"`);
    expect(await listOf(domainId)).toEqual(before);
    expect(seen.filter((r) => r.includes('subscriptions'))).toEqual([]);
  });

  it('accepts a source type the served types implement (a core type)', async () => {
    const reply = await api(running.url, 'POST', href(mailboxId, '/aps/subscriptions'), {
      event: CHANGED,
      source: { type: CoreTypes.resource },
      handler: 'onMailboxChanged',
    });
    // The handler must be the subscriber's: a mailbox has no such operation.
    expect(reply.status).toBe(400);
    expect(JSON.stringify(reply.body)).toContain('"field":"handler"');
    const ok = await api(running.url, 'POST', href(domainId, '/aps/subscriptions'), {
      event: CHANGED,
      source: { type: CoreTypes.resource },
      handler: 'onMailboxChanged',
    });
    expect(ok.status).toBe(200);
  });

  it('keeps at most MAX_SUBSCRIPTIONS_PER_RESOURCE per subscriber: one more is a 409, nothing stored', async () => {
    const subscriber = await create('domain');
    const body = { event: CHANGED, source: { id: mailboxId }, handler: 'onMailboxChanged' };
    for (let i = 0; i < MAX_SUBSCRIPTIONS_PER_RESOURCE; i++)
      expect((await api(running.url, 'POST', href(subscriber, '/aps/subscriptions'), body)).status).toBe(200);
    const over = await api(running.url, 'POST', href(subscriber, '/aps/subscriptions'), body);
    expect(over.status).toBe(409);
    expect(await controller.listSubscriptions(subscriber)).toHaveLength(MAX_SUBSCRIPTIONS_PER_RESOURCE);
  });

  it('answers 404 for a subscriber that does not exist', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    expect((await api(running.url, 'GET', href(missing, '/aps/subscriptions'))).status).toBe(404);
    const post = await api(running.url, 'POST', href(missing, '/aps/subscriptions'), {
      event: CHANGED,
      source: { id: mailboxId },
      handler: 'onMailboxChanged',
    });
    expect(post.status).toBe(404);
  });

  it('removes the subscriptions of an unprovisioned subscriber', async () => {
    const other = await create('domain');
    const made = await api(running.url, 'POST', href(other, '/aps/subscriptions'), {
      event: CHANGED,
      source: { id: mailboxId },
      handler: 'onMailboxChanged',
    });
    expect(made.status).toBe(200);
    expect(await controller.listSubscriptions(other)).toHaveLength(1);
    expect((await api(running.url, 'DELETE', href(other))).status).toBe(204);
    expect(
      await eventually(
        () => controller.listSubscriptions(other),
        (l) => l.length === 0,
      ),
    ).toEqual([]);
    expect((await api(running.url, 'GET', href(other, '/aps/subscriptions'))).status).toBe(404);
  });
});

describe('event subscriptions and access rules', () => {
  const OWNER_A = 'subs-owner-a-token-0123456789abcdef';
  const OWNER_B = 'subs-owner-b-token-0123456789abcdef';
  const hex = (t: string): string => createHash('sha256').update(t).digest('hex');
  const auth = (t: string): Record<string, string> => ({ Authorization: `Bearer ${t}` });
  let accessDir: string;
  let served: RunningController;
  let access: Controller;
  let vaultA: string;
  let vaultB: string;

  beforeAll(async () => {
    accessDir = mkdtempSync(join(tmpdir(), 'apskit-subscriptions-access-'));
    const tokens = join(accessDir, 'tokens.json');
    access = new Controller({ app: accessApp, dataDir: accessDir, tokens });
    await access.start();
    const make = async (body: Record<string, unknown>): Promise<string> =>
      ((await access.provision(body)).resource as { aps: { id: string } }).aps.id;
    const accountA = await make({ aps: { type: ACCOUNT_TYPE }, name: 'A' });
    const accountB = await make({ aps: { type: ACCOUNT_TYPE }, name: 'B' });
    vaultA = await make({ aps: { type: VAULT_TYPE }, name: 'a', account: { aps: { id: accountA } } });
    vaultB = await make({ aps: { type: VAULT_TYPE }, name: 'b', account: { aps: { id: accountB } } });
    writeFileSync(
      tokens,
      JSON.stringify([
        { 'token-sha256': hex(OWNER_A), role: 'owner', account: accountA, subject: 'a' },
        { 'token-sha256': hex(OWNER_B), role: 'owner', account: accountB, subject: 'b' },
      ]),
    );
    served = await serveController(access, { port: 0 });
  });

  afterAll(async () => {
    await served?.close();
    rmSync(accessDir, { recursive: true, force: true });
  });

  it('answers 404 to a caller that does not see the subscriber, and stores nothing', async () => {
    const body = { event: CHANGED, source: { type: VAULT_TYPE }, handler: 'ping' };
    const path = href(vaultA, '/aps/subscriptions');
    expect((await api(served.url, 'POST', path, body, auth(OWNER_B))).status).toBe(404);
    expect((await api(served.url, 'GET', path, undefined, auth(OWNER_B))).status).toBe(404);
    expect(await access.listSubscriptions(vaultA)).toEqual([]);
    const mine = await api(served.url, 'POST', path, body, auth(OWNER_A));
    expect(mine.status).toBe(200);
    const id = (mine.body as { id: string }).id;
    expect((await api(served.url, 'GET', `${path}/${id}`, undefined, auth(OWNER_B))).status).toBe(404);
    expect((await api(served.url, 'DELETE', `${path}/${id}`, undefined, auth(OWNER_B))).status).toBe(404);
    expect(await access.listSubscriptions(vaultA)).toHaveLength(1);
  });

  it('treats a source the caller does not see as no resource', async () => {
    const reply = await api(
      served.url,
      'POST',
      href(vaultA, '/aps/subscriptions'),
      { event: CHANGED, source: { id: vaultB }, handler: 'ping' },
      auth(OWNER_A),
    );
    expect(reply.status).toBe(400);
    expect(JSON.stringify(reply.body)).toContain('"field":"source.id"');
  });
});
