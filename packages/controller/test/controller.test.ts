/**
 * The embedded controller end to end, over HTTP on 127.0.0.1: resources, tasks, re-polls, reruns,
 * limits and refusals, with the endpoint served in process and on a SQLite file.
 */
import { createEndpoint } from '@apskit/express';
import { Controller, serveController } from '@apskit/controller';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Job, Provisionable, services } from './fixtures/jobs';
import { api, eventually, JOB, PROVISIONABLE, startHarness, type Harness } from './fixtures/harness';

let h: Harness;
const coin = Provisionable.flipCoin;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  Provisionable.flipCoin = coin;
  await h.close();
});
beforeEach(() => {
  Job.fixed = false;
});

const task = (id: string) => api(h.url, 'GET', `/apskit/tasks/${id}`);
const ended = (r: { body: { status: string } }) => ['succeeded', 'failed', 'canceled'].includes(r.body.status);

async function count(): Promise<{ resources: number; tasks: number }> {
  const resources = await api(h.url, 'GET', '/aps/2/resources');
  const tasks = await api(h.url, 'GET', '/apskit/tasks');
  return { resources: resources.body.length, tasks: tasks.body.length };
}

describe('application instance', () => {
  it('is created with its globals resource, provisioned through the endpoint', async () => {
    const instance = await api(h.url, 'GET', '/apskit/instance');
    expect(instance.body.application).toBe('jobs-app');
    const globals = await api(h.url, 'GET', `/aps/2/resources/${instance.body.globalsId}`);
    expect(globals.status).toBe(200);
    expect(globals.body.aps).toMatchObject({
      type: 'http://aps-standard.org/samples/async-provisioning/globals/1.0',
      status: 'aps:ready',
    });
  });

  it('serves the types as their APS schemas', async () => {
    const types = await api(h.url, 'GET', '/aps/2/types');
    expect(types.body.map((t: { name: string }) => t.name)).toEqual(['globals', 'provisionable', 'job']);
    expect(types.body[1].implements).toEqual(['http://aps-standard.org/types/core/resource/1.0']);
  });
});

describe('asynchronous provisioning of the seed provisionable', () => {
  it('answers 202, shows a task, re-polls with "Still provisioning", and ends ready', async () => {
    const flips = [true, true, false]; // heads, heads, tails
    Provisionable.flipCoin = () => flips.shift() ?? false;

    const created = await api(h.url, 'POST', '/aps/2/resources', { aps: { type: PROVISIONABLE } });
    expect(created.status).toBe(202);
    expect(created.body.aps.status).toBe('aps:provisioning');
    const taskId = created.headers.get('apskit-task-id') as string;

    const first = await task(taskId);
    expect(first.body).toMatchObject({
      name: 'Provisioning "provisionable" for APS application jobs-app',
      description: 'Provisioning the resource',
      resourceId: created.body.aps.id,
    });
    expect(['scheduled', 'running', 'succeeded']).toContain(first.body.status);

    const done = await eventually(() => task(taskId), ended);
    expect(done.body.status).toBe('succeeded');
    expect(done.body.attempts).toBe(4); // sync, then three async calls
    expect(done.body.description).toBe('Provisioning the resource');
    expect(done.body.output).toBe('Still provisioning');
    expect(done.body.history.map((e: { kind: string }) => e.kind)).toEqual([
      'created',
      'rescheduled',
      'rescheduled',
      'rescheduled',
      'succeeded',
    ]);
    expect(done.body.history[2].message).toMatch(/^Still provisioning/);

    const resource = await api(h.url, 'GET', `/aps/2/resources/${created.body.aps.id}`);
    expect(resource.body.aps.status).toBe('aps:ready');
    const byResource = await api(h.url, 'GET', `/apskit/tasks?resourceId=${created.body.aps.id}`);
    expect(byResource.body.map((t: { id: string }) => t.id)).toEqual([taskId]);
  });

  it('links a new provisionable to the globals both ways', async () => {
    Provisionable.flipCoin = () => false;
    const created = await api(h.url, 'POST', '/aps/2/resources', { aps: { type: PROVISIONABLE } });
    const instance = await api(h.url, 'GET', '/apskit/instance');
    const linked = await api(h.url, 'GET', `/aps/2/resources/${instance.body.globalsId}/provisionables`);
    expect(linked.body.map((r: { aps: { id: string } }) => r.aps.id)).toContain(created.body.aps.id);
    const back = await api(h.url, 'GET', `/aps/2/resources/${created.body.aps.id}/globals`);
    expect(back.body.map((r: { aps: { id: string } }) => r.aps.id)).toEqual([instance.body.globalsId]);
  });
});

