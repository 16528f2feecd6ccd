/**
 * One scheduler benchmark run, in its own process so that its peak memory is its own:
 *
 *   worker.ts memory|sqlite|sqlite-normal
 *   worker.ts postgres <index> <processes>      (BENCH_PG_URL, BENCH_PG_SCHEMA)
 *
 * It puts BENCH_TASKS (10,000) provisioning tasks in flight, all due within the first second, each
 * answering 202 BENCH_POLLS - 1 times before it succeeds, re-polled every BENCH_RETRY_MS. It prints
 * one JSON line: re-polls per second, lateness against the scheduled time, peak memory.
 *
 * On PostgreSQL several such processes share one schema: process 0 inserts the tasks exactly as the
 * single-process run does, and the others start their controllers when it has (a meta key says so),
 * so that the runs differ only in how many processes claim. Each prints its own claims and lateness
 * samples and when it saw no task left; run.ts adds them up.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Accepted, ApsType, CoreTypes, Property } from '@apskit/core';
import { Controller, MemoryStore, SqliteStore, type Store } from '@apskit/controller';
import { PostgresStore } from '@apskit/store-postgres';

const TASKS = Number(process.env.BENCH_TASKS ?? 10_000);
const POLLS = Number(process.env.BENCH_POLLS ?? 3);
const RETRY_MS = Number(process.env.BENCH_RETRY_MS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const TYPE = 'http://apskit.dev/bench/tick/1.0';

let finished = 0;
let onAllFinished: () => void = () => {};

@ApsType({ name: 'tick', id: TYPE, implements: [CoreTypes.resource] })
class Tick {
  @Property({ type: 'integer', readonly: true })
  polls?: number;

  provisionAsync(): void {
    this.polls = (this.polls ?? 0) + 1;
    // Retry-Timeout is in seconds; the time scale below turns 1 s into RETRY_MS.
    if (this.polls < POLLS) throw new Accepted(this, `poll ${this.polls}`, 1);
    if (++finished === TASKS) onAllFinished();
  }
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function makeStore(kind: string, dir: string): Store {
  if (kind === 'memory') return new MemoryStore();
  if (kind === 'postgres')
    return new PostgresStore({ connectionString: process.env.BENCH_PG_URL, schema: process.env.BENCH_PG_SCHEMA });
  return new SqliteStore(join(dir, 'apskit.sqlite'), { durability: kind === 'sqlite-normal' ? 'normal' : 'full' });
}

/**
 * Tasks straight into the store, as if a first 202 had scheduled them: the benchmark measures the
 * scheduler, not resource creation.
 */
async function insertTasks(store: Store, insertStart: number, t0: number, width: number): Promise<void> {
  let next = 0;
  // `width` inserts at a time: PostgreSQL then syncs many commits at once; the other stores are synchronous.
  await Promise.all(Array.from({ length: width }, () => insertSome()));
  async function insertSome(): Promise<void> {
    for (let i = next++; i < TASKS; i = next++) {
      const id = randomUUID();
      const at = t0 + Math.floor((i * 1000) / TASKS);
      await store.createResourceWithTask(
        { id, type: TYPE, status: 'aps:provisioning', revision: 1, modified: insertStart, properties: { polls: 0 } },
        {
          id: randomUUID(),
          resourceId: id,
          requestId: null,
          requestHash: null,
          operation: 'provision',
          name: 'Provisioning "tick" for APS application bench',
          description: 'queued',
          output: 'queued',
          status: 'scheduled',
          attempts: 1,
          nextRunAt: at,
          deadlineAt: null,
          phase: 'async',
          request: { method: 'POST', path: '/ticks/' },
          createdAt: insertStart,
          updatedAt: insertStart,
          endedAt: null,
          leaseOwner: null,
          leaseUntil: null,
        },
        { taskId: id, at: insertStart, kind: 'created', message: 'created', attempt: 0 },
        [],
      );
    }
  }
}

async function main(): Promise<void> {
  const kind = process.argv[2] ?? 'memory';
  const index = Number(process.argv[3] ?? 0);
  const dir = mkdtempSync(join(tmpdir(), 'apskit-bench-'));
  const store = makeStore(kind, dir);
  await store.init();

  // The tasks are due from 2 s after the insertion began, on the controller's clock, which is set back
  // by however long the insertion took: lateness is the scheduler's, whatever the store's insert speed.
  const insertStart = Date.now();
  let t0 = insertStart + 2000;
  let insertMs = 0;
  if (index === 0) {
    await insertTasks(store, insertStart, t0, kind === 'postgres' ? 16 : 1);
    insertMs = Date.now() - insertStart;
    if (kind === 'postgres') await store.setMeta('bench:clock', JSON.stringify({ t0, insertMs }));
  } else {
    // Another process on the same database: it waits, ready, for process 0 to have inserted the tasks.
    for (let clock = await store.getMeta('bench:clock'); ; clock = await store.getMeta('bench:clock')) {
      if (clock !== undefined) {
        ({ t0, insertMs } = JSON.parse(clock) as { t0: number; insertMs: number });
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  const lateness = new Float64Array(TASKS * POLLS);
  let claims = 0;
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 25);
  const controller = new Controller({
    app: { name: 'bench', services: { ticks: Tick } },
    store,
    clock: () => Date.now() - insertMs,
    timeScale: RETRY_MS / 1000,
    concurrency: CONCURRENCY,
    pollMs: 100,
    onClaim: (_task, late) => {
      if (claims < lateness.length) lateness[claims] = late;
      claims++;
    },
  });
  const done =
    kind === 'postgres'
      ? new Promise<void>((resolve) => void untilNoTaskLeft(store, resolve))
      : new Promise<void>((resolve) => (onAllFinished = resolve));
  await controller.start();
  const start = Math.max(Date.now(), t0 + insertMs); // when the first task is due, in real time
  await done;
  const end = Date.now();
  const elapsedMs = end - start;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  // On PostgreSQL every process counts the ends in the store (its own are some of them); elsewhere
  // the endpoint counted them.
  const succeeded = kind === 'postgres' ? (await store.listTasks({ status: 'succeeded' })).length : finished;
  await controller.stop();
  rmSync(dir, { recursive: true, force: true });

  const sorted = lateness.slice(0, Math.min(claims, lateness.length)).sort();
  const result = {
    store: kind,
    tasks: TASKS,
    pollsPerTask: POLLS,
    retryMs: RETRY_MS,
    concurrency: CONCURRENCY,
    repolls: claims,
    elapsedMs,
    repollsPerSecond: Math.round((claims / elapsedMs) * 1000),
    latenessMs: {
      p50: Math.round(percentile(sorted, 50)),
      p99: Math.round(percentile(sorted, 99)),
      max: Math.round(sorted[sorted.length - 1] ?? 0),
    },
    peakRssMb: Math.round(peakRss / 1024 / 1024),
    insertMs,
    succeeded,
    // For several processes: their spans and raw samples, merged by run.ts.
    ...(kind === 'postgres' ? { startAt: start, endAt: end, samples: Array.from(lateness.slice(0, claims)) } : {}),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Resolves once no task is scheduled or running in the store: all ended, whichever process ran them. */
async function untilNoTaskLeft(store: Store, resolve: () => void): Promise<void> {
  for (;;) {
    await new Promise((r) => setTimeout(r, 20));
    if ((await store.nextWakeUp()) === undefined) return resolve();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
