/**
 * Issue 19, limits: a collection capped by a Counter's `limit` (`@Relation(() => Mailbox,
 * { collection: true, limit: 'mailboxLimit' })`). On the platform the APS controller refuses to
 * create more resources than the subscription allows: 403 "Creation of resource with type '…' is
 * not allowed" (KB 119958, kb.cloudblue.com/pdf/en/119958/). Here the limit is the holder's own property (the
 * embedded controller has no subscriptions): creating or linking beyond it answers 403 naming the
 * limit, stores nothing and calls no endpoint. Over HTTP, with an endpoint double on node:http.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, serveController, type RunningController } from '@apskit/controller';
import { api } from './fixtures/harness';
import { DOMAIN_TYPE, MAILBOX_TYPE, services } from './fixtures/usage-app';
import { startUsageEndpoint, type UsageEndpoint } from './fixtures/usage-endpoint';
import { storesUnderTest } from './fixtures/stores';

/** The stores the controller may run on (the limit is counted by the store): undefined is SQLite. */
const STORES = storesUnderTest('collection limits');

describe.each(STORES)('collection limits on the %s store', (_name, storeOf) => {
  let endpoint: UsageEndpoint;
  let dir: string;
  let running: RunningController;
  let url: string;

  beforeAll(async () => {
    endpoint = await startUsageEndpoint();
    dir = mkdtempSync(join(tmpdir(), 'apskit-limits-'));
    const controller = new Controller({
      app: { name: 'usage-app', services },
      endpoint: { url: endpoint.url },
      dataDir: dir,
      timeScale: 0.01,
      pollMs: 20,
      usageSyncSeconds: false,
      store: storeOf(),
    });
    running = await serveController(controller, { port: 0 });
    url = running.url;
  });

  afterAll(async () => {
    await running.close();
    await endpoint.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function domain(mailboxLimit: Record<string, number>): Promise<string> {
    const res = await api(url, 'POST', '/aps/2/resources', { aps: { type: DOMAIN_TYPE }, name: 'd', mailboxLimit });
    expect(res.status).toBe(200);
    return res.body.aps.id as string;
  }

  async function mailboxIn(domainId: string, name: string): ReturnType<typeof api> {
    return api(url, 'POST', `/aps/2/resources/${domainId}/mailboxes`, { aps: { type: MAILBOX_TYPE }, name });
  }

  async function members(domainId: string): Promise<string[]> {
    return (
      (await api(url, 'GET', `/aps/2/resources/${domainId}/mailboxes`)).body as Array<{ aps: { id: string } }>
    ).map((m) => m.aps.id);
  }

  async function mailboxCount(): Promise<number> {
    const res = await api(url, 'GET', `/aps/2/resources?implementing(${encodeURIComponent(MAILBOX_TYPE)})`);
    return (res.body as unknown[]).length;
  }

  function refusal(domainId: string, has: number, limit: number, what = 'Creation of resource'): object {
    return {
      code: 403,
      error: 'Forbidden',
      message: `${what} with type '${MAILBOX_TYPE}' is not allowed: ${domainId} has ${has} of ${limit} mailboxes (mailboxLimit.limit)`,
      details: [{ field: 'mailboxLimit.limit', message: `allows ${limit} mailboxes; ${domainId} has ${has}` }],
    };
  }

  it('refuses a creation through the relation beyond the limit: 403 naming it, nothing stored, no endpoint call', async () => {
    const d = await domain({ usage: 0, limit: 2 });
    expect((await mailboxIn(d, 'one')).status).toBe(200);
    expect((await mailboxIn(d, 'two')).status).toBe(200);
    const before = { count: await mailboxCount(), requests: endpoint.requests.length };

    const third = await mailboxIn(d, 'three');
    expect(third.status).toBe(403);
    expect(third.body).toEqual(refusal(d, 2, 2));
    expect(await mailboxCount()).toBe(before.count);
    expect(endpoint.requests.length).toBe(before.requests);
    expect(await members(d)).toHaveLength(2);
  });

  it('refuses a creation naming the holder in its body, a link and a relink beyond the limit', async () => {
    const d = await domain({ limit: 1 });
    expect((await mailboxIn(d, 'one')).status).toBe(200);
    const before = { count: await mailboxCount(), requests: endpoint.requests.length };

    const named = await api(url, 'POST', '/aps/2/resources', {
      aps: { type: MAILBOX_TYPE },
      name: 'named',
      domain: { aps: { id: d } },
    });
    expect(named.status).toBe(403);
    expect(named.body).toEqual(refusal(d, 1, 1));
    expect(await mailboxCount()).toBe(before.count);

    // A mailbox of no domain, linked in from the domain's side, then relinked from its own side.
    const free = await api(url, 'POST', '/aps/2/resources', { aps: { type: MAILBOX_TYPE }, name: 'free' });
    expect(free.status).toBe(200);
    const freeId = free.body.aps.id as string;
    const requests = endpoint.requests.length;
    const linked = await api(url, 'POST', `/aps/2/resources/${d}/mailboxes`, { aps: { id: freeId } });
    expect(linked.status).toBe(403);
    expect(linked.body).toEqual(refusal(d, 1, 1, 'Linking of resource'));
    const relinked = await api(url, 'PUT', `/aps/2/resources/${freeId}`, { domain: { aps: { id: d } } });
    expect(relinked.status).toBe(403);
    expect(relinked.body).toEqual(refusal(d, 1, 1, 'Linking of resource'));
    expect(endpoint.requests.length).toBe(requests); // neither the link operation nor a configure called
    expect(await members(d)).toHaveLength(1);
    expect((await api(url, 'GET', `/aps/2/resources/${freeId}`)).body.domain).toBeUndefined();
  });

  it('without a limit value, the collection is unlimited; a raised limit lets one more in', async () => {
    const d = await domain({ usage: 0 });
    for (const name of ['a', 'b', 'c', 'd']) expect((await mailboxIn(d, name)).status).toBe(200);
    expect(await members(d)).toHaveLength(4);

    const capped = await domain({ limit: 1 });
    expect((await mailboxIn(capped, 'a')).status).toBe(200);
    expect((await mailboxIn(capped, 'b')).status).toBe(403);
    const raised = await api(url, 'PUT', `/aps/2/resources/${capped}`, { mailboxLimit: { limit: 2 } });
    expect(raised.status).toBe(200);
    expect((await mailboxIn(capped, 'b')).status).toBe(200);
  });

  it('lets exactly one of several concurrent creations at limit - 1 pass', async () => {
    const d = await domain({ limit: 3 });
    expect((await mailboxIn(d, 'one')).status).toBe(200);
    expect((await mailboxIn(d, 'two')).status).toBe(200);
    const answers = await Promise.all(['a', 'b', 'c', 'd', 'e', 'f'].map((name) => mailboxIn(d, name)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 403, 403, 403, 403, 403]);
    expect(await members(d)).toHaveLength(3);
    // In process, the creations start in one tick: their reads and writes interleave but for the lock.
    const other = await domain({ limit: 1 });
    const settled = await Promise.allSettled(
      ['p', 'q', 'r', 's'].map((name) =>
        running.controller.provision(
          { aps: { type: MAILBOX_TYPE }, name },
          { parent: { id: other, relation: 'mailboxes' } },
        ),
      ),
    );
    expect(settled.map((s) => s.status).sort()).toEqual(['fulfilled', 'rejected', 'rejected', 'rejected']);
    expect(await members(other)).toHaveLength(1);
  });

  it('a domain created with more members than its limit is refused', async () => {
    const boxes: string[] = [];
    for (const name of ['x', 'y']) {
      const res = await api(url, 'POST', '/aps/2/resources', { aps: { type: MAILBOX_TYPE }, name });
      boxes.push(res.body.aps.id as string);
    }
    const res = await api(url, 'POST', '/aps/2/resources', {
      aps: { type: DOMAIN_TYPE },
      name: 'too-small',
      mailboxLimit: { limit: 1 },
      mailboxes: boxes.map((id) => ({ aps: { id } })),
    });
    expect(res.status).toBe(403);
    expect(res.body.message).toMatch(
      /^Creation of resource with type '.*mailbox\/1\.0' is not allowed: .* has 0 of 1 mailboxes/,
    );
  });
});
