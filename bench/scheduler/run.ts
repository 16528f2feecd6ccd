/**
 * `npm run bench:scheduler`: the scheduler with 10,000 tasks in flight on the SQLite store (as
 * shipped: every commit synced to disk, and with `durability: 'normal'`) beside the same run on the
 * in-memory store, each in its own process. With APSKIT_BENCH_DATABASE_URL (or APSKIT_TEST_DATABASE_URL)
 * set, also on PostgreSQL with 1 and with 3 controller processes sharing the database. Writes
 * bench/results/scheduler.json. BENCH_ROUNDS=3 runs every kind three times, interleaved, and keeps
 * each kind's median round (for a machine that is doing other work too).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

interface Result {
  store: string;
  repollsPerSecond: number;
  latenessMs: { p50: number; p99: number; max: number };
  peakRssMb: number;
  elapsedMs: number;
  repolls: number;
  insertMs: number;
  tasks: number;
  pollsPerTask: number;
  retryMs: number;
  concurrency: number;
  succeeded: number;
  /** PostgreSQL runs: how many processes shared the database, and the sum of their peak RSS. */
  processes?: number;
  peakRssMbTotal?: number;
}

/** What one process of a PostgreSQL run prints: its own figures, span and samples. */
interface PartResult extends Result {
  startAt: number;
  endAt: number;
  samples: number[];
}

const WORKER = ['-r', 'ts-node/register/transpile-only', join(__dirname, 'worker.ts')];
const WORKER_ENV = { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' };

const results: Result[] = [];

function lastJson<T>(out: string): T {
  return JSON.parse(out.trim().split('\n').pop() as string) as T;
}

function report(result: Result): void {
  if (result.succeeded !== result.tasks)
    throw new Error(`${result.store}: ${result.succeeded} of ${result.tasks} tasks succeeded`);
  console.error(
    `${result.store}: ${result.repollsPerSecond} re-polls/s, lateness p50 ${result.latenessMs.p50} ms p99 ${result.latenessMs.p99} ms, peak RSS ${result.peakRssMb} MB`,
  );
}

/** `count` worker processes on one fresh schema of the database, their figures merged into one result. */
async function runPostgres(url: string, count: number): Promise<Result> {
  const schema = `apskit_bench_${process.pid}_${count}`;
  const env = { ...WORKER_ENV, BENCH_PG_URL: url, BENCH_PG_SCHEMA: schema };
  try {
    const parts = await Promise.all(
      Array.from({ length: count }, (_, i) => {
        const child = spawn(process.execPath, [...WORKER, 'postgres', String(i), String(count)], {
          stdio: ['ignore', 'pipe', 'inherit'],
          env,
        });
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
        return new Promise<PartResult>((resolve, reject) =>
          child.once('exit', (code) =>
            code === 0 ? resolve(lastJson<PartResult>(out)) : reject(new Error(`worker ${i} exited with ${code}`)),
          ),
        );
      }),
    );
    const startAt = Math.min(...parts.map((p) => p.startAt));
    const elapsedMs = Math.max(...parts.map((p) => p.endAt)) - startAt;
    const samples = Float64Array.from(parts.flatMap((p) => p.samples)).sort();
    const at = (q: number) => Math.round(samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0);
    const repolls = parts.reduce((n, p) => n + p.repolls, 0);
    const first = parts[0];
    return {
      store: `postgres-${count}`,
      processes: count,
      tasks: first.tasks,
      pollsPerTask: first.pollsPerTask,
      retryMs: first.retryMs,
      concurrency: first.concurrency,
      repolls,
      elapsedMs,
      repollsPerSecond: Math.round((repolls / elapsedMs) * 1000),
      latenessMs: { p50: at(0.5), p99: at(0.99), max: Math.round(samples[samples.length - 1] ?? 0) },
      peakRssMb: Math.max(...parts.map((p) => p.peakRssMb)),
      peakRssMbTotal: parts.reduce((n, p) => n + p.peakRssMb, 0),
      insertMs: first.insertMs,
      succeeded: first.succeeded,
    };
  } finally {
    const client = new Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  }
}

/** One run of one kind: a store in its own process, or PostgreSQL with `postgres-<processes>`. */
async function runOnce(kind: string, url: string | undefined): Promise<Result> {
  if (kind.startsWith('postgres-')) return runPostgres(url as string, Number(kind.slice('postgres-'.length)));
  const out = execFileSync(process.execPath, [...WORKER, kind], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    env: WORKER_ENV,
    maxBuffer: 1 << 20,
  });
  return lastJson<Result>(out);
}

/**
 * BENCH_ROUNDS (default 1) rounds, the kinds interleaved within each, so that a busy moment of the
 * machine hits them alike; each kind's figures are those of its median round by throughput.
 */
async function main(): Promise<void> {
  const url = process.env.APSKIT_BENCH_DATABASE_URL || process.env.APSKIT_TEST_DATABASE_URL;
  if (!url)
    console.error(
      'PostgreSQL runs skipped: set APSKIT_BENCH_DATABASE_URL (or APSKIT_TEST_DATABASE_URL); see docs/postgres.md',
    );
  const kinds = ['memory', 'sqlite', 'sqlite-normal', ...(url ? ['postgres-1', 'postgres-3'] : [])];
  const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 1));
  const runs = new Map<string, Result[]>(kinds.map((k) => [k, []]));
  for (let round = 0; round < rounds; round++) {
    for (const kind of kinds) {
      const result = await runOnce(kind, url);
      report(result);
      runs.get(kind)?.push(result);
    }
  }
  for (const kind of kinds) {
    const sorted = [...(runs.get(kind) ?? [])].sort((a, b) => a.repollsPerSecond - b.repollsPerSecond);
    results.push(sorted[Math.floor(sorted.length / 2)]);
  }
  write(rounds);
}

function write(rounds: number): void {
  const memory = results[0];
  const ratio = (r: Result) => ({
    throughput: Math.round((r.repollsPerSecond / memory.repollsPerSecond) * 100) / 100,
    peakRss: Math.round((r.peakRssMb / memory.peakRssMb) * 100) / 100,
  });
  const summary = {
    results,
    rounds,
    ratiosVsMemory: Object.fromEntries(results.slice(1).map((r) => [r.store, ratio(r)])),
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version },
    date: new Date().toISOString(),
  };
  mkdirSync(join(__dirname, '../results'), { recursive: true });
  writeFileSync(join(__dirname, '../results/scheduler.json'), `${JSON.stringify(summary, null, 2)}\n`);

  console.log('store          re-polls/s  lateness p50  lateness p99  peak RSS  vs memory (throughput, RSS)');
  for (const r of results) {
    const vs = r === memory ? '1.00, 1.00' : `${ratio(r).throughput.toFixed(2)}, ${ratio(r).peakRss.toFixed(2)}`;
    console.log(
      `${r.store.padEnd(14)} ${String(r.repollsPerSecond).padStart(10)}  ${`${r.latenessMs.p50} ms`.padStart(12)}  ${`${r.latenessMs.p99} ms`.padStart(12)}  ${`${r.peakRssMb} MB`.padStart(8)}  ${vs}`,
    );
  }
  console.log('wrote bench/results/scheduler.json');
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
