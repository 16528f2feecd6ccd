/**
 * Health, readiness, metrics, and a graceful stop on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import express from 'express';
import { Controller } from '@apskit/controller';
import { healthApi } from '../src/api/health';
import { api, eventually, JOB, startHarness, type Harness } from './fixtures/harness';
import { services } from './fixtures/jobs';

jest.setTimeout(60_000);

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

it('answers liveness and readiness', async () => {
  expect(await api(h.url, 'GET', '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
  expect(await api(h.url, 'GET', '/readyz')).toMatchObject({ status: 200, body: { status: 'ready' } });
});

it('is not ready before its controller has started', async () => {
  const app = express().use(
    healthApi(new Controller({ app: { name: 'x', services }, dataDir: mkdtempSync(join(tmpdir(), 'apskit-ready-')) })),
  );
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  try {
    const port = (server.address() as { port: number }).port;
    const res = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(res.status).toBe(503);
  } finally {
    server.close();
  }
});

it('serves Prometheus metrics: requests, task outcomes, queue depth, lateness', async () => {
  const created = await api(h.url, 'POST', '/aps/2/resources', { aps: { type: JOB }, mode: 'fail-async', name: 'm-1' });
  expect(created.status).toBe(202);
  await eventually(
    () => api(h.url, 'GET', `/apskit/tasks/${created.headers.get('apskit-task-id')}`),
    (r) => r.body.status === 'failed',
  );
  const res = await fetch(`${h.url}/metrics`);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  const text = await res.text();
  expect(text).toMatch(/^apskit_http_requests_total\{method="POST",status="202"\} [1-9]\d*$/m);
  expect(text).toMatch(/^apskit_task_outcomes_total\{operation="provision",outcome="rescheduled"\} [1-9]\d*$/m);
  expect(text).toMatch(/^apskit_task_outcomes_total\{operation="provision",outcome="failed"\} [1-9]\d*$/m);
  expect(text).toMatch(/^apskit_tasks\{status="scheduled"\} \d+$/m);
  expect(text).toMatch(/^apskit_task_lateness_seconds_count [1-9]\d*$/m);
  expect(text).toMatch(/^apskit_process_resident_memory_bytes \d+/m);
});

it('stops gracefully on SIGTERM: the request under way finishes, and no task is left running', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'apskit-shutdown-'));
  try {
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', join(__dirname, 'fixtures/shutdown-app.ts'), dir],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, TS_NODE_FILES: 'false' },
      },
    );
    const lines = createInterface({ input: child.stdout! });
    const seen: string[] = [];
    lines.on('line', (l) => seen.push(l));
    const port = await eventually(
      async () => seen.find((l) => l.startsWith('port ')),
      (l) => l !== undefined,
      30_000,
    );
    const url = `http://127.0.0.1:${(port as string).slice(5)}`;
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await api(url, 'POST', '/aps/2/resources', { aps: { type: 'http://apskit.test/shutdown/slow/1.0' } });
      ids.push(r.body.aps.id);
    }
    await new Promise((r) => setTimeout(r, 200)); // re-polls under way
    const slow = api(url, 'GET', `/aps/2/resources/${ids[0]}/slowly`);
    await new Promise((r) => setTimeout(r, 100));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');

    const answered = await slow;
    expect(answered).toMatchObject({ status: 200, body: { done: true } });
    expect(await exited).toBe(0);
    expect(seen).toContain('stopped');

    const db = new Database(join(dir, 'apskit.sqlite'), { readonly: true });
    const statuses = db.prepare('SELECT status, COUNT(*) AS n FROM tasks GROUP BY status').all() as Array<{
      status: string;
      n: number;
    }>;
    db.close();
    expect(statuses.find((s) => s.status === 'running')).toBeUndefined();
    expect(statuses.reduce((sum, s) => sum + s.n, 0)).toBe(10);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
