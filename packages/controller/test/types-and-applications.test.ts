/**
 * The types library and the applications collection as the APS controller serves them, over real
 * HTTP, with the endpoint a recording node:http server (fixtures/recording-endpoint):
 * - docs.cloudblue.com/cbc/sdk/21.0/api/rest/controller/types: `/aps/2/types` items with `aps.id`
 *   and `aps.href` beside the schema's `id`, paged with `Content-Range`, selected by RQL
 *   (docs.cloudblue.com/cbc/sdk/21.0/api/rest/rql); `GET /aps/2/types/{aps.id}`;
 * - docs.cloudblue.com/cbc/sdk/21.0/api/rest/application/instance-operations: `GET /aps/2/applications`,
 *   `GET /aps/2/applications/{instance-id}`, and `POST /aps/2/applications/{instance-id}/{service}/`,
 *   which registers a resource the application created, without a provisioning call.
 */
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreTypes } from '@apskit/core';
import { Controller, serveController, type RunningController } from '@apskit/controller';
import { app, GLOBALS_TYPE, SERVER_TYPE } from './fixtures/defaults-app';
import { api } from './fixtures/harness';
import { startRecordingEndpoint, type RecordingEndpoint } from './fixtures/recording-endpoint';

let endpoint: RecordingEndpoint;
let running: RunningController;
let dir: string;
let instanceId: string;
let globalsId: string;

beforeAll(async () => {
  endpoint = await startRecordingEndpoint(['globals']);
  dir = mkdtempSync(join(tmpdir(), 'apskit-types-apps-'));
  running = await serveController(new Controller({ app, endpoint: { url: endpoint.url }, dataDir: dir }), { port: 0 });
  const instance = await api(running.url, 'GET', '/apskit/instance');
  instanceId = instance.body.id as string;
  globalsId = instance.body.globalsId as string;
});

