/**
 * Issue 22, F9: app code changes its own resource with saveResource(this) and starts a configure
 * with configureResource(this, changes). This runs the sample of docs/endpoint.md ("Changing its own
 * resource") as it is printed, over HTTP against the embedded controller: start and stop write a
 * read-only state as the app, resize starts a configure task whose configureAsync() finishes it.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ApsType, CoreTypes, Operation, Property, Relation, type Class } from '@apskit/core';
import { saveResource } from '@apskit/express';
import { api, eventually, startHarness, type Harness } from './fixtures/harness';

const ROOT = resolve(__dirname, '../../..');

/** The `// vps.ts` sample of docs/endpoint.md, written where it resolves @apskit/* as the docs' samples do. */
function loadSample(): Class {
  const markdown = readFileSync(join(ROOT, 'docs/endpoint.md'), 'utf8');
  const match = /```ts\n(\/\/ vps\.ts[\s\S]*?)```/.exec(markdown);
  if (!match) throw new Error('docs/endpoint.md has no `// vps.ts` sample');
  const dir = join(ROOT, '.doc-samples-resource-writes');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'vps.ts'), match[1] as string);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a module written by the test
  const { Vps } = require(join(dir, 'vps.ts')) as { Vps: Class };
  return Vps;
}

let h: Harness;
beforeAll(async () => {
  const Vps = loadSample();
  h = await startHarness({ app: { name: 'hosting', services: { vps: Vps } } });
});
afterAll(async () => {
  await h.close();
  rmSync(join(ROOT, '.doc-samples-resource-writes'), { recursive: true, force: true });
});

const VPS = 'http://example.com/hosting/vps/1.0';

it("start and stop write the read-only state as the app: stored, no task, a client's PUT of it still refused", async () => {
  const created = await api(h.url, 'POST', '/aps/2/resources', { aps: { type: VPS }, name: 'web-1' });
  expect(created.body).toMatchObject({ name: 'web-1' });
  expect(created.status).toBe(200);
  const id = created.body.aps.id as string;
  expect(created.body.state).toBe('stopped');

  const started = await api(h.url, 'POST', `/aps/2/resources/${id}/start`);
  expect(started.status).toBe(200);
  expect(started.body).toMatchObject({ name: 'web-1', state: 'running' });
  expect((await api(h.url, 'GET', `/aps/2/resources/${id}`)).body.state).toBe('running');
  const tasks = await api(h.url, 'GET', `/apskit/tasks?resourceId=${id}`);
  expect(tasks.body.map((t: { operation: string }) => t.operation)).toEqual(['provision']);

  const again = await api(h.url, 'POST', `/aps/2/resources/${id}/start`);
  expect(again.status).toBe(409);
  expect(again.body).toMatchObject({ error: 'StateUnchanged', message: 'web-1 is already running' });

  const stopped = await api(h.url, 'POST', `/aps/2/resources/${id}/stop`);
  expect(stopped.body.state).toBe('stopped');
  // A client may not write what only the app writes.
  const byClient = await api(h.url, 'PUT', `/aps/2/resources/${id}`, { state: 'running' });
  expect(byClient.status).toBe(400);
  expect((await api(h.url, 'GET', `/aps/2/resources/${id}`)).body.state).toBe('stopped');
});

it('resize starts a configure from the operation: a task calls configure() then configureAsync()', async () => {
  const created = await api(h.url, 'POST', '/aps/2/resources', { aps: { type: VPS }, name: 'web-2' });
  const id = created.body.aps.id as string;
  const resized = await api(h.url, 'POST', `/aps/2/resources/${id}/resize?size=large`);
  expect(resized.status).toBe(200);
  const taskId = resized.body.taskId as string;
  expect(taskId).toMatch(/^[0-9a-f-]{36}$/);
  const task = await eventually(
    () => api(h.url, 'GET', `/apskit/tasks/${taskId}`),
    (r) => r.body.status === 'succeeded',
  );
  expect(task.body).toMatchObject({ operation: 'configure', resourceId: id });
  const after = (await api(h.url, 'GET', `/aps/2/resources/${id}`)).body;
  expect(after).toMatchObject({ size: 'large', aps: { status: 'aps:ready' } });
});

it('APSKit-App-Write from a client grants nothing: its PUT is a configure, a read-only property still refused', async () => {
  const created = await api(h.url, 'POST', '/aps/2/resources', { aps: { type: VPS }, name: 'web-3' });
  const id = created.body.aps.id as string;
  // From a client the header asks for nothing more than its PUT already is: a configure, read-only refused.
  const byClient = await api(
    h.url,
    'PUT',
    `/aps/2/resources/${id}`,
    { state: 'running' },
    { 'APSKit-App-Write': 'configure' },
  );
  expect(byClient.status).toBe(400);
  expect((await api(h.url, 'GET', `/aps/2/resources/${id}`)).body.state).toBe('stopped');
});

// A resource read with its links (`this.globals` is `{aps: {id, link, href}}`) is saved with them: the
// write keeps the link as it is, and the properties change.
@ApsType({ id: 'http://example.com/writes/globals/1.0', implements: [CoreTypes.application] })
class WritesGlobals {
  @Relation(() => Site, { collection: true }) sites?: Site[];
}
@ApsType({ id: 'http://example.com/writes/site/1.0' })
class Site {
  @Relation(() => WritesGlobals, { required: true }) globals?: WritesGlobals;
  @Property({ readonly: true }) hits?: number;

  @Operation({ verb: 'POST', path: '/hit' })
  async hit(): Promise<Site> {
    this.hits = (this.hits ?? 0) + 1;
    return saveResource(this);
  }
}

it('saveResource(this) of a resource with links keeps them, and counts', async () => {
  const sites = await startHarness({ app: { name: 'sites', services: { globals: WritesGlobals, sites: Site } } });
  try {
    const created = await api(sites.url, 'POST', '/aps/2/resources', {
      aps: { type: 'http://example.com/writes/site/1.0' },
    });
    const id = created.body.aps.id as string;
    await api(sites.url, 'POST', `/aps/2/resources/${id}/hit`);
    const second = await api(sites.url, 'POST', `/aps/2/resources/${id}/hit`);
    expect(second.status).toBe(200);
    expect(second.body.hits).toBe(2);
    const read = (await api(sites.url, 'GET', `/aps/2/resources/${id}`)).body;
    expect(read).toMatchObject({ hits: 2, globals: { aps: { id: expect.any(String) } } });
  } finally {
    await sites.close();
  }
});
