/**
 * One scheduler benchmark run, in its own process so that its peak memory is its own:
 *
 *   worker.ts memory|sqlite|sqlite-normal|postgres capacity
 *   worker.ts memory|sqlite|sqlite-normal|postgres load <re-polls per second>
 *
 * Every task is a provisioning task whose endpoint (in this process) answers 202 BENCH_POLLS - 1
 * times, then succeeds. The tasks go straight into the store before the controller starts, as if a
 * first 202 had scheduled them: the run measures the scheduler and the store's steps, not resource
 * creation.
 *
 * - `capacity`: BENCH_TASKS (10,000) tasks all due at once, each re-polled at once (APS-Retry-Timeout
 *   0): every re-poll is due before the scheduler can take it, so re-polls/s is what the store and
 *   the controller can serve, not what a schedule asks for. It stops after BENCH_CAPACITY_SECONDS (8)
 *   if the tasks have not all ended by then.
 * - `load <rate>`: an open loop. New tasks fall due at a steady rate for BENCH_LOAD_SECONDS (6 s),
 *   each re-polled BENCH_RETRY_MS (500 ms) after its 202, so that in the steady state (from
 *   (polls - 1) x retry on) `rate` re-polls fall due per second. Lateness is claim time minus the
 *   task's nextRunAt; re-polls/s is what the steady state achieved.
 *
 * BENCH_CONTROLLER (a path to another build of @apskit/controller) runs that build instead: run.ts's
 * A/B comparison. It prints one JSON line.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Accepted, ApsType, CoreTypes, Property } from '@apskit/core';
import type * as ControllerModule from '@apskit/controller';
import type { Store } from '@apskit/controller';
import { PostgresStore } from '@apskit/store-postgres';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const controllerModule = require(process.env.BENCH_CONTROLLER || '@apskit/controller') as typeof ControllerModule;
const { Controller, MemoryStore, SqliteStore } = controllerModule;

const POLLS = Number(process.env.BENCH_POLLS ?? 3);
const RETRY_MS = Number(process.env.BENCH_RETRY_MS ?? 500);
const LOAD_MS = Number(process.env.BENCH_LOAD_SECONDS ?? 6) * 1000;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const CAPACITY_MS = Number(process.env.BENCH_CAPACITY_SECONDS ?? 8) * 1000;
const TYPE = 'http://apskit.dev/bench/tick/1.0';

const kind = process.argv[2] ?? 'memory';
const mode = process.argv[3] === 'load' ? 'load' : 'capacity';
const targetRate = Number(process.argv[4] ?? 0);
/** Capacity: a fixed number of tasks. Load: as many as arrive at rate / polls per second for LOAD_MS. */
const TASKS =
  mode === 'capacity'
    ? Number(process.env.BENCH_TASKS ?? 10_000)
    : Math.max(1, Math.round(((targetRate / POLLS) * LOAD_MS) / 1000));

let finished = 0;
let onAllFinished: () => void = () => {};

@ApsType({ name: 'tick', id: TYPE, implements: [CoreTypes.resource] })
class Tick {
  @Property({ type: 'integer', readonly: true })
  polls?: number;

  provisionAsync(): void {
    this.polls = (this.polls ?? 0) + 1;
    // Retry-Timeout is in seconds; the time scale turns 1 s into RETRY_MS. Capacity: due again at once.
    if (this.polls < POLLS) throw new Accepted(this, `poll ${this.polls}`, mode === 'capacity' ? 0 : 1);
    if (++finished === TASKS) onAllFinished();
  }
}

/**
 * CPU time of this process's threads so far, in ms (Linux: /proc/self/task): the main thread's, and
 * the others' (SQLite's writer thread and checkpointer, V8's garbage collection helpers, libuv).
 * Undefined where /proc is not.
 */
function threadCpuMs(): { main: number; others: number } | undefined {
  try {
    const ticks = { main: 0, others: 0 };
    for (const tid of readdirSync('/proc/self/task')) {
      let stat: string;
      try {
        stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      } catch {
        continue; // the thread ended meanwhile
      }
      // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const used = Number(fields[11]) + Number(fields[12]);
      if (tid === String(process.pid)) ticks.main += used;
      else ticks.others += used;
    }
    // Clock ticks of 10 ms (USER_HZ 100 on Linux).
    return { main: ticks.main * 10, others: ticks.others * 10 };
  } catch {
    return undefined;
  }
}