describe('tasks that fail, rerun, and hit the polling limit', () => {
  it('fails a task with the message of the exception provisionAsync throws, keeps the resource, and reruns it', async () => {
    const created = await api(h.url, 'POST', '/aps/2/resources', {
      aps: { type: JOB },
      mode: 'fail-async',
      name: 'j-fail',
    });
    expect(created.status).toBe(202);
    const taskId = created.headers.get('apskit-task-id') as string;
    const failed = await eventually(() => task(taskId), ended);
    expect(failed.body.status).toBe('failed');
    // The endpoint answers 500 with the exception's message (never its stack); the task shows it.
    expect(failed.body.output).toBe('disk full');
    expect((await api(h.url, 'GET', `/aps/2/resources/${created.body.aps.id}`)).body.aps.status).toBe(
      'aps:provisioning',
    );

    Job.fixed = true;
    const rerun = await api(h.url, 'POST', `/apskit/tasks/${taskId}/rerun`);
    expect(rerun.status).toBe(200);
    // The scheduler may have taken it already.
    expect(['scheduled', 'running', 'succeeded']).toContain(rerun.body.status);
    const done = await eventually(
      () => task(taskId),
      (r) => r.body.status === 'succeeded',
    );
    expect(done.body.history.map((e: { kind: string }) => e.kind)).toEqual([
      'created',
      'rescheduled',
      'failed',
      'rerun',
      'succeeded',
    ]);
    const resource = await api(h.url, 'GET', `/aps/2/resources/${created.body.aps.id}`);
    expect(resource.body).toMatchObject({ aps: { status: 'aps:ready' }, stage: 'done' });
  });

  it('fails a task with the ApsError message the endpoint answers', async () => {
    const created = await api(h.url, 'POST', '/aps/2/resources', {
      aps: { type: JOB },
      mode: 'refuse',
      name: 'j-refused',
    });
    // Refused before it was ever accepted: the create fails as the endpoint answered, and nothing is left.
    expect(created.status).toBe(422);
    expect(created.body).toEqual({
      code: 422,
      error: 'UnprocessableEntity',
      message: 'Cannot create job j-refused: quota exceeded',
    });
    const taskId = created.headers.get('apskit-task-id') as string;
    const t = await task(taskId);
    expect(t.body).toMatchObject({ status: 'failed', output: 'Cannot create job j-refused: quota exceeded' });
    expect((await api(h.url, 'GET', `/aps/2/resources/${t.body.resourceId}`)).status).toBe(404);
    const rerun = await api(h.url, 'POST', `/apskit/tasks/${taskId}/rerun`);
    expect(rerun.status).toBe(409);
  });

  it('refuses to rerun a task that has not failed', async () => {
    const created = await api(h.url, 'POST', '/aps/2/resources', { aps: { type: JOB }, mode: 'ok', name: 'j-ok' });
    expect(created.status).toBe(200);
    const [t] = (await api(h.url, 'GET', `/apskit/tasks?resourceId=${created.body.aps.id}`)).body;
    expect(t.status).toBe('succeeded');
    const rerun = await api(h.url, 'POST', `/apskit/tasks/${t.id}/rerun`);
    expect(rerun.status).toBe(409);
    expect(rerun.body.message).toContain('only a failed task can be rerun');
  });

  it('fails a task that still answers 202 past the polling limit', async () => {
    const limited = await startHarness({ maxPollingSeconds: { job: 3 } });
    try {
      const created = await api(limited.url, 'POST', '/aps/2/resources', {
        aps: { type: JOB },
        mode: 'forever',
        name: 'j-forever',
      });
      const taskId = created.headers.get('apskit-task-id') as string;
      const failed = await eventually(() => api(limited.url, 'GET', `/apskit/tasks/${taskId}`), ended);
      expect(failed.body.status).toBe('failed');
      expect(failed.body.output).toBe('Polling limit reached: still not done after 3 s (last message: Still working)');
      // 1 s retries within a 3 s limit: the sync call and at most three async calls (fewer when the
      // machine is busy and a re-poll starts late); then the next would be past the limit.
      expect(failed.body.attempts).toBeGreaterThanOrEqual(2);
      expect(failed.body.attempts).toBeLessThanOrEqual(4);
      const times = failed.body.history.map((e: { at: string }) => Date.parse(e.at));
      expect(times.at(-1) - times[0]).toBeLessThan(3 * 1000 * 0.01 + 1000);
    } finally {
      await limited.close();
    }
  });

  it('cancels a scheduled task, and refuses to cancel an ended one', async () => {
    const created = await api(h.url, 'POST', '/aps/2/resources', {
      aps: { type: JOB },
      mode: 'forever',
      name: 'j-cancel',
    });
    const taskId = created.headers.get('apskit-task-id') as string;
    const scheduled = await eventually(
      () => task(taskId),
      (r) => r.body.status === 'scheduled',
    );
    expect(scheduled.body.nextRunAt).not.toBeNull();
    const canceled = await eventually(
      () => api(h.url, 'POST', `/apskit/tasks/${taskId}/cancel`),
      (r) => r.status === 200, // a re-poll may be running at this instant: try again
    );
    expect(canceled.body.status).toBe('canceled');
    const calls = Job.asyncCalls.get('j-cancel') ?? 0;
    await new Promise((r) => setTimeout(r, 100));
    expect(Job.asyncCalls.get('j-cancel') ?? 0).toBe(calls); // never called again
    expect((await api(h.url, 'POST', `/apskit/tasks/${taskId}/cancel`)).status).toBe(409);
    expect((await api(h.url, 'GET', '/apskit/tasks?status=canceled')).body.map((t: { id: string }) => t.id)).toContain(
      taskId,
    );
  });
});

