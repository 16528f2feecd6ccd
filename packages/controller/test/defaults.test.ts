/**
 * Declared defaults applied on create (docs.cloudblue.com/cbc/sdk/21.0/api/types/type-definition/
 * properties, attribute `default`): the controller fills what the request leaves out, at every
 * level, before the endpoint is called; the provisioning request the endpoint gets and the stored
 * resource both have them. Over real HTTP: the controller on 127.0.0.1, the endpoint a recording
 * node:http server (see fixtures/recording-endpoint) that answers 204, so that what is stored is what
 * the controller sent, not an echo.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, serveController, type RunningController } from '@apskit/controller';
import { app, SERVER_TYPE } from './fixtures/defaults-app';
import { api } from './fixtures/harness';
import { startRecordingEndpoint, type RecordingEndpoint } from './fixtures/recording-endpoint';

let endpoint: RecordingEndpoint;
let running: RunningController;
let dir: string;

beforeAll(async () => {
  endpoint = await startRecordingEndpoint(['globals']);
  dir = mkdtempSync(join(tmpdir(), 'apskit-defaults-'));
  running = await serveController(new Controller({ app, endpoint: { url: endpoint.url }, dataDir: dir }), { port: 0 });
});

afterAll(async () => {
  await running.close();
  await endpoint.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Creates a server; answers the controller's reply and the provisioning request the endpoint got (if any). */
async function create(body: Record<string, unknown>): Promise<{
  reply: Awaited<ReturnType<typeof api>>;
  sent: Record<string, unknown> | undefined;
}> {
  const before = endpoint.requests.length;
  const reply = await api(running.url, 'POST', '/aps/2/resources', { aps: { type: SERVER_TYPE }, ...body });
  const sent = endpoint.requests.slice(before).find((r) => r.method === 'POST' && r.url === '/servers/');
  return { reply, sent: sent?.body };
}

async function stored(id: string): Promise<Record<string, unknown>> {
  const read = await api(running.url, 'GET', `/aps/2/resources/${id}`);
  expect(read.status).toBe(200);
  return read.body as Record<string, unknown>;
}

describe('defaults on provisioning (type-definition/properties: default)', () => {
  it('fills left-out properties, and fields of structures at any depth, in the endpoint’s body and the stored resource', async () => {
    const { reply, sent } = await create({
      name: 'web',
      limits: { disk: {}, disks: [{}, { sizeGb: 5 }] },
      disks: [{ kind: 'hdd' }],
    });
    expect(reply.status).toBe(200);
    const expected = {
      name: 'web',
      cpuCores: 1,
      region: 'eu',
      state: 'new',
      limits: {
        cpu: 2,
        disk: { sizeGb: 10, kind: 'ssd' },
        disks: [
          { sizeGb: 10, kind: 'ssd' },
          { sizeGb: 5, kind: 'ssd' },
        ],
      },
      disks: [{ sizeGb: 10, kind: 'hdd' }],
    };
    expect(sent).toMatchObject(expected);
    expect(await stored(reply.body.aps.id as string)).toMatchObject(expected);
  });

  it('keeps every value the request gives, an explicit null included', async () => {
    const { reply, sent } = await create({ name: 'db', cpuCores: 4, region: null, limits: { cpu: 8 } });
    expect(reply.status).toBe(200);
    const kept = { cpuCores: 4, region: null, limits: { cpu: 8 } };
    expect(sent).toMatchObject(kept);
    expect(await stored(reply.body.aps.id as string)).toMatchObject(kept);
  });

  it('makes up no structure the request leaves out', async () => {
    const { reply, sent } = await create({ name: 'bare' });
    expect(reply.status).toBe(200);
    expect(sent).not.toHaveProperty('limits');
    expect(sent).not.toHaveProperty('disks');
    expect(await stored(reply.body.aps.id as string)).not.toHaveProperty('limits');
  });

  it('lets a required property with a default be left out (filled before validation)', async () => {
    const { reply, sent } = await create({ name: 'required-default' });
    expect(reply.status).toBe(200);
    expect(sent).toMatchObject({ cpuCores: 1 });
  });

  it('fills a read-only property’s default, and still refuses a client that sets it', async () => {
    const filled = await create({ name: 'ro' });
    expect(filled.sent).toMatchObject({ state: 'new' });
    const refused = await create({ name: 'ro2', state: 'running' });
    expect(refused.reply.status).toBe(400);
    expect(refused.reply.body.details).toContainEqual(expect.objectContaining({ field: 'state' }));
    expect(refused.sent).toBeUndefined();
  });

  it('still refuses a bad body with a 400 naming the field, calling nothing and storing nothing', async () => {
    const total = async (): Promise<string | null> =>
      (await api(running.url, 'GET', `/aps/2/resources?type=${encodeURIComponent(SERVER_TYPE)}`)).headers.get(
        'content-range',
      );
    const before = await total();
    const { reply, sent } = await create({ name: 'bad', cpuCores: 'many', limits: { disks: [{ sizeGb: 'big' }] } });
    expect(reply.status).toBe(400);
    const fields = (reply.body.details as Array<{ field: string }>).map((d) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['cpuCores', 'limits.disks[0].sizeGb']));
    expect(sent).toBeUndefined();
    expect(await total()).toBe(before);
  });

  it('leaves the request’s own body alone: the same request id with the same body is the same request', async () => {
    const headers = { 'APSKit-Request-ID': 'defaults-repeat-1' };
    const body = { aps: { type: SERVER_TYPE }, name: 'once' };
    const first = await api(running.url, 'POST', '/aps/2/resources', body, headers);
    const again = await api(running.url, 'POST', '/aps/2/resources', body, headers);
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.body.aps.id).toBe(first.body.aps.id);
  });
});
