/**
 * Links through a real APSKit endpoint (createEndpoint, served over HTTP on 127.0.0.1): the runtime
 * copes with the links the controller sends as the spec shows them (docs.cloudblue.com/oa/8.2/sdk/
 * api/rest/resources/structure: `aps.link`, `aps.href`, a collection as one link to its members) in
 * provision and configure bodies and in the resources it reads back, and the controller's link and
 * unlink (docs.cloudblue.com/cbc/sdk/20.5/api/rest/resources) reach the app's `<relation>Link` and
 * `<relation>Unlink` hooks with the linked resource.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, serveController, type RunningController } from '@apskit/controller';
import { createEndpoint } from '@apskit/express';
import { api } from './fixtures/harness';
import { app, DOMAIN_TYPE, hookCalls, MAILBOX_TYPE, services } from './fixtures/links-app';

let endpoint: { url: string; close(): Promise<void> };
let running: RunningController;
let controller: Controller;
let dir: string;

beforeAll(async () => {
  endpoint = await createEndpoint({ services, logger: false }).listen();
  dir = mkdtempSync(join(tmpdir(), 'apskit-links-runtime-'));
  controller = new Controller({ app, endpoint: { url: endpoint.url }, dataDir: dir });
  running = await serveController(controller, { port: 0 });
});

afterAll(async () => {
  await running.close();
  await endpoint.close();
  rmSync(dir, { recursive: true, force: true });
});

async function create(type: string, body: Record<string, unknown>): Promise<string> {
  const reply = await api(running.url, 'POST', '/aps/2/resources', { aps: { type }, ...body });
  expect(reply.status).toBe(200);
  return reply.body.aps.id as string;
}

describe('links through an APSKit endpoint', () => {
  it('provisions and configures resources whose bodies carry strong, weak and collection links', async () => {
    const domain = await create(DOMAIN_TYPE, { name: 'rt.example' });
    const mailbox = await create(MAILBOX_TYPE, { name: 'lee', domain: { aps: { id: domain } } });
    const configured = await api(running.url, 'PUT', `/aps/2/resources/${domain}`, { name: 'rt2.example' });
    expect(configured.status).toBe(200);
    const renamed = await api(running.url, 'PUT', `/aps/2/resources/${mailbox}`, { name: 'lee2' });
    expect(renamed.status).toBe(200);
    expect((await api(running.url, 'GET', `/aps/2/resources/${mailbox}`)).body).toMatchObject({
      name: 'lee2',
      domain: { aps: { link: 'weak', id: domain } },
    });
    // The app answered with the links it was sent: they are kept as links, not as properties too.
    const stored = await controller.findResource(mailbox);
    expect(Object.keys(stored?.properties ?? {})).toEqual(['name']);
  });

  it('calls the app’s domainLink and domainUnlink hooks with the linked resource, and stores the changes', async () => {
    const domain = await create(DOMAIN_TYPE, { name: 'hooks.example' });
    const mailbox = await create(MAILBOX_TYPE, { name: 'max' });
    hookCalls.length = 0;

    const linked = await api(running.url, 'POST', `/aps/2/resources/${mailbox}/domain`, { aps: { id: domain } });
    expect(linked.status).toBe(200);
    expect(hookCalls).toEqual([
      [
        'domainLink',
        mailbox,
        expect.objectContaining({ aps: expect.objectContaining({ id: domain }), name: 'hooks.example' }),
      ],
    ]);
    const members = await api(running.url, 'GET', `/aps/2/resources/${domain}/mailboxes`);
    expect(members.body.map((r: { aps: { id: string } }) => r.aps.id)).toEqual([mailbox]);

    const unlinked = await api(running.url, 'DELETE', `/aps/2/resources/${mailbox}/domain/${domain}`);
    expect(unlinked.status).toBe(204);
    expect(hookCalls[1]).toEqual(['domainUnlink', mailbox, { aps: { id: domain, type: DOMAIN_TYPE } }]);
    expect((await api(running.url, 'GET', `/aps/2/resources/${mailbox}`)).body).not.toHaveProperty('domain');
  });
});
