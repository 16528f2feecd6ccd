/**
 * The SQLite store's own share of a re-poll, without the controller: 10,000 scheduled tasks, then
 * batches of 16 attempt outcomes committed with the claim of the next 16 (`completeAttemptsAndClaim`,
 * what the scheduler's group commit sends), until 30,000 re-polls. Prints one JSON line per setting:
 * wall and CPU time per re-poll, and WAL pages written per commit (the automatic and threaded
 * checkpoints off for the count).
 *
 *   npx ts-node -T bench/scheduler/store-floor.ts [full|normal] [v7|v4]
 *
 * `v4` gives the tasks random ids (as before task ids were UUIDv7), `v7` time-ordered ones. The
 * memory store's whole re-poll (controller included) is bench:scheduler's memory capacity: the store
 * alone taking more than that per re-poll on the event loop bounds SQLite's ratio to memory.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { TaskEventKind, TaskStatus } from '@apskit/core';
import { SqliteStore } from '@apskit/controller';
import type { AttemptOutcome, TaskRecord } from '@apskit/store';
import { exampleEvent, exampleResource, exampleTask } from '@apskit/store/testing';

const durability = process.argv[2] === 'normal' ? 'normal' : 'full';
const ids = process.argv[3] === 'v4' ? 'v4' : 'v7';
const TASKS = 10_000;
const BATCH = 16;
const ROUNDS = 30_000 / BATCH;
const TYPE = 'http://apskit.dev/bench/tick/1.0';
/** SQLite's WAL frame: a 24-byte header and a 4,096-byte page. */
const FRAME_BYTES = 24 + 4096;

let counter = 0;
function taskId(): string {
  if (ids === 'v4') return randomUUID();
  const ms = Date.now().toString(16).padStart(12, '0');
  return `${ms.slice(0, 8)}-${ms.slice(8)}-7${(counter++ & 0xfff).toString(16).padStart(3, '0')}-${randomUUID().slice(19)}`;
}

/** What the store's private fields hold, reached for the measurement only. */
interface StoreInsides {
  db: { pragma(sql: string): unknown };
  checkpointer?: { close(): Promise<void> };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'apskit-store-floor-'));
  const file = join(dir, 'apskit.sqlite');
  // The store's own writes on its one connection, as before the writer thread: what a re-poll costs
  // the store wherever it runs (with the thread, the WAL pages would be counted on another connection).
  const store = new SqliteStore(file, { durability, writerThread: false });
  await store.init();
  for (let i = 0; i < TASKS; i++) {
    const resourceId = randomUUID();
    const id = taskId();
    await store.createResourceWithTask(
      { ...exampleResource(resourceId, { polls: 0 }), type: TYPE },
      exampleTask(id, resourceId, {
        name: 'Provisioning "tick" for APS application bench',
        description: 'queued',
        output: 'queued',
        attempts: 1,
        nextRunAt: 0,
        request: { method: 'POST', path: '/ticks/' },
      }),
      exampleEvent(id, TaskEventKind.created),
      [],
    );
  }
  // Every page the run writes stays in the WAL, to be counted.
  const insides = store as unknown as StoreInsides;
  await insides.checkpointer?.close();
  insides.checkpointer = undefined;
  insides.db.pragma('wal_autocheckpoint = 0');
  insides.db.pragma('wal_checkpoint(TRUNCATE)');
  const walBytes = (): number => statSync(`${file}-wal`).size;
  const walBefore = walBytes();

  let now = 1;
  let claimed: TaskRecord[] = await store.claimDueTasks(now, BATCH, 'bench', now + 60_000);
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  for (let round = 0; round < ROUNDS; round++) {
    now++;
    const outcomes: AttemptOutcome[] = claimed.map((task) => ({
      task: {
        ...task,
        status: TaskStatus.scheduled,
        nextRunAt: now,
        output: 'poll',
        updatedAt: now,
        leaseOwner: null,
        leaseUntil: null,
      },
      event: { taskId: task.id, at: now, kind: TaskEventKind.rescheduled, message: 'poll', attempt: task.attempts },
      resource: {
        id: task.resourceId,
        type: TYPE,
        status: 'aps:provisioning',
        revision: 2,
        modified: now,
        properties: { polls: round },
      },
    }));
    if (!store.completeAttemptsAndClaim) throw new Error('SqliteStore has no completeAttemptsAndClaim');
    claimed = (await store.completeAttemptsAndClaim('bench', outcomes, { now, limit: BATCH, leaseUntil: now + 60_000 }))
      .claimed;
  }
  const wallUs = Number(process.hrtime.bigint() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const repolls = ROUNDS * BATCH;
  const framesPerCommit = (walBytes() - walBefore) / FRAME_BYTES / ROUNDS;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(
    `${JSON.stringify({
      durability,
      taskIds: ids,
      repolls,
      usPerRepoll: Math.round((wallUs / repolls) * 10) / 10,
      cpuUsPerRepoll: { user: Math.round(used.user / repolls), system: Math.round(used.system / repolls) },
      walPagesPerCommit: Math.round(framesPerCommit * 10) / 10,
    })}\n`,
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
