/**
 * Request ids (idempotent submits, correlated errors) and jobs (app code run by the task engine).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore, type JobResult, type TaskJson } from '@apskit/controller';
import { api, eventually, JOB, startHarness, type Harness } from './fixtures/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const ended = (r: { body: { status: string } }) => ['succeeded', 'failed', 'canceled'].includes(r.body.status);

describe('request ids', () => {
  it('records the id on the task; a repeated submit with the same body answers for the same task', async () => {
    const body = { aps: { type: JOB }, mode: 'fail-async', name: 'req-once' };
    const first = await api(h.url, 'POST', '/aps/2/resources', body, { 'APSKit-Request-ID': 'order-1001' });
    expect(first.status).toBe(202);
    expect(first.headers.get('apskit-request-id')).toBe('order-1001');
    const taskId = first.headers.get('apskit-task-id');
    const before = (await api(h.url, 'GET', '/aps/2/resources')).body.length;

    // Keys in another order are the same request.
    const again = await api(
      h.url,
      'POST',
      '/aps/2/resources',
      { name: 'req-once', mode: 'fail-async', aps: { type: JOB } },
      {
        'APSKit-Request-ID': 'order-1001',
      },
    );
    expect([200, 202]).toContain(again.status);
    expect(again.headers.get('apskit-task-id')).toBe(taskId);
    expect(again.body.aps.id).toBe(first.body.aps.id);
    expect((await api(h.url, 'GET', '/aps/2/resources')).body.length).toBe(before);

    const t = await api(h.url, 'GET', `/apskit/tasks/${taskId}`);
    expect(t.body.requestId).toBe('order-1001');
  });

  it('refuses the same id with another body, naming the id and the first task', async () => {
    const first = await api(
      h.url,
      'POST',
      '/aps/2/resources',
      { aps: { type: JOB }, mode: 'ok', name: 'req-a' },
      { 'APSKit-Request-ID': 'order-2002' },
    );
    expect(first.status).toBe(200);
    const other = await api(
      h.url,
      'POST',
      '/aps/2/resources',
      { aps: { type: JOB }, mode: 'ok', name: 'req-b' },
      { 'APSKit-Request-ID': 'order-2002' },
    );
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({ code: 409, error: 'Conflict', requestId: 'order-2002' });
    expect(other.body.message).toContain('Request id order-2002 was already used for another request');
    expect(other.headers.get('apskit-request-id')).toBe('order-2002');
  });

  it('names the request id in errors, a validation failure included', async () => {
    const bad = await api(
      h.url,
      'POST',
      '/aps/2/resources',
      { aps: { type: JOB }, mode: 'ok' },
      { 'APSKit-Request-ID': 'order-3003' },
    );
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({
      code: 400,
      requestId: 'order-3003',
      details: [{ field: 'name', message: 'is required' }],
    });
    const refused = await api(
      h.url,
      'POST',
      '/aps/2/resources',
      { aps: { type: JOB }, mode: 'refuse', name: 'req-refused' },
      { 'APSKit-Request-ID': 'order-3004' },
    );
    expect(refused.status).toBe(422);
    expect(refused.headers.get('apskit-request-id')).toBe('order-3004');
    // A repeat of a refused create gets the same refusal, and creates nothing.
    const repeat = await api(
      h.url,
      'POST',
      '/aps/2/resources',
      { aps: { type: JOB }, mode: 'refuse', name: 'req-refused' },
      { 'APSKit-Request-ID': 'order-3004' },
    );
    expect(repeat.status).toBe(422);
    expect(repeat.headers.get('apskit-task-id')).toBe(refused.headers.get('apskit-task-id'));
  });

  it('makes unprovision idempotent too, after the resource is gone', async () => {
    const created = await api(h.url, 'POST', '/aps/2/resources', { aps: { type: JOB }, mode: 'ok', name: 'req-rm' });
    const id = created.body.aps.id;
    const first = await api(h.url, 'DELETE', `/aps/2/resources/${id}`, undefined, { 'APSKit-Request-ID': 'rm-1' });
    expect(first.status).toBe(204);
    const again = await api(h.url, 'DELETE', `/aps/2/resources/${id}`, undefined, { 'APSKit-Request-ID': 'rm-1' });
    expect(again.status).toBe(204);
    expect(again.headers.get('apskit-task-id')).toBe(first.headers.get('apskit-task-id'));
    const other = await api(h.url, 'DELETE', `/aps/2/resources/${id}`, undefined, { 'APSKit-Request-ID': 'rm-2' });
    expect(other.status).toBe(404);
  });

  it('refuses a malformed request id', async () => {
    const bad = await api(
      h.url,
      'POST',
      '/aps/2/resources',
      { aps: { type: JOB }, mode: 'ok', name: 'x' },
      { 'APSKit-Request-ID': 'x'.repeat(201) },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('APSKit-Request-ID');
  });
});

describe('jobs', () => {
  it('runs a job through the task engine: scheduled, retried, succeeded, with history', async () => {
    const runs: number[] = [];
    h.running.controller.defineJob<{ to: string }>('test.greet', {
      name: (p) => `Greeting ${p.to}`,
      run: async ({ attempt, payload }): Promise<JobResult> => {
        runs.push(attempt);
        return attempt < 2
          ? { status: 'retry', afterSeconds: 1, output: `Waiting for ${payload.to}` }
          : { status: 'succeeded', output: 'Greeted' };
      },
    });
    const { task, created } = await h.running.controller.enqueueJob('test.greet', {
      subjectId: 'greeting-1',
      payload: { to: 'Ada' },
      requestId: 'greet-1',
    });
    expect(created).toBe(true);
    expect(task).toMatchObject({
      name: 'Greeting Ada',
      resourceId: 'greeting-1',
      requestId: 'greet-1',
      operation: 'test.greet',
    });

    const again = await h.running.controller.enqueueJob('test.greet', {
      subjectId: 'greeting-1',
      payload: { to: 'Ada' },
      requestId: 'greet-1',
    });
    expect(again).toMatchObject({ created: false, task: { id: task.id } });

    const done = await eventually(() => api(h.url, 'GET', `/apskit/tasks/${task.id}`), ended);
    expect(done.body).toMatchObject({
      status: 'succeeded',
      output: 'Greeted',
      description: 'Waiting for Ada',
      attempts: 2,
    });
    expect(done.body.history.map((e: { kind: string }) => e.kind)).toEqual(['created', 'rescheduled', 'succeeded']);
    expect(runs).toEqual([1, 2]);
  });

  it('retries a job that throws, fails it at its limit with the message, and reruns it', async () => {
    let broken = true;
    h.running.controller.defineJob('test.flaky', {
      name: () => 'Flaky job',
      maxPollingSeconds: 5,
      run: async () => {
        if (broken) throw new Error('service unavailable');
        return { status: 'succeeded' };
      },
    });
    const { task } = await h.running.controller.enqueueJob('test.flaky', { subjectId: 'flaky-1', payload: {} });
    const failed = await eventually(() => api(h.url, 'GET', `/apskit/tasks/${task.id}`), ended);
    expect(failed.body.status).toBe('failed');
    expect(failed.body.output).toMatch(/^Gave up after \d+ runs: service unavailable$/);
    expect(failed.body.attempts).toBeGreaterThan(1);

    broken = false;
    expect((await api(h.url, 'POST', `/apskit/tasks/${task.id}/rerun`)).status).toBe(200);
    const done = await eventually(() => api(h.url, 'GET', `/apskit/tasks/${task.id}`), ended);
    expect(done.body.status).toBe('succeeded');
  });

  it('tells listeners about every task change', async () => {
    const seen: TaskJson[] = [];
    const listener = (t: TaskJson) => seen.push(t);
    h.running.controller.events.on('task', listener);
    try {
      h.running.controller.defineJob('test.quick', {
        name: () => 'Quick',
        run: async () => ({ status: 'succeeded', output: 'ok' }),
      });
      const { task } = await h.running.controller.enqueueJob('test.quick', { subjectId: 'q', payload: null });
      await eventually(
        async () => seen.filter((t) => t.id === task.id).map((t) => t.status),
        (s) => s.includes('succeeded'),
      );
      expect(seen.filter((t) => t.id === task.id).map((t) => t.status)).toEqual(['scheduled', 'succeeded']);
    } finally {
      h.running.controller.events.off('task', listener);
    }
  });
});

describe('SQLite migrations', () => {
  it('brings a file of the first schema up to date, keeping its tasks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'apskit-migrate-'));
    try {
      const file = join(dir, 'old.sqlite');
      const old = new Database(file);
      old.exec(`CREATE TABLE tasks (
        id TEXT PRIMARY KEY, resource_id TEXT NOT NULL, operation TEXT NOT NULL, name TEXT NOT NULL,
        description TEXT NOT NULL, output TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL,
        next_run_at INTEGER, deadline_at INTEGER, phase TEXT NOT NULL, request TEXT NOT NULL,
        created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, ended_at INTEGER, lease_owner TEXT, lease_until INTEGER)`);
      old
        .prepare(
          `INSERT INTO tasks VALUES ('t1', 'r1', 'provision', 'old task', '', '', 'succeeded', 1, NULL, NULL, 'sync', '{"method":"POST","path":"/x/"}', 0, 0, 0, NULL, NULL)`,
        )
        .run();
      old.close();
      const store = new SqliteStore(file);
      await store.init();
      expect(await store.getTask('t1')).toMatchObject({ name: 'old task', requestId: null, requestHash: null });
      await store.close();
      const check = new Database(file, { readonly: true });
      expect(check.pragma('user_version', { simple: true })).toBe(5);
      check.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
