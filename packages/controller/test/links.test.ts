/**
 * Links as the APS controller has them, over real HTTP: the controller on 127.0.0.1 and the endpoint
 * a recording node:http server (fixtures/links-endpoint), so that each test checks both what the
 * controller answers and what the endpoint received.
 * - reads show links (docs.cloudblue.com/oa/8.2/sdk/api/rest/resources/structure): a singular
 *   relation `{"aps": {"link": "strong"|"weak", "id", "href"}}`, a collection `{"aps": {"link":
 *   "collection", "href"}}`; provision and configure requests carry them;
 * - link, relink, unlink, "Get linked resources" (docs.cloudblue.com/cbc/sdk/20.5/api/rest/resources),
 *   through the endpoint's link operations, whose answers mean what the protocol's table says
 *   (docs.cloudblue.com/cbc/sdk/21.0/api/rest/protocol/responses);
 * - refusals: each a clear 4xx naming the field, nothing stored, the endpoint not called.
 * On each store: SQLite (the default), memory, and PostgreSQL when APSKIT_TEST_DATABASE_URL is set.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, serveController, type RunningController } from '@apskit/controller';
import { appSecretFetch } from '../src/auth/app-secret';
import { api } from './fixtures/harness';
import { app, DOMAIN_TYPE, MAILBOX_TYPE } from './fixtures/links-app';
import { startLinksEndpoint, type LinksEndpoint } from './fixtures/links-endpoint';
import { storesUnderTest } from './fixtures/stores';

/** Each store the controller may run on: undefined is its default (SQLite in its data directory). */
const STORES = storesUnderTest('links', ['sqlite', 'memory']);

