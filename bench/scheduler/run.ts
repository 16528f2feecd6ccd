/**
 * `npm run bench:scheduler`: what the scheduler serves on each store, then how late it is under a
 * load the store can serve. For each store (memory; SQLite as shipped, every commit synced to disk;
 * SQLite with `durability: 'normal'`; PostgreSQL with one controller process when
 * APSKIT_BENCH_DATABASE_URL or APSKIT_TEST_DATABASE_URL is set), each run in its own process:
 *
 * 1. capacity: 10,000 tasks x 3 polls, all due at once and re-polled at once, re-polls/s;
 * 2. an open loop at 50% and at 90% of that capacity (tasks arriving at a steady rate, re-polled
 *    500 ms after each 202): p50/p99 lateness (claim time minus the task's nextRunAt) and the
 *    re-polls/s achieved.
 *
 * Writes bench/results/scheduler.json. BENCH_ROUNDS=3 runs everything three times, the stores
 * interleaved within a round so that a busy moment of the machine hits them alike, and keeps each
 * figure's median round. BENCH_BEFORE=<path to another build's dist/index.js of @apskit/controller>
 * adds capacity runs of that build, interleaved with this one's (an A/B comparison in one run).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

interface Run {
  store: string;
  mode: 'capacity' | 'load';
  tasks: number;
  pollsPerTask: number;
  concurrency: number;
  repolls: number;
  elapsedMs: number;
  repollsPerSecond: number;
  targetRepollsPerSecond?: number;
  retryMs?: number;
  latenessMs: { p50: number; p99: number; max: number };
  peakRssMb: number;
  insertMs: number;
}

const WORKER = ['-r', 'ts-node/register/transpile-only', join(__dirname, 'worker.ts')];
const LEVELS = { halfCapacity: 0.5, ninetyPercent: 0.9 } as const;
type Level = keyof typeof LEVELS;

function lastJson<T>(out: string): T {
  return JSON.parse(out.trim().split('\n').pop() as string) as T;
}

/** One run in its own process: `kind` is a store, `controller` another build of the controller if set. */
async function runOnce(kind: string, args: string[], url: string | undefined, controller?: string): Promise<Run> {
  const schema = `apskit_bench_sched_${process.pid}`;
  const env = {
    ...process.env,
    TS_NODE_TRANSPILE_ONLY: 'true',
    BENCH_CONTROLLER: controller ?? '',
    ...(kind === 'postgres' ? { BENCH_PG_URL: url, BENCH_PG_SCHEMA: schema } : {}),
  };
  try {
    const out = execFileSync(process.execPath, [...WORKER, kind, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      env,
      maxBuffer: 1 << 20,
    });
    return lastJson<Run>(out);
  } finally {
    if (kind === 'postgres') {
      const client = new Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
  }
}

function median<T>(runs: readonly T[], by: (r: T) => number): T {
  return [...runs].sort((a, b) => by(a) - by(b))[Math.floor(runs.length / 2)];
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

async function main(): Promise<void> {
  const url = process.env.APSKIT_BENCH_DATABASE_URL || process.env.APSKIT_TEST_DATABASE_URL;
  if (!url)
    console.error(
      'PostgreSQL runs skipped: set APSKIT_BENCH_DATABASE_URL (or APSKIT_TEST_DATABASE_URL); see docs/postgres.md',
    );
  const stores = ['memory', 'sqlite', 'sqlite-normal', ...(url ? ['postgres'] : [])];
  const before = process.env.BENCH_BEFORE || undefined;
  const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 1));
  const capacity = new Map<string, Run[]>();
  const beforeCapacity = new Map<string, Run[]>();
  const load = new Map<string, Run[]>();
  const push = (map: Map<string, Run[]>, key: string, run: Run) => map.set(key, [...(map.get(key) ?? []), run]);

  for (let round = 0; round < rounds; round++) {
    const measured = new Map<string, number>();
    for (const store of stores) {
      // A and B back to back, so that the machine's load of the moment hits both.
      if (before && store !== 'postgres') {
        const b = await runOnce(store, ['capacity'], url, before);
        console.error(`round ${round + 1} ${store} capacity (before): ${b.repollsPerSecond} re-polls/s`);
        push(beforeCapacity, store, b);
      }
      const c = await runOnce(store, ['capacity'], url);
      if (c.repolls === 0) throw new Error(`${store}: no re-poll in ${c.elapsedMs} ms`);
      console.error(
        `round ${round + 1} ${store} capacity: ${c.repollsPerSecond} re-polls/s, peak RSS ${c.peakRssMb} MB`,
      );
      push(capacity, store, c);
      measured.set(store, c.repollsPerSecond);
    }
    for (const [level, share] of Object.entries(LEVELS) as Array<[Level, number]>) {
      for (const store of stores) {
        const target = Math.round((measured.get(store) ?? 0) * share);
        const r = await runOnce(store, ['load', String(target)], url);
        console.error(
          `round ${round + 1} ${store} at ${share * 100}% (${target}/s): ${r.repollsPerSecond} re-polls/s, lateness p50 ${r.latenessMs.p50} ms p99 ${r.latenessMs.p99} ms`,
        );
        push(load, `${level}:${store}`, r);
      }
    }
  }

  const capacityOf = (store: string) => median(capacity.get(store) ?? [], (r) => r.repollsPerSecond);
  const memory = capacityOf('memory').repollsPerSecond;
  const latenessAt = (level: Level) =>
    Object.fromEntries(
      stores.map((store) => {
        const r = median(load.get(`${level}:${store}`) ?? [], (x) => x.latenessMs.p99);
        return [
          store,
          {
            p50Ms: r.latenessMs.p50,
            p99Ms: r.latenessMs.p99,
            maxMs: r.latenessMs.max,
            targetRepollsPerSecond: r.targetRepollsPerSecond,
            repollsPerSecond: r.repollsPerSecond,
            peakRssMb: r.peakRssMb,
          },
        ];
      }),
    );
  const summary = {
    capacity: Object.fromEntries(
      stores.map((store) => {
        const r = capacityOf(store);
        return [store, { repollsPerSecond: r.repollsPerSecond, peakRssMb: r.peakRssMb, elapsedMs: r.elapsedMs }];
      }),
    ),
    ratios: {
      sqliteFullVsMemory: round2(capacityOf('sqlite').repollsPerSecond / memory),
      sqliteNormalVsMemory: round2(capacityOf('sqlite-normal').repollsPerSecond / memory),
      ...(url ? { postgresVsMemory: round2(capacityOf('postgres').repollsPerSecond / memory) } : {}),
    },
    lateness: { halfCapacity: latenessAt('halfCapacity'), ninetyPercent: latenessAt('ninetyPercent') },
    ...(before
      ? {
          before: {
            controller: before,
            capacity: Object.fromEntries(
              [...beforeCapacity].map(([store, runs]) => [
                store,
                median(runs, (r) => r.repollsPerSecond).repollsPerSecond,
              ]),
            ),
          },
        }
      : {}),
    settings: {
      capacityTasks: capacityOf('memory').tasks,
      pollsPerTask: capacityOf('memory').pollsPerTask,
      concurrency: capacityOf('memory').concurrency,
      loadRetryMs: load.get('halfCapacity:memory')?.[0]?.retryMs,
      loadSeconds: Number(process.env.BENCH_LOAD_SECONDS ?? 6),
    },
    rounds,
    runs: { capacity: Object.fromEntries(capacity), load: Object.fromEntries(load) },
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version },
    date: new Date().toISOString(),
  };
  mkdirSync(join(__dirname, '../results'), { recursive: true });
  writeFileSync(join(__dirname, '../results/scheduler.json'), `${JSON.stringify(summary, null, 2)}\n`);

  console.log(
    'store          capacity/s  vs memory  peak RSS | 50%: p50    p99   achieved/s | 90%: p50    p99   achieved/s',
  );
  for (const store of stores) {
    const c = capacityOf(store);
    const cell = (level: Level) => {
      const l = summary.lateness[level][store] as { p50Ms: number; p99Ms: number; repollsPerSecond: number };
      return `${`${l.p50Ms} ms`.padStart(9)} ${`${l.p99Ms} ms`.padStart(8)} ${String(l.repollsPerSecond).padStart(10)}`;
    };
    console.log(
      `${store.padEnd(14)} ${String(c.repollsPerSecond).padStart(10)}  ${(c.repollsPerSecond / memory).toFixed(2).padStart(9)}  ${`${c.peakRssMb} MB`.padStart(8)} |${cell('halfCapacity')} |${cell('ninetyPercent')}`,
    );
  }
  if (before)
    for (const [store, runs] of beforeCapacity)
      console.log(
        `${store} capacity before/after: ${median(runs, (r) => r.repollsPerSecond).repollsPerSecond} / ${capacityOf(store).repollsPerSecond} re-polls/s`,
      );
  console.log('wrote bench/results/scheduler.json');
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