describe('conflicts, configure and unprovision', () => {
  it('refuses a second operation on a resource whose task is running with 409', async () => {
    const created = await api(h.url, 'POST', '/aps/2/resources', {
      aps: { type: JOB },
      mode: 'forever',
      name: 'j-busy',
    });
    const id = created.body.aps.id;
    const taskId = created.headers.get('apskit-task-id') as string;
    const configure = await api(h.url, 'PUT', `/aps/2/resources/${id}`, { size: 3 });
    expect(configure.status).toBe(409);
    expect(configure.body.error).toBe('Conflict');
    expect(configure.body.message).toContain(taskId);
    const remove = await api(h.url, 'DELETE', `/aps/2/resources/${id}`);
    expect(remove.status).toBe(409);
    expect((await api(h.url, 'GET', `/aps/2/resources/${id}`)).body.size).toBeUndefined();
    await eventually(
      () => api(h.url, 'POST', `/apskit/tasks/${taskId}/cancel`),
      (r) => r.status === 200,
    );
  });

  it('configures a ready resource, refusing changes to read-only properties', async () => {
    const created = await api(h.url, 'POST', '/aps/2/resources', { aps: { type: JOB }, mode: 'ok', name: 'j-conf' });
    const id = created.body.aps.id;
    const configured = await api(h.url, 'PUT', `/aps/2/resources/${id}`, { size: 5 });
    expect(configured.status).toBe(200);
    expect(configured.body).toMatchObject({ aps: { status: 'aps:ready' }, size: 5, name: 'j-conf' });
    const bad = await api(h.url, 'PUT', `/aps/2/resources/${id}`, { size: 0, stage: 'hacked' });
    expect(bad.status).toBe(400);
    expect(bad.body.details).toEqual([
      { field: 'size', message: 'must be >= 1' },
      { field: 'stage', message: 'is read-only: only the application sets it' },
    ]);
    expect((await api(h.url, 'GET', `/aps/2/resources/${id}`)).body.size).toBe(5);
  });

  it('unprovisions with a 202 and then the endpoint’s 204: the resource is gone', async () => {
    const created = await api(h.url, 'POST', '/aps/2/resources', {
      aps: { type: JOB },
      mode: 'slow-unprovision',
      name: 'j-rm',
    });
    const id = created.body.aps.id;
    await eventually(
      () => api(h.url, 'GET', `/aps/2/resources/${id}`),
      (r) => r.body.aps.status === 'aps:ready',
    );
    const removing = await api(h.url, 'DELETE', `/aps/2/resources/${id}`);
    expect(removing.status).toBe(202);
    expect(removing.body.aps.status).toBe('aps:unprovisioning');
    const taskId = removing.headers.get('apskit-task-id') as string;
    const done = await eventually(() => task(taskId), ended);
    expect(done.body).toMatchObject({
      status: 'succeeded',
      name: 'Unprovisioning "job" for APS application jobs-app',
      description: 'Removing job j-rm',
    });
    expect(done.body.history.at(-1).message).toBe('Completed: the endpoint answered HTTP 204');
    expect((await api(h.url, 'GET', `/aps/2/resources/${id}`)).status).toBe(404);
  });

  it('unprovisions at once when the endpoint answers 204 right away', async () => {
    const created = await api(h.url, 'POST', '/aps/2/resources', { aps: { type: JOB }, mode: 'ok', name: 'j-rm-now' });
    const removed = await api(h.url, 'DELETE', `/aps/2/resources/${created.body.aps.id}`);
    expect(removed.status).toBe(204);
    expect((await api(h.url, 'GET', `/aps/2/resources/${created.body.aps.id}`)).status).toBe(404);
  });
});

