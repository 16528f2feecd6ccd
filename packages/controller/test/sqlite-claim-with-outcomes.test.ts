/**
 * Issue 23: on the SQLite store the tasks that fill the slots a batch of outcomes frees are claimed
 * in the batch's own commit (completeAttemptsAndClaim). What a user would notice if that went wrong:
 * more endpoint calls at once than the controller's concurrency, a task polled twice at once, or an
 * outcome lost with its claim.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Accepted, ApsType, CoreTypes, Property } from '@apskit/core';
import { Controller, SqliteStore } from '@apskit/controller';
import type { TaskRecord } from '@apskit/store';

const TYPE = 'http://apskit.dev/test/slow-tick/1.0';
const POLLS = 4;
let calling = 0;
let mostAtOnce = 0;
const callingTasks = new Set<string>();
let twiceAtOnce = 0;
let finished = 0;

@ApsType({ name: 'slowTick', id: TYPE, implements: [CoreTypes.resource] })
class SlowTick {
  @Property({ type: 'integer', readonly: true })
  polls?: number;

  @Property({ type: 'string', readonly: true })
  name?: string;

  async provisionAsync(): Promise<void> {
    calling++;
    mostAtOnce = Math.max(mostAtOnce, calling);
    const key = this.name ?? '';
    if (callingTasks.has(key)) twiceAtOnce++;
    callingTasks.add(key);
    // Calls that end at different times, so that outcomes are committed in batches of all sizes.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 4));
    callingTasks.delete(key);
    calling--;
    this.polls = (this.polls ?? 0) + 1;
    if (this.polls < POLLS) throw new Accepted(this, `poll ${this.polls}`, 0);
    finished++;
  }
}

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'apskit-claims-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('claims made with outcomes keep the concurrency, run each task once at a time, and lose no outcome', async () => {
  const store = new SqliteStore(join(dir, 'apskit.sqlite'));
  await store.init();
  const tasks = 300;
  for (let i = 0; i < tasks; i++) {
    const id = randomUUID();
    const task: TaskRecord = {
      id: randomUUID(),
      resourceId: id,
      requestId: null,
      requestHash: null,
      operation: 'provision',
      name: 'Provisioning',
      description: 'queued',
      output: 'queued',
      status: 'scheduled',
      attempts: 1,
      nextRunAt: 0,
      deadlineAt: null,
      phase: 'async',
      request: { method: 'POST', path: '/ticks/' },
      createdAt: 0,
      updatedAt: 0,
      endedAt: null,
      leaseOwner: null,
      leaseUntil: null,
    };
    await store.createResourceWithTask(
      { id, type: TYPE, status: 'aps:provisioning', revision: 1, modified: 0, properties: { polls: 0, name: id } },
      task,
      { taskId: task.id, at: 0, kind: 'created', message: 'created', attempt: 0 },
      [],
    );
  }
  const controller = new Controller({
    app: { name: 'claims', services: { ticks: SlowTick } },
    store,
    concurrency: 5,
    timeScale: 0.001,
    pollMs: 50,
  });
  await controller.start();
  const deadline = Date.now() + 20_000;
  while (finished < tasks && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  await controller.stop();

  expect(finished).toBe(tasks);
  expect(mostAtOnce).toBeLessThanOrEqual(5);
  expect(mostAtOnce).toBe(5);
  expect(twiceAtOnce).toBe(0);

  const reopened = new SqliteStore(join(dir, 'apskit.sqlite'));
  await reopened.init();
  expect(await reopened.countTasks({ status: 'succeeded' })).toBe(tasks);
  const [one] = await reopened.listTasks({ limit: 1 });
  // Every attempt's outcome is in the history: created, 3 rescheduled, succeeded.
  expect((await reopened.taskEvents(one.id)).map((e) => e.kind)).toEqual([
    'created',
    'rescheduled',
    'rescheduled',
    'rescheduled',
    'succeeded',
  ]);
  await reopened.close();
});
