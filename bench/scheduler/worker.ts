/**
 * One scheduler benchmark run, in its own process so that its peak memory is its own:
 *
 *   worker.ts memory|sqlite|sqlite-normal
 *
 * It puts BENCH_TASKS (10,000) provisioning tasks in flight, all due within the first second, each
 * answering 202 BENCH_POLLS - 1 times before it succeeds, re-polled every BENCH_RETRY_MS. It prints
 * one JSON line: re-polls per second, lateness against the scheduled time, peak memory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Accepted, ApsType, CoreTypes, Property } from '@apskit/core';
import { Controller, MemoryStore, SqliteStore, type Store } from '@apskit/controller';

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

async function main(): Promise<void> {
  const kind = process.argv[2] ?? 'memory';
  const dir = mkdtempSync(join(tmpdir(), 'apskit-bench-'));
  const store: Store =
    kind === 'memory'
      ? new MemoryStore()
      : new SqliteStore(join(dir, 'apskit.sqlite'), { durability: kind === 'sqlite-normal' ? 'normal' : 'full' });
  await store.init();

  // Tasks straight into the store, as if a first 202 had scheduled them: the benchmark measures the
  // scheduler, not resource creation.
  const insertStart = Date.now();
  const t0 = insertStart + 2000;
  for (let i = 0; i < TASKS; i++) {
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
  const insertMs = Date.now() - insertStart;

  const lateness = new Float64Array(TASKS * POLLS);
  let claims = 0;
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 25);
  const controller = new Controller({
    app: { name: 'bench', services: { ticks: Tick } },
    store,
    timeScale: RETRY_MS / 1000,
    concurrency: CONCURRENCY,
    pollMs: 100,
    onClaim: (_task, late) => {
      if (claims < lateness.length) lateness[claims] = late;
      claims++;
    },
  });
  const done = new Promise<void>((resolve) => (onAllFinished = resolve));
  await controller.start();
  const waitUntil = t0 - Date.now();
  const start = Date.now() + Math.max(0, waitUntil);
  await done;
  const elapsedMs = Date.now() - start;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
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
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
