/**
 * Issue 23: on a SQLite file the scheduler's writes (outcomes, claims) go through a second connection
 * on a thread of its own. What a user would notice if that went wrong: outcomes not on disk when the
 * store says they are, a store that stops writing when the thread dies, or the thread used where it
 * was turned off.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { SqliteStore } from '@apskit/controller';
import { exampleEvent, exampleResource, exampleTask } from '@apskit/store/testing';

const TYPE = 'http://apskit.dev/test/writer/1.0';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'apskit-writer-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function seed(store: SqliteStore, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const resourceId = randomUUID();
    const task = exampleTask(randomUUID(), resourceId, { attempts: 1, nextRunAt: 0 });
    await store.createResourceWithTask(
      { ...exampleResource(resourceId, { n: i }), type: TYPE },
      task,
      exampleEvent(task.id, 'created'),
      [],
    );
  }
}

/** Claims every due task, then ends them all with one batch of outcomes. */
async function runAll(store: SqliteStore, n: number): Promise<boolean[]> {
  const claimed = await store.claimDueTasks(1, n, 'me', 60_000);
  expect(claimed).toHaveLength(n);
  return store.completeAttempts(
    'me',
    claimed.map((task) => ({
      task: {
        ...task,
        status: 'succeeded',
        output: 'done',
        endedAt: 2,
        updatedAt: 2,
        leaseOwner: null,
        leaseUntil: null,
      },
      event: { taskId: task.id, at: 2, kind: 'succeeded', message: 'done', attempt: task.attempts },
      resource: {
        id: task.resourceId,
        type: TYPE,
        status: 'aps:ready',
        revision: 2,
        modified: 2,
        properties: { done: true },
      },
    })),
  );
}

test('a store on a file writes outcomes on its thread, and they are in the file once it says so', async () => {
  const file = join(dir, 'apskit.sqlite');
  const store = new SqliteStore(file);
  await store.init();
  expect(store.writesOffEventLoop).toBe(true);
  await seed(store, 20);
  expect(await runAll(store, 20)).toEqual(Array(20).fill(true));
  // Read through another connection, without closing the store: the outcomes are committed.
  const other = new SqliteStore(file, { writerThread: false });
  await other.init();
  expect(await other.countTasks({ status: 'succeeded' })).toBe(20);
  const [task] = await other.listTasks({ limit: 1 });
  expect(await other.getResource(task.resourceId)).toMatchObject({ status: 'aps:ready', properties: { done: true } });
  await other.close();
  await store.close();
});

test('turned off, or in memory, the store writes on its own connection', async () => {
  const off = new SqliteStore(join(dir, 'off.sqlite'), { writerThread: false });
  await off.init();
  expect(off.writesOffEventLoop).toBe(false);
  await seed(off, 3);
  expect(await runAll(off, 3)).toEqual([true, true, true]);
  await off.close();

  const memory = new SqliteStore(':memory:');
  await memory.init();
  expect(memory.writesOffEventLoop).toBe(false);
  await memory.close();
});

test('if the thread dies, the write under way fails and the next ones are made on the store’s connection', async () => {
  const store = new SqliteStore(join(dir, 'apskit.sqlite'));
  await store.init();
  await seed(store, 4);
  // What the thread's death looks like from outside: its worker ends.
  const writer = (store as unknown as { writer: { worker: { terminate(): Promise<number> } } }).writer;
  await writer.worker.terminate();
  await new Promise((resolve) => setImmediate(resolve)); // its exit event
  expect(store.writesOffEventLoop).toBe(false);
  expect(await runAll(store, 4)).toEqual([true, true, true, true]);
  expect(await store.countTasks({ status: 'succeeded' })).toBe(4);
  await store.close();
});