describe.each(STORES)('on the %s store', (_name, storeOf) => {
  let endpoint: LinksEndpoint;
  let running: RunningController;
  let dir: string;
  let globalsId: string;
  /** What makes a request the application's here: the controller's in-process secret (issue 18). */
  let asApp: Record<string, string>;

  beforeAll(async () => {
    endpoint = await startLinksEndpoint();
    dir = mkdtempSync(join(tmpdir(), 'apskit-links-'));
    const controller = new Controller({ app, endpoint: { url: endpoint.url }, dataDir: dir, store: storeOf() });
    running = await serveController(controller, { port: 0 });
    globalsId = (await controller.instance.globalsId) as string;
    asApp = await appAuthorization(controller, running.url);
  });

  afterAll(async () => {
    await running.close();
    await endpoint.close();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    endpoint.answers.link = { status: 204 };
    endpoint.answers.unlink = { status: 204 };
  });

  const href = (id: string): string => `/aps/2/resources/${id}`;

  async function create(type: string, body: Record<string, unknown>): Promise<string> {
    const reply = await api(running.url, 'POST', '/aps/2/resources', { aps: { type }, ...body });
    expect(reply.status).toBe(200);
    return reply.body.aps.id as string;
  }

  async function read(id: string): Promise<Record<string, unknown>> {
    const reply = await api(running.url, 'GET', href(id));
    expect(reply.status).toBe(200);
    return reply.body as Record<string, unknown>;
  }

  async function members(id: string, relation: string): Promise<string[]> {
    const reply = await api(running.url, 'GET', `${href(id)}/${relation}`);
    expect(reply.status).toBe(200);
    return (reply.body as Array<{ aps: { id: string } }>).map((r) => r.aps.id);
  }

  const sentTo = (from: number, method: string, url: string) =>
    endpoint.requests.slice(from).filter((r) => r.method === method && r.url === url);

  describe('links in reads and in the provision body (resources/structure)', () => {
    it('shows a required relation as a strong link, an optional one as weak, a collection as its href; the provision request carries them', async () => {
      const domain = await create(DOMAIN_TYPE, { name: 'example.com' });
      const before = endpoint.requests.length;
      const mailbox = await create(MAILBOX_TYPE, { name: 'ann', domain: { aps: { id: domain } } });

      const shown = await read(mailbox);
      expect(shown.globals).toEqual({ aps: { link: 'strong', id: globalsId, href: href(globalsId) } });
      expect(shown.domain).toEqual({ aps: { link: 'weak', id: domain, href: href(domain) } });
      expect((await read(domain)).mailboxes).toEqual({
        aps: { link: 'collection', href: `${href(domain)}/mailboxes` },
      });
      expect(await members(domain, 'mailboxes')).toEqual([mailbox]);

      const [provision] = sentTo(before, 'POST', '/mailboxes/');
      expect(provision?.body).toMatchObject({
        aps: { id: mailbox, type: MAILBOX_TYPE },
        name: 'ann',
        globals: { aps: { link: 'strong', id: globalsId, href: href(globalsId) } },
        domain: { aps: { link: 'weak', id: domain, href: href(domain) } },
      });
    });

    it('leaves links out of a list', async () => {
      const list = await api(running.url, 'GET', '/aps/2/resources');
      expect(list.status).toBe(200);
      const mailboxes = (list.body as Array<Record<string, unknown> & { aps: { type: string } }>).filter(
        (r) => r.aps.type === MAILBOX_TYPE,
      );
      expect(mailboxes.length).toBeGreaterThan(0);
      for (const m of mailboxes) {
        expect(m).not.toHaveProperty('globals');
        expect(m).not.toHaveProperty('domain');
      }
    });
  });

  describe('link, relink and unlink through the endpoint (resources: Link, Relink, Unlink resources)', () => {
    it('links an existing resource: the endpoint’s link operation gets it first, then both ways are stored', async () => {
      const domain = await create(DOMAIN_TYPE, { name: 'a.example' });
      const mailbox = await create(MAILBOX_TYPE, { name: 'bob' });
      const before = endpoint.requests.length;

      const linked = await api(running.url, 'POST', `${href(mailbox)}/domain`, { aps: { id: domain } });
      expect(linked.status).toBe(200);
      expect(linked.body.aps.id).toBe(domain);
      const [call] = endpoint.linkCalls(before);
      expect(call).toMatchObject({ method: 'POST', url: `/mailboxes/${mailbox}/domain` });
      expect(call?.body).toMatchObject({ aps: { id: domain, type: DOMAIN_TYPE }, name: 'a.example' });
      expect((await read(mailbox)).domain).toEqual({ aps: { link: 'weak', id: domain, href: href(domain) } });
      expect(await members(domain, 'mailboxes')).toEqual([mailbox]);
    });

    it('relinks a singular relation: the old link goes both ways', async () => {
      const first = await create(DOMAIN_TYPE, { name: 'first.example' });
      const second = await create(DOMAIN_TYPE, { name: 'second.example' });
      const mailbox = await create(MAILBOX_TYPE, { name: 'cy', domain: { aps: { id: first } } });
      const before = endpoint.requests.length;

      const relinked = await api(running.url, 'POST', `${href(mailbox)}/domain`, { aps: { id: second } });
      expect(relinked.status).toBe(200);
      expect(endpoint.linkCalls(before).map((r) => `${r.method} ${r.url}`)).toEqual([
        `POST /mailboxes/${mailbox}/domain`,
      ]);
      expect(((await read(mailbox)).domain as { aps: { id: string } }).aps.id).toBe(second);
      expect(await members(first, 'mailboxes')).toEqual([]);
      expect(await members(second, 'mailboxes')).toEqual([mailbox]);
    });

    it('keeps one link in a singular relation when two relinks race', async () => {
      const first = await create(DOMAIN_TYPE, { name: 'race1.example' });
      const second = await create(DOMAIN_TYPE, { name: 'race2.example' });
      const mailbox = await create(MAILBOX_TYPE, { name: 'ray' });
      const replies = await Promise.all(
        [first, second].map((d) => api(running.url, 'POST', `${href(mailbox)}/domain`, { aps: { id: d } })),
      );
      expect(replies.map((r) => r.status)).toEqual([200, 200]);
      const links = await api(running.url, 'GET', `${href(mailbox)}/aps/links`);
      expect(links.body.filter((l: { relation: string }) => l.relation === 'domain')).toHaveLength(1);
      const memberships = [...(await members(first, 'mailboxes')), ...(await members(second, 'mailboxes'))];
      expect(memberships).toEqual([mailbox]);
    });

    it('links from the collection side: the member’s singular way back follows', async () => {
      const domain = await create(DOMAIN_TYPE, { name: 'side.example' });
      const mailbox = await create(MAILBOX_TYPE, { name: 'dee' });
      const before = endpoint.requests.length;

      const linked = await api(running.url, 'POST', `${href(domain)}/mailboxes`, { aps: { id: mailbox } });
      expect(linked.status).toBe(200);
      expect(endpoint.linkCalls(before)).toMatchObject([{ method: 'POST', url: `/domains/${domain}/mailboxes` }]);
      expect(((await read(mailbox)).domain as { aps: { id: string } }).aps.id).toBe(domain);
    });

    it('unlinks: the endpoint’s unlink operation first, then the link goes both ways', async () => {
      const domain = await create(DOMAIN_TYPE, { name: 'gone.example' });
      const mailbox = await create(MAILBOX_TYPE, { name: 'eve', domain: { aps: { id: domain } } });
      const before = endpoint.requests.length;

      const unlinked = await api(running.url, 'DELETE', `${href(mailbox)}/domain/${domain}`);
      expect(unlinked.status).toBe(204);
      expect(endpoint.linkCalls(before)).toMatchObject([
        { method: 'DELETE', url: `/mailboxes/${mailbox}/domain/${domain}` },
      ]);
      expect(await read(mailbox)).not.toHaveProperty('domain');
      expect(await members(domain, 'mailboxes')).toEqual([]);
    });

    it.each([404, 405, 501])(
      'stores the link when the endpoint has no link operation (%i: nothing to do, per the protocol’s table)',
      async (status) => {
        endpoint.answers.link = { status };
        const domain = await create(DOMAIN_TYPE, { name: `none-${status}.example` });
        const mailbox = await create(MAILBOX_TYPE, { name: 'fay' });
        const linked = await api(running.url, 'POST', `${href(mailbox)}/domain`, { aps: { id: domain } });
        expect(linked.status).toBe(200);
        expect(((await read(mailbox)).domain as { aps: { id: string } }).aps.id).toBe(domain);
      },
    );

    it.each([409, 500])('passes on the endpoint’s refusal (%i) and stores nothing', async (status) => {
      const domain = await create(DOMAIN_TYPE, { name: `no-${status}.example` });
      const mailbox = await create(MAILBOX_TYPE, { name: 'gus' });
      endpoint.answers.link = {
        status,
        body: { code: status, error: 'Refused', message: 'This mailbox cannot move domains today' },
      };
      const linked = await api(running.url, 'POST', `${href(mailbox)}/domain`, { aps: { id: domain } });
      expect(linked.status).toBe(status);
      expect(linked.body).toMatchObject({
        code: status,
        error: 'Refused',
        message: 'This mailbox cannot move domains today',
      });
      expect(await read(mailbox)).not.toHaveProperty('domain');
      expect(await members(domain, 'mailboxes')).toEqual([]);
    });

    it('keeps the link when the endpoint refuses to unlink', async () => {
      const domain = await create(DOMAIN_TYPE, { name: 'kept.example' });
      const mailbox = await create(MAILBOX_TYPE, { name: 'hal', domain: { aps: { id: domain } } });
      endpoint.answers.unlink = { status: 500, body: { code: 500, error: 'InternalError', message: 'disk full' } };
      const unlinked = await api(running.url, 'DELETE', `${href(mailbox)}/domain/${domain}`);
      expect(unlinked.status).toBe(500);
      expect(unlinked.body.message).toBe('disk full');
      expect(((await read(mailbox)).domain as { aps: { id: string } }).aps.id).toBe(domain);
      expect(await members(domain, 'mailboxes')).toEqual([mailbox]);
    });
  });

  describe('relations in a PUT relink, and the configure request carries the links', () => {
    it('relinks through the link operation, then configures with the new links; null unlinks', async () => {
      const first = await create(DOMAIN_TYPE, { name: 'put1.example' });
      const second = await create(DOMAIN_TYPE, { name: 'put2.example' });
      const mailbox = await create(MAILBOX_TYPE, { name: 'ida', domain: { aps: { id: first } } });
      let before = endpoint.requests.length;

      const put = await api(running.url, 'PUT', href(mailbox), { name: 'ida2', domain: { aps: { id: second } } });
      expect(put.status).toBe(200);
      const calls = endpoint.requests.slice(before).map((r) => `${r.method} ${r.url}`);
      expect(calls).toEqual([`POST /mailboxes/${mailbox}/domain`, `PUT /mailboxes/${mailbox}`]);
      expect(sentTo(before, 'PUT', `/mailboxes/${mailbox}`)[0]?.body).toMatchObject({
        name: 'ida2',
        globals: { aps: { link: 'strong', id: globalsId } },
        domain: { aps: { link: 'weak', id: second, href: href(second) } },
      });
      expect(await read(mailbox)).toMatchObject({ name: 'ida2', domain: { aps: { id: second } } });

      before = endpoint.requests.length;
      const cleared = await api(running.url, 'PUT', href(mailbox), { domain: null });
      expect(cleared.status).toBe(200);
      expect(endpoint.linkCalls(before)).toMatchObject([
        { method: 'DELETE', url: `/mailboxes/${mailbox}/domain/${second}` },
      ]);
      expect(await read(mailbox)).not.toHaveProperty('domain');
    });
  });

  describe('the application writing its own resource’s relations', () => {
    it('relinks without calling the endpoint back, and answers the resource with its links', async () => {
      const first = await create(DOMAIN_TYPE, { name: 'own1.example' });
      const second = await create(DOMAIN_TYPE, { name: 'own2.example' });
      const mailbox = await create(MAILBOX_TYPE, { name: 'ola', domain: { aps: { id: first } } });
      const before = endpoint.requests.length;
      const own = asApp;

      const put = await api(running.url, 'PUT', href(mailbox), { domain: { aps: { id: second } } }, own);
      expect(put.status).toBe(200);
      expect(put.body.domain).toEqual({ aps: { link: 'weak', id: second, href: href(second) } });
      expect(endpoint.requests.length).toBe(before);
      expect(await members(first, 'mailboxes')).toEqual([]);
      expect(await members(second, 'mailboxes')).toEqual([mailbox]);

      const refused = await api(running.url, 'PUT', href(mailbox), { name: 'x', globals: null }, own);
      expect(refused.status).toBe(409);
      expect((await read(mailbox)).name).toBe('ola');
    });
  });

  describe('Get linked resources (resources: aps/links, {relation}/{id2})', () => {
    it('lists every link of a resource, and reads one linked resource (404 when it is not linked)', async () => {
      const domain = await create(DOMAIN_TYPE, { name: 'read.example' });
      const other = await create(DOMAIN_TYPE, { name: 'other.example' });
      const mailbox = await create(MAILBOX_TYPE, { name: 'jo', domain: { aps: { id: domain } } });

      const links = await api(running.url, 'GET', `${href(mailbox)}/aps/links`);
      expect(links.status).toBe(200);
      expect(links.body).toEqual([
        { relation: 'globals', aps: { link: 'strong', id: globalsId, href: href(globalsId) } },
        { relation: 'domain', aps: { link: 'weak', id: domain, href: href(domain) } },
      ]);
      const one = await api(running.url, 'GET', `${href(mailbox)}/domain/${domain}`);
      expect(one.status).toBe(200);
      expect(one.body).toMatchObject({ aps: { id: domain }, name: 'read.example' });
      const notLinked = await api(running.url, 'GET', `${href(mailbox)}/domain/${other}`);
      expect(notLinked.status).toBe(404);
      expect(endpoint.requests.some((r) => r.method === 'GET')).toBe(false);
    });
  });

  describe('refusals: a clear 4xx naming the field, nothing stored, the endpoint not called', () => {
    let domain: string;
    let mailbox: string;
    let before: number;

    beforeAll(async () => {
      domain = await create(DOMAIN_TYPE, { name: 'refuse.example' });
      mailbox = await create(MAILBOX_TYPE, { name: 'kim', domain: { aps: { id: domain } } });
    });
    beforeEach(() => {
      before = endpoint.requests.length;
    });
    afterEach(async () => {
      expect(endpoint.requests.length).toBe(before);
      expect(((await read(mailbox)).domain as { aps: { id: string } }).aps.id).toBe(domain);
      expect(((await read(mailbox)).globals as { aps: { id: string } }).aps.id).toBe(globalsId);
    });

    it('unlinking a required relation: 409 naming the relation', async () => {
      const reply = await api(running.url, 'DELETE', `${href(mailbox)}/globals/${globalsId}`);
      expect(reply.status).toBe(409);
      expect(reply.body.details).toEqual([{ field: 'globals', message: 'is required' }]);
    });

    it('unlinking from the collection side a member whose way back is required: 409 naming that relation', async () => {
      const reply = await api(running.url, 'DELETE', `${href(globalsId)}/mailboxes/${mailbox}`);
      expect(reply.status).toBe(409);
      expect(reply.body.details).toEqual([{ field: 'globals', message: 'is required' }]);
    });

    it('a PUT that leaves a required relation with nothing: 409', async () => {
      const reply = await api(running.url, 'PUT', href(mailbox), { globals: null });
      expect(reply.status).toBe(409);
      expect(reply.body.details).toEqual([{ field: 'globals', message: 'is required' }]);
    });

    it('linking a resource that does not exist: 400 naming aps.id', async () => {
      const reply = await api(running.url, 'POST', `${href(mailbox)}/domain`, { aps: { id: 'no-such-resource' } });
      expect(reply.status).toBe(400);
      expect(reply.body.details).toEqual([{ field: 'aps.id', message: 'names no existing resource' }]);
    });

    it('linking a resource of a type the relation does not accept: 400 naming aps.id', async () => {
      const reply = await api(running.url, 'POST', `${href(mailbox)}/domain`, { aps: { id: mailbox } });
      expect(reply.status).toBe(400);
      expect(reply.body.details[0].field).toBe('aps.id');
      expect(reply.body.message).toContain(DOMAIN_TYPE);
    });

    it('linking twice: 409 naming aps.id', async () => {
      const reply = await api(running.url, 'POST', `${href(mailbox)}/domain`, { aps: { id: domain } });
      expect(reply.status).toBe(409);
      expect(reply.body.details).toEqual([{ field: 'aps.id', message: 'is already linked through domain' }]);
    });

    it('a relation that does not exist: 404 naming the relation', async () => {
      for (const [method, path, body] of [
        ['POST', `${href(mailbox)}/owner`, { aps: { id: domain } }],
        ['DELETE', `${href(mailbox)}/owner/${domain}`, undefined],
        ['GET', `${href(mailbox)}/owner/${domain}`, undefined],
      ] as const) {
        const reply = await api(running.url, method, path, body);
        expect(reply.status).toBe(404);
        expect(reply.body.details[0].field).toBe('relation');
      }
    });

    it('unlinking a resource that is not linked: 404 naming the relation', async () => {
      const reply = await api(running.url, 'DELETE', `${href(mailbox)}/domain/${mailbox}`);
      expect(reply.status).toBe(404);
      expect(reply.body.details[0].field).toBe('domain');
    });

    it('a link body without aps.id provisions a new resource as before (not a link)', async () => {
      const reply = await api(running.url, 'POST', `${href(mailbox)}/domain`, { name: 'x' });
      // A new resource needs its aps.type: the provisioning path's own refusal.
      expect(reply.status).toBe(400);
      expect(reply.body.details).toEqual([{ field: 'aps.type', message: 'is required' }]);
    });
  });
});

/** The Authorization header the controller's own app-secret fetch adds to a call to its URI. */
async function appAuthorization(controller: Controller, url: string): Promise<Record<string, string>> {
  let authorization = '';
  await appSecretFetch(controller, async (_input, init) => {
    authorization = new Headers(init?.headers).get('authorization') ?? '';
    return new Response(null, { status: 204 });
  })(`${url}/aps/2/resources`);
  return { Authorization: authorization };
}