describe('bad input stores nothing', () => {
  const cases: Array<[string, unknown, number, RegExp]> = [
    ['malformed JSON', '{"aps": {"type": ', 400, /^Malformed JSON body/],
    ['a JSON array', [1, 2], 400, /JSON object/],
    ['no type', { name: 'x' }, 400, /no aps\.type/],
    ['an unknown type', { aps: { type: 'http://nowhere/x/1.0' } }, 400, /^Unknown type "http:\/\/nowhere\/x\/1.0"/],
    ['a missing required property', { aps: { type: JOB }, mode: 'ok' }, 400, /name is required/],
    [
      'wrong types',
      { aps: { type: JOB }, mode: 'sometimes', name: 7, size: 'big' },
      400,
      /mode must be one of.*name must be a string.*size must be an integer/,
    ],
    [
      'an unknown property',
      { aps: { type: JOB }, mode: 'ok', name: 'x', colour: 'red' },
      400,
      /colour is not a declared property/,
    ],
    ['a read-only property', { aps: { type: JOB }, mode: 'ok', name: 'x', stage: 'done' }, 400, /stage is read-only/],
    [
      'a link to no resource',
      { aps: { type: JOB }, mode: 'ok', name: 'x', globals: { aps: { id: 'nope' } } },
      400,
      /globals\.aps\.id names no existing resource/,
    ],
  ];

  it.each(cases)('%s answers a clear 4xx', async (_what, body, status, message) => {
    const before = await count();
    const reply = await api(h.url, 'POST', '/aps/2/resources', body);
    expect(reply.status).toBe(status);
    expect(reply.body.code).toBe(status);
    expect(reply.body.message).toMatch(message);
    expect(await count()).toEqual(before);
  });

  it('names every offending field in details', async () => {
    const reply = await api(h.url, 'POST', '/aps/2/resources', { aps: { type: JOB }, mode: 'sometimes', size: 0 });
    expect(reply.body.details).toEqual(
      expect.arrayContaining([
        { field: 'name', message: 'is required' },
        { field: 'size', message: 'must be >= 1' },
        { field: 'mode', message: expect.stringContaining('must be one of') },
      ]),
    );
  });

  it('answers 404 for an unknown resource or task, and 400 for an unknown task status', async () => {
    expect((await api(h.url, 'GET', '/aps/2/resources/nope')).status).toBe(404);
    expect((await api(h.url, 'PUT', '/aps/2/resources/nope', {})).status).toBe(404);
    expect((await api(h.url, 'DELETE', '/aps/2/resources/nope')).status).toBe(404);
    expect((await api(h.url, 'GET', '/apskit/tasks/nope')).status).toBe(404);
    const status = await api(h.url, 'GET', '/apskit/tasks?status=done');
    expect(status.status).toBe(400);
    expect(status.body.message).toContain('Unknown task status "done"');
  });
});