afterAll(async () => {
  await running.close();
  await endpoint.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A GET with the path sent as written (fetch would normalize it). */
function rawGet(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const url = new URL(running.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, method: 'GET', path }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('/aps/2/types (rest/controller/types)', () => {
  it('lists every served type with aps.id and aps.href beside its type id, with Content-Range', async () => {
    const list = await api(running.url, 'GET', '/aps/2/types');
    expect(list.status).toBe(200);
    expect(list.headers.get('content-range')).toBe('items 0-1/2');
    const items = list.body as Array<{ aps: { id: string; href: string }; id: string; name: string }>;
    expect(items.map((t) => t.id).sort()).toEqual([GLOBALS_TYPE, SERVER_TYPE]);
    for (const t of items) {
      expect(Object.keys(t)[0]).toBe('aps');
      // This controller's APS ID of a type is its type ID; the href has it percent-encoded.
      expect(t.aps).toEqual({ id: t.id, href: `/aps/2/types/${encodeURIComponent(t.id)}` });
      expect(t).toMatchObject({ apsVersion: '2.0', implements: expect.any(Array) });
    }
  });

  it('pages the list with Range', async () => {
    const page = await api(running.url, 'GET', '/aps/2/types', undefined, { Range: 'items=1-5' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-range')).toBe('items 1-1/2');
    expect(page.body).toHaveLength(1);
    const past = await api(running.url, 'GET', '/aps/2/types', undefined, { Range: 'items=7-9' });
    expect(past.headers.get('content-range')).toBe('items */2');
    expect(past.body).toEqual([]);
  });

  it('answers one type at its aps.href', async () => {
    const list = await api(running.url, 'GET', '/aps/2/types');
    const server = (list.body as Array<{ id: string; aps: { href: string } }>).find((t) => t.id === SERVER_TYPE);
    const one = await api(running.url, 'GET', server?.aps.href as string);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(server);
    expect(one.body).toMatchObject({ name: 'server', properties: { cpuCores: { default: 1 } } });
  });

  it.each([
    ['encodeURIComponent', encodeURIComponent(SERVER_TYPE)],
    ['only the slashes encoded', SERVER_TYPE.replace(/\//g, '%2F')],
    ['lower-case escapes', encodeURIComponent(SERVER_TYPE).replace(/%2F/g, '%2f').replace(/%3A/g, '%3a')],
    ['slashes left as they are', SERVER_TYPE],
  ])('also finds a type by its type id in the path (%s)', async (_how, segment) => {
    const one = await rawGet(`/aps/2/types/${segment}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: SERVER_TYPE, aps: { href: expect.stringMatching(/^\/aps\/2\/types\//) } });
  });

  const names = (body: unknown): string[] => (body as Array<{ name: string }>).map((t) => t.name);

  it.each<[string, string, string[]]>([
    [
      'implementing() the core application type',
      `implementing(${encodeURIComponent(CoreTypes.application)})`,
      ['globals'],
    ],
    [
      'implementing() the core resource type: every type',
      `implementing(${encodeURIComponent(CoreTypes.resource)})`,
      ['globals', 'server'],
    ],
    ['eq() on the name', 'eq(name,server)', ['server']],
    ['the id= form the spec shows, unencoded', `id=${SERVER_TYPE}`, ['server']],
    ['not()', 'not(eq(name,server))', ['globals']],
    ['sort()', 'sort(-name)', ['server', 'globals']],
    ['like()', 'like(name,glo*)', ['globals']],
  ])('selects types with RQL: %s', async (_what, rql, expected) => {
    const list = await api(running.url, 'GET', `/aps/2/types?${rql}`);
    expect(list.status).toBe(200);
    expect(names(list.body)).toEqual(expected);
    expect(list.headers.get('content-range')).toBe(`items 0-${expected.length - 1}/${expected.length}`);
  });

  it('pages with limit(start,count), which wins over Range', async () => {
    const list = await api(running.url, 'GET', '/aps/2/types?sort(+name),limit(1,1)', undefined, {
      Range: 'items=0-0',
    });
    expect(list.status).toBe(200);
    expect(names(list.body)).toEqual(['server']);
    expect(list.headers.get('content-range')).toBe('items 1-1/2');
  });

  it.each([
    ['malformed RQL', 'eq(name,server'],
    ['an unknown property', 'eq(colour,red)'],
    ['select(), which types cannot answer', 'select(servers)'],
  ])('answers 400 naming the position for %s', async (_what, rql) => {
    const list = await api(running.url, 'GET', `/aps/2/types?${rql}`);
    expect(list.status).toBe(400);
    expect(list.body.details).toContainEqual(expect.objectContaining({ field: 'rql', position: expect.any(Number) }));
  });

  it('answers 404 with an APS error for a type it does not serve', async () => {
    for (const path of [
      '/aps/2/types/117',
      `/aps/2/types/${encodeURIComponent(`${SERVER_TYPE}x`)}`,
      `/aps/2/types/${encodeURIComponent(CoreTypes.resource)}`,
    ]) {
      const missing = await rawGet(path);
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ code: 404, message: expect.stringContaining('No type') });
    }
  });
});

describe('/aps/2/applications (rest/application/instance-operations)', () => {
  const expectedInstance = (): Record<string, unknown> => ({
    aps: { id: instanceId, href: `/aps/2/applications/${instanceId}`, status: 'aps:ready' },
    application: { id: app.id, name: app.name, version: app.version, release: app.release },
    url: endpoint.url,
    globals: { aps: { link: 'strong', id: globalsId, href: `/aps/2/resources/${globalsId}` } },
  });

  it('lists the one instance this controller runs, paged like any list', async () => {
    const list = await api(running.url, 'GET', '/aps/2/applications');
    expect(list.status).toBe(200);
    expect(list.headers.get('content-range')).toBe('items 0-0/1');
    expect(list.body).toEqual([expectedInstance()]);
  });

  it('describes the instance at its href, and 404s another instance id', async () => {
    const one = await api(running.url, 'GET', `/aps/2/applications/${instanceId}`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(expectedInstance());
    const other = await api(running.url, 'GET', '/aps/2/applications/00000000-0000-4000-8000-000000000000');
    expect(other.status).toBe(404);
    expect(other.body).toMatchObject({ code: 404 });
  });
});

describe('POST /aps/2/applications/{instance-id}/{service}/: a resource the application created', () => {
  const register = (body: unknown, instance = instanceId, service = 'servers'): ReturnType<typeof api> =>
    api(running.url, 'POST', `/aps/2/applications/${instance}/${service}/`, body);

  const serverCount = async (): Promise<string | null> =>
    (await api(running.url, 'GET', `/aps/2/resources?type=${encodeURIComponent(SERVER_TYPE)}`)).headers.get(
      'content-range',
    );

  it('stores it ready, with its defaults and its link to the globals, calling nothing on the endpoint', async () => {
    const before = endpoint.requests.length;
    const reply = await register({ name: 'imported', state: 'running', limits: { disk: {} } });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      aps: { type: SERVER_TYPE, status: 'aps:ready', revision: 1 },
      name: 'imported',
      // The application sets read-only properties: it is who does.
      state: 'running',
      cpuCores: 1,
      region: 'eu',
      limits: { cpu: 2, disk: { sizeGb: 10, kind: 'ssd' } },
      globals: { aps: { link: 'strong', id: globalsId } },
    });
    expect(endpoint.requests.slice(before)).toEqual([]);

    const id = reply.body.aps.id as string;
    const read = await api(running.url, 'GET', `/aps/2/resources/${id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(reply.body);
    // The way back: the globals' collection lists it.
    const members = await api(running.url, 'GET', `/aps/2/resources/${globalsId}/servers`);
    expect((members.body as Array<{ aps: { id: string } }>).map((m) => m.aps.id)).toContain(id);
  });

  it('links what its body names, as a create does, and refuses a link to a resource of another type', async () => {
    const named = await register({ name: 'named-link', globals: { aps: { id: globalsId } } });
    expect(named.status).toBe(200);
    expect(named.body.globals).toEqual({
      aps: { link: 'strong', id: globalsId, href: `/aps/2/resources/${globalsId}` },
    });
    const before = await serverCount();
    const wrong = await register({ name: 'wrong-link', globals: { aps: { id: named.body.aps.id } } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.details).toContainEqual(expect.objectContaining({ field: 'globals.aps.id' }));
    expect(await serverCount()).toBe(before);
  });

  it('takes aps.type when it names the service’s type, by id or name', async () => {
    for (const type of [SERVER_TYPE, 'server']) {
      const reply = await register({ aps: { type }, name: `typed-${type}` });
      expect(reply.status).toBe(200);
    }
  });

  it.each<[string, unknown, string]>([
    ['a property of the wrong type', { name: 'x', cpuCores: 'many' }, 'cpuCores'],
    ['a required property left out', { region: 'us' }, 'name'],
    ['a nested field of the wrong type', { name: 'x', disks: [{ sizeGb: 'big' }] }, 'disks[0].sizeGb'],
    ['an undeclared property', { name: 'x', colour: 'red' }, 'colour'],
    ['a link to no resource', { name: 'x', globals: { aps: { id: 'no-such-resource' } } }, 'globals.aps.id'],
    ['another type in aps.type', { aps: { type: GLOBALS_TYPE }, name: 'x' }, 'aps.type'],
    ['an aps.id of its own', { aps: { id: '7c9e6679-7425-40de-944b-e07fc1f90ae7' }, name: 'x' }, 'aps.id'],
  ])('refuses %s with a 400 naming the field, storing nothing', async (_what, body, field) => {
    const before = await serverCount();
    const reply = await register(body);
    expect(reply.status).toBe(400);
    expect(reply.body.details).toContainEqual(expect.objectContaining({ field }));
    expect(await serverCount()).toBe(before);
  });

  it('refuses a body that is not an object', async () => {
    const reply = await register([{ name: 'x' }]);
    expect(reply.status).toBe(400);
  });

  it('answers 404 for another instance id or a service the application does not have, storing nothing', async () => {
    const before = await serverCount();
    const otherInstance = await register({ name: 'x' }, '00000000-0000-4000-8000-000000000000');
    expect(otherInstance.status).toBe(404);
    const noService = await register({ name: 'x' }, instanceId, 'mailboxes');
    expect(noService.status).toBe(404);
    expect(noService.body.message).toContain('servers');
    expect(await serverCount()).toBe(before);
  });
});