/** The main thread's time on a CPU and waiting for one, in ms (Linux: its schedstat); undefined elsewhere. */
function mainSchedMs(): { onCpu: number; waiting: number } | undefined {
  try {
    const [onCpuNs, waitingNs] = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8')
      .split(' ')
      .map(Number);
    return { onCpu: onCpuNs / 1e6, waiting: waitingNs / 1e6 };
  } catch {
    return undefined;
  }
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function makeStore(durability: 'full' | 'normal', dir: string): Store {
  if (kind === 'memory') return new MemoryStore();
  if (kind === 'postgres')
    return new PostgresStore({ connectionString: process.env.BENCH_PG_URL, schema: process.env.BENCH_PG_SCHEMA });
  return new SqliteStore(join(dir, 'apskit.sqlite'), { durability });
}

/** Task i's first due time, on the bench's clock: all at 0 (capacity), or i / arrival rate (load). */
function dueOf(i: number): number {
  return mode === 'capacity' ? 0 : Math.floor((i * LOAD_MS) / TASKS);
}

/**
 * A task id as the controller makes one: a UUIDv7, time-ordered (packages/controller/src/tasks/task-id.ts).
 * The bench's own few lines, so that an A/B run against an older build seeds both alike.
 */
let idCounter = 0;
function taskIdAsTheControllerMakes(): string {
  const ms = Date.now().toString(16).padStart(12, '0');
  const counter = (idCounter++ & 0xfff).toString(16).padStart(3, '0');
  return `${ms.slice(0, 8)}-${ms.slice(8)}-7${counter}-${randomUUID().slice(19)}`;
}

async function insertTasks(store: Store, width: number): Promise<void> {
  let next = 0;
  // `width` inserts at a time: PostgreSQL then syncs many commits at once; the other stores are synchronous.
  await Promise.all(Array.from({ length: width }, () => insertSome()));
  async function insertSome(): Promise<void> {
    for (let i = next++; i < TASKS; i = next++) {
      const id = randomUUID();
      await store.createResourceWithTask(
        { id, type: TYPE, status: 'aps:provisioning', revision: 1, modified: -1000, properties: { polls: 0 } },
        {
          id: taskIdAsTheControllerMakes(),
          resourceId: id,
          requestId: null,
          requestHash: null,
          operation: 'provision',
          name: 'Provisioning "tick" for APS application bench',
          description: 'queued',
          output: 'queued',
          status: 'scheduled',
          attempts: 1,
          nextRunAt: dueOf(i),
          deadlineAt: null,
          phase: 'async',
          request: { method: 'POST', path: '/ticks/' },
          createdAt: -1000,
          updatedAt: -1000,
          endedAt: null,
          leaseOwner: null,
          leaseUntil: null,
        },
        { taskId: id, at: -1000, kind: 'created', message: 'created', attempt: 0 },
        [],
      );
    }
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'apskit-bench-'));
  const durability = kind === 'sqlite-normal' ? 'normal' : 'full';
  // The tasks go in before the run, through a connection that syncs at checkpoints only (SQLite's
  // synchronous setting is the connection's): the run itself uses the store as configured.
  const insertStart = Date.now();
  if (kind === 'sqlite') {
    const seeding = makeStore('normal', dir);
    await seeding.init();
    await insertTasks(seeding, 1);
    await seeding.close();
  }
  const store = makeStore(durability, dir);
  await store.init();
  if (kind !== 'sqlite') await insertTasks(store, kind === 'postgres' ? 16 : 1);
  const insertMs = Date.now() - insertStart;

  // The bench's clock reads 0 at `start`, 200 ms from now (the controller is started by then).
  const start = Date.now() + 200;
  const clock = (): number => Date.now() - start;
  const lateness = new Float64Array(TASKS * POLLS);
  const claimedAt = new Float64Array(TASKS * POLLS);
  let claims = 0;
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 25);
  const controller = new Controller({
    app: { name: 'bench', services: { ticks: Tick } },
    store,
    clock,
    timeScale: RETRY_MS / 1000,
    concurrency: CONCURRENCY,
    pollMs: 100,
    onClaim: (_task, late) => {
      if (claims < lateness.length) {
        lateness[claims] = late;
        claimedAt[claims] = clock();
      }
      claims++;
    },
  });
  const done = new Promise<void>((resolve) => (onAllFinished = resolve));
  // Capacity: at most CAPACITY_MS, the re-polls counted over however long it ran (a slow store need
  // not finish 30,000 re-polls to show its rate). Load: every task must end.
  const bound = mode === 'capacity' ? CAPACITY_MS : LOAD_MS + POLLS * RETRY_MS + 60_000;
  const timeout = setTimeout(() => onAllFinished(), bound);
  const cpuBefore = process.cpuUsage();
  const threadsBefore = threadCpuMs();
  const schedBefore = mainSchedMs();
  const eluBefore = performance.eventLoopUtilization();
  await controller.start();
  await done;
  const cpu = process.cpuUsage(cpuBefore);
  const threadsAfter = threadCpuMs();
  const schedAfter = mainSchedMs();
  const elu = performance.eventLoopUtilization(eluBefore);
  clearTimeout(timeout);
  const elapsedMs = clock();
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  await controller.stop(); // closes the store
  rmSync(dir, { recursive: true, force: true });
  if (mode === 'load' && finished !== TASKS)
    throw new Error(`${kind} ${mode}: ${finished} of ${TASKS} tasks done after ${bound} ms`);

  const n = Math.min(claims, lateness.length);
  // Load: the re-polls of the steady state, once every task arriving has its later polls due too.
  const from = (POLLS - 1) * RETRY_MS;
  let steady = 0;
  for (let i = 0; i < n; i++) if (claimedAt[i] >= from && claimedAt[i] < LOAD_MS) steady++;
  const sorted = lateness.slice(0, n).sort();
  const result = {
    store: kind,
    mode,
    tasks: TASKS,
    pollsPerTask: POLLS,
    concurrency: CONCURRENCY,
    repolls: claims,
    elapsedMs,
    repollsPerSecond:
      mode === 'capacity'
        ? Math.round((claims / elapsedMs) * 1000)
        : Math.round((steady / Math.max(1, LOAD_MS - from)) * 1000),
    ...(mode === 'load' ? { targetRepollsPerSecond: Math.round(targetRate), retryMs: RETRY_MS } : {}),
    latenessMs: {
      p50: Math.round(percentile(sorted, 50) * 10) / 10,
      p99: Math.round(percentile(sorted, 99) * 10) / 10,
      max: Math.round(sorted[sorted.length - 1] ?? 0),
    },
    peakRssMb: Math.round(peakRss / 1024 / 1024),
    // This process's CPU time per re-poll (user, system): less sensitive than re-polls/s to what
    // else the machine runs, and it says whether the time went to computing or to waiting on the disk.
    cpuUsPerRepoll: { user: Math.round(cpu.user / claims), system: Math.round(cpu.system / claims) },
    // The same, by thread: the main thread's (the controller and the endpoint), and the others'
    // (SQLite's writer thread, garbage collection helpers); 10 ms ticks, so rough on short runs.
    ...(threadsBefore && threadsAfter
      ? {
          threadCpuUsPerRepoll: {
            main: Math.round(((threadsAfter.main - threadsBefore.main) * 1000) / claims),
            others: Math.round(((threadsAfter.others - threadsBefore.others) * 1000) / claims),
          },
        }
      : {}),
    // Where the main thread's time went: the event loop busy (utilization), of which some waiting for
    // a CPU the other threads had (a SQLite store's writer thread, garbage collection); idle is
    // waiting for work, e.g. for the writer thread's answer.
    mainThread: {
      utilization: Math.round(elu.utilization * 100) / 100,
      ...(schedBefore && schedAfter ? { waitingForCpuMs: Math.round(schedAfter.waiting - schedBefore.waiting) } : {}),
      idleMs: Math.round(elu.idle),
    },
    insertMs,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