describe('listing', () => {
  it('lists resources of a type, paged with Range and Content-Range', async () => {
    const all = await api(h.url, 'GET', `/aps/2/resources?type=${encodeURIComponent(JOB)}`);
    expect(all.body.length).toBeGreaterThan(3);
    expect(all.body.every((r: { aps: { type: string } }) => r.aps.type === JOB)).toBe(true);
    expect(all.headers.get('content-range')).toBe(`items 0-${all.body.length - 1}/${all.body.length}`);
    const page = await api(h.url, 'GET', `/aps/2/resources?type=${encodeURIComponent(JOB)}`, undefined, {
      Range: 'items=1-2',
    });
    expect(page.body.map((r: { aps: { id: string } }) => r.aps.id)).toEqual(
      all.body.slice(1, 3).map((r: { aps: { id: string } }) => r.aps.id),
    );
    expect(page.headers.get('content-range')).toBe(`items 1-2/${all.body.length}`);
    expect((await api(h.url, 'GET', '/aps/2/resources', undefined, { Range: 'bytes=0-1' })).status).toBe(400);
  });
});

describe('an endpoint over HTTP', () => {
  it('drives a separately served endpoint, which reads resources back from the controller', async () => {
    const endpoint = await createEndpoint({ services, logger: false }).listen();
    const dir = mkdtempSync(join(tmpdir(), 'apskit-http-'));
    const controller = new Controller({
      app: { name: 'jobs-app', services },
      endpoint: { url: endpoint.url },
      dataDir: dir,
      timeScale: 0.01,
      pollMs: 50,
    });
    const running = await serveController(controller, { port: 0 });
    try {
      const created = await api(running.url, 'POST', '/aps/2/resources', {
        aps: { type: JOB },
        mode: 'fail-async',
        name: 'j-http',
      });
      expect(created.status).toBe(202);
      Job.fixed = true; // the async phase succeeds: it reads the resource from the controller (APS-Controller-URI)
      const taskId = created.headers.get('apskit-task-id') as string;
      const done = await eventually(() => api(running.url, 'GET', `/apskit/tasks/${taskId}`), ended);
      expect(done.body.status).toBe('succeeded');
      const configured = await api(running.url, 'PUT', `/aps/2/resources/${created.body.aps.id}`, { size: 2 });
      expect(configured.body).toMatchObject({ size: 2, stage: 'done', name: 'j-http' });
    } finally {
      await running.close();
      await endpoint.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
