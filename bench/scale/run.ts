/**
 * `npm run bench:scale`: the PostgreSQL store at 10k, 100k and 1M scheduled tasks and resources (see
 * scale-bench.ts). PostgreSQL via APSKIT_BENCH_DATABASE_URL (else APSKIT_TEST_DATABASE_URL; start one
 * with `.ci/setup.d/postgres.sh`). Settings by environment: BENCH_SCALE_SIZES (default
 * 10000,100000,1000000), BENCH_SCALE_DUE (tasks due at once per run, 5000), BENCH_SCALE_WARMUP (tasks
 * each run's processes run first, unmeasured, 1000), BENCH_POLLS (3),
 * BENCH_RETRY_MS (500), BENCH_CONCURRENCY (16), BENCH_LEASE_MS (5000), BENCH_SCALE_PROCESSES_AT
 * (100000), BENCH_SCALE_ROUNDS (runs per size, 1 and 3 processes alternated, medians kept: 3),
 * BENCH_USAGE_RESOURCES (the largest size; 0 skips the usage sync). Writes bench/results/scale.json
 * and bench/results/scale-plans.txt.
 */
import { join } from 'node:path';
import { runScaleBench } from './scale-bench';

function numberEnv(name: string): number | undefined {
  const text = process.env[name];
  return text === undefined || text.trim() === '' ? undefined : Number(text);
}

async function main(): Promise<void> {
  const databaseUrl = process.env.APSKIT_BENCH_DATABASE_URL || process.env.APSKIT_TEST_DATABASE_URL;
  if (!databaseUrl)
    throw new Error('bench:scale needs PostgreSQL: set APSKIT_BENCH_DATABASE_URL (see docs/postgres.md)');
  const sizes = (process.env.BENCH_SCALE_SIZES ?? '10000,100000,1000000').split(',').map((s) => Number(s.trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n < 100))
    throw new Error('BENCH_SCALE_SIZES: whole numbers of 100 or more');
  const results = await runScaleBench({
    databaseUrl,
    sizes,
    due: numberEnv('BENCH_SCALE_DUE'),
    warmup: numberEnv('BENCH_SCALE_WARMUP'),
    polls: numberEnv('BENCH_POLLS'),
    retryMs: numberEnv('BENCH_RETRY_MS'),
    concurrency: numberEnv('BENCH_CONCURRENCY'),
    leaseMs: numberEnv('BENCH_LEASE_MS'),
    processesAt: numberEnv('BENCH_SCALE_PROCESSES_AT'),
    rounds: numberEnv('BENCH_SCALE_ROUNDS') ?? 3,
    usageSyncResources: numberEnv('BENCH_USAGE_RESOURCES'),
    output: join(__dirname, '../results/scale.json'),
    plansOutput: join(__dirname, '../results/scale-plans.txt'),
  });
  console.log('size       claim p50   complete p50  re-polls/s  peak RSS');
  for (const [n, { run }] of Object.entries(results.sizes))
    console.log(
      `${n.padEnd(10)} ${`${run.claimMs.p50} ms`.padStart(9)}  ${`${run.completeMs.p50} ms`.padStart(12)}  ${String(run.repollsPerSecond).padStart(10)}  ${`${run.peakRssMb} MB`.padStart(8)}`,
    );
  const d = results.degradation;
  console.log(`${d.to} vs ${d.from}: claim time x${d.claimMs}, re-polls/s x${d.repollsPerSecond}`);
  if (results.processes)
    console.log(
      `3 processes vs 1 at ${results.processes.size}: x${results.processes.threeVsOne}; duplicates ${results.processes.one.duplicates}/${results.processes.three.duplicates}; killed one: takeover ${results.processes.killed.takeoverMs.max} ms max after the kill (lease ${results.processes.killed.leaseMs} ms)`,
    );
  console.log('wrote bench/results/scale.json and bench/results/scale-plans.txt');
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
