/**
 * `npm run bench:scheduler`: the scheduler with 10,000 tasks in flight on the SQLite store (as
 * shipped: every commit synced to disk, and with `durability: 'normal'`) beside the same run on the
 * in-memory store, each in its own process. Writes bench/results/scheduler.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

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
}

const kinds = ['memory', 'sqlite', 'sqlite-normal'];
const results: Result[] = [];
for (const kind of kinds) {
  const out = execFileSync(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', join(__dirname, 'worker.ts'), kind],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' },
      maxBuffer: 1 << 20,
    },
  );
  const result = JSON.parse(out.trim().split('\n').pop() as string) as Result;
  results.push(result);
  console.error(
    `${kind}: ${result.repollsPerSecond} re-polls/s, lateness p50 ${result.latenessMs.p50} ms p99 ${result.latenessMs.p99} ms, peak RSS ${result.peakRssMb} MB`,
  );
}

const memory = results[0];
const ratio = (r: Result) => ({
  throughput: Math.round((r.repollsPerSecond / memory.repollsPerSecond) * 100) / 100,
  peakRss: Math.round((r.peakRssMb / memory.peakRssMb) * 100) / 100,
});
const report = {
  results,
  ratiosVsMemory: Object.fromEntries(results.slice(1).map((r) => [r.store, ratio(r)])),
  machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version },
  date: new Date().toISOString(),
};
mkdirSync(join(__dirname, '../results'), { recursive: true });
writeFileSync(join(__dirname, '../results/scheduler.json'), `${JSON.stringify(report, null, 2)}\n`);

console.log('store          re-polls/s  lateness p50  lateness p99  peak RSS  vs memory (throughput, RSS)');
for (const r of results) {
  const vs = r === memory ? '1.00, 1.00' : `${ratio(r).throughput.toFixed(2)}, ${ratio(r).peakRss.toFixed(2)}`;
  console.log(
    `${r.store.padEnd(14)} ${String(r.repollsPerSecond).padStart(10)}  ${`${r.latenessMs.p50} ms`.padStart(12)}  ${`${r.latenessMs.p99} ms`.padStart(12)}  ${`${r.peakRssMb} MB`.padStart(8)}  ${vs}`,
  );
}
console.log('wrote bench/results/scheduler.json');
