/**
 * bench:scale (issue 23): the PostgreSQL store's queue with 10k, 100k and 1M scheduled tasks and
 * resources. For each size, a fresh schema is filled in bulk (seed.ts): N resources, N tasks due a day
 * from now (the table is large), N event subscriptions; then a slice of `due` tasks is made due at
 * once and controller processes (worker.ts) run it, each task answering 202 `polls - 1` times; the
 * slice is reset between runs. The figures: per-claim and per-complete time, re-polls/s, CPU time per
 * re-poll, peak RSS; at the size named for it, the slice run by 1 and by 3 processes (alternated,
 * round after round), endpoint calls per (task, attempt) counted (duplicates), and a run where one
 * of 3 is killed (SIGKILL) and its tasks are taken over when their leases end. EXPLAIN (ANALYZE,
 * BUFFERS) of the queue's statements at each size shows they read a few index pages whatever N is.
 * `run.ts` is the command; scripts/test/bench-scale.test.ts runs it small.
 */
import { fork, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { PostgresStore, statements } from '@apskit/store-postgres';
import { compileResourceQuery, RECOVERED_MESSAGE, RESOURCE_COLUMNS } from '@apskit/store';
import { resourceId, seed, taskId } from './seed';
import type { WorkerFigures, WorkerMessage } from './worker';

/** Must match worker.ts's SCALE_TYPE (not imported: importing worker.ts would start a controller). */
const SCALE_TYPE = 'http://apskit.dev/bench/scale/1.0';
const NEVER_EVENT = 'http://apskit.dev/bench/scale/never';
/** The application_name of the workers' connections: this prefix, then `<pid>-<worker>`. */
const BENCH_APPLICATION_NAME = 'apskit-bench-scale-';
const applicationName = (worker: number) => `${BENCH_APPLICATION_NAME}${process.pid}-${worker}`;

export interface ScaleBenchOptions {
  readonly databaseUrl: string;
  /** Numbers of scheduled tasks and resources, smallest first. */
  readonly sizes: readonly number[];
  /** Tasks made due at once per run (at most a third of the smallest size). Default 5,000. */
  readonly due?: number;
  /**
   * Tasks each run's processes run first, unmeasured, so that their code is compiled (see runSlice).
   * Default 1,000 (fewer if the smallest size leaves less room beside the slice).
   */
  readonly warmup?: number;
  /** Endpoint calls per task (202s, then 200). Default 3. */
  readonly polls?: number;
  /** A 202's retry delay, in ms. Default 500. */
  readonly retryMs?: number;
  /** Tasks a process runs at once. Default 16. */
  readonly concurrency?: number;
  /** Lease of a claimed task, in ms (how soon a killed process's tasks are taken over). Default 5,000. */
  readonly leaseMs?: number;
  /** Runs per size, and of 1 and 3 processes alternated at `processesAt`; each keeps its median. Default 1. */
  readonly rounds?: number;
  /** Size at which 1 vs 3 processes and the kill run (default 100,000, else the largest run). */
  readonly processesAt?: number;
  /** Resources of the usage-sync measurement (H23c's usage-sync.ts, if present); 0: none. Default the largest size. */
  readonly usageSyncResources?: number;
  /** scale.json and its plans file. */
  readonly output: string;
  readonly plansOutput: string;
  /** Progress lines. */
  readonly log?: (line: string) => void;
}

export interface RunFigures {
  readonly processes: number;
  readonly tasks: number;
  readonly repolls: number;
  readonly elapsedMs: number;
  readonly repollsPerSecond: number;
  readonly claimMs: Stat;
  readonly completeMs: Stat;
  readonly nextWakeUpMs: Stat;
  readonly emptyClaims: number;
  /** The largest peak RSS of the processes (those that reported: a killed one does not). */
  readonly peakRssMb: number;
  /** (task, attempt) pairs whose endpoint was called more than once. */
  readonly duplicates: number;
  /**
   * CPU time of the controller processes per re-poll, in ms (those that reported: a killed one does
   * not), idle time included: with the database on the same cores, what a re-poll costs the controller.
   */
  readonly controllerCpuMsPerRepoll: number;
  /**
   * CPU time of the database server processes serving the workers, per re-poll, in ms: read from
   * /proc, so only with the server on this machine and readable (else null). Background processes
   * (WAL writer, checkpointer, autovacuum) are not counted.
   */
  readonly databaseCpuMsPerRepoll: number | null;
}

export interface Stat {
  readonly n: number;
  readonly p50: number;
  readonly mean: number;
  readonly p99: number;
}

export interface PlanSummary {
  readonly executionMs: number;
  /** Shared buffers hit and read: pages the statement touched. */
  readonly buffers: number;
  readonly seqScans: readonly string[];
}

export interface KillFigures extends RunFigures {
  /** Tasks the killed process held (running, under its lease) when it died. */
  readonly heldTasks: number;
  /** From the kill to each held task's claim by another process ('recovered' event). */
  readonly takeoverMs: { readonly max: number; readonly p50: number };
  /** From each held task's lease end to its takeover: a lease ends, the task is claimed at once. */
  readonly afterLeaseEndMs: { readonly max: number };
  /** Duplicate calls beyond those of the killed process's unrecorded attempts (must be 0). */
  readonly duplicatesBesideKilled: number;
  readonly leaseMs: number;
}

export interface SizeFigures {
  readonly seedMs: number;
  /** The median round. */
  readonly run: RunFigures;
  /** Re-polls/s of each round. */
  readonly rounds: readonly number[];
  readonly plans: Record<string, PlanSummary>;
}

export interface ScaleResults {
  readonly claimMs: Record<string, number>;
  readonly repollsPerSecond: Record<string, number>;
  readonly sizes: Record<string, SizeFigures>;
  readonly degradation: {
    readonly claimMs: number;
    readonly repollsPerSecond: number;
    readonly from: number;
    readonly to: number;
    /** The issue's goal: claim time and re-polls/s within 20% from the smallest size to the largest. */
    readonly withinGoal: boolean;
  };
  readonly processes?: {
    readonly size: number;
    readonly one: RunFigures;
    readonly three: RunFigures;
    /** The median of the rounds' ratios (3 processes' re-polls/s over 1's). */
    readonly threeVsOne: number;
    readonly rounds: readonly number[];
    readonly killed: KillFigures;
  };
  readonly usageSync?: unknown;
  readonly settings: Record<string, number>;
  readonly machine: Record<string, unknown>;
  readonly date: string;
}

const WORKER = join(__dirname, 'worker.ts');

function stat(values: readonly number[]): Stat {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const round = (x: number) => Math.round(x * 1000) / 1000;
  const mean = sorted.length === 0 ? 0 : sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return { n: sorted.length, p50: round(at(0.5)), mean: round(mean), p99: round(at(0.99)) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Worker {
  readonly child: ChildProcess;
  readonly callsFile: string;
  readonly ready: Promise<void>;
  readonly owner: Promise<string>;
  /** Starts its figures over (after the warm-up); resolves once it has. */
  measure(): Promise<void>;
  readonly figures: Promise<WorkerFigures | undefined>;
}

function startWorker(url: string, schema: string, callsFile: string, env: Record<string, string>): Worker {
  const child = fork(WORKER, [url, schema, callsFile], {
    execArgv: ['-r', 'ts-node/register/transpile-only'],
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let onReady: () => void = () => {};
  let onOwner: (owner: string) => void = () => {};
  let onFigures: (figures: WorkerFigures | undefined) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    onReady = resolve;
    child.once('exit', (code) => reject(new Error(`bench:scale worker exited with ${code} before it was ready`)));
  });
  const owner = new Promise<string>((resolve) => (onOwner = resolve));
  let onMeasuring: () => void = () => {};
  const measure = (): Promise<void> =>
    new Promise<void>((resolve) => {
      onMeasuring = resolve;
      child.send({ kind: 'measure' });
    });
  const figures = new Promise<WorkerFigures | undefined>((resolve) => {
    onFigures = resolve;
    child.once('exit', () => resolve(undefined));
  });
  // Whichever is not awaited must not be an unhandled rejection.
  ready.catch(() => {});
  child.on('message', (message: WorkerMessage) => {
    if (message.kind === 'ready') onReady();
    else if (message.kind === 'owner') onOwner(message.owner);
    else if (message.kind === 'measuring') onMeasuring();
    else onFigures(message.figures);
  });
  return { child, callsFile, ready, owner, measure, figures };
}

/**
 * The calls of each (task, attempt) key in the given calls files, by file: those of the resources in
 * `of` only (the warm-up's are not counted).
 */
function callCounts(files: readonly string[], of: ReadonlySet<string>): Map<string, string[]> {
  const calls = new Map<string, string[]>();
  for (const file of files) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (line === '' || !of.has(line.slice(0, line.indexOf(' ')))) continue;
      const by = calls.get(line);
      if (by) by.push(file);
      else calls.set(line, [file]);
    }
  }
  return calls;
}

/**
 * Which tasks of a slice had their last endpoint call (`<resource id> <polls - 1>` in a calls file),
 * read from the files as they grow (each read takes what was appended since the last).
 */
class LastCalls {
  private readonly offsets: number[];
  private readonly rests: string[];
  private readonly done = new Set<string>();
  private readonly suffix: string;

  constructor(
    private readonly files: readonly string[],
    private readonly of: ReadonlySet<string>,
    polls: number,
  ) {
    this.offsets = files.map(() => 0);
    this.rests = files.map(() => '');
    this.suffix = ` ${polls - 1}`;
  }

  get seen(): number {
    return this.done.size;
  }

  /** Reads what the files gained; answers how many tasks of the slice had their last call. */
  read(): number {
    this.files.forEach((file, k) => {
      if (!existsSync(file)) return;
      const size = statSync(file).size;
      if (size <= this.offsets[k]) return;
      const buffer = Buffer.alloc(size - this.offsets[k]);
      const fd = openSync(file, 'r');
      try {
        readSync(fd, buffer, 0, buffer.length, this.offsets[k]);
      } finally {
        closeSync(fd);
      }
      this.offsets[k] = size;
      const lines = (this.rests[k] + buffer.toString('utf8')).split('\n');
      this.rests[k] = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.endsWith(this.suffix)) continue;
        const id = line.slice(0, line.indexOf(' '));
        if (this.of.has(id)) this.done.add(id);
      }
    });
    return this.done.size;
  }
}

interface SliceRun {
  readonly figures: RunFigures;
  readonly kill?: Omit<KillFigures, keyof RunFigures>;
}

/**
 * Tasks [from, from + count) made due now, run by `processes` workers until all succeeded; with
 * `killAfterMs`, worker 0 is killed (SIGKILL) that long after the tasks fell due. Before them, the
 * workers run the tasks of `warmup` ([first, end) ids, if any) to the end, unmeasured: a process's
 * first thousands of attempts run code still being compiled, and three processes compile it three
 * times (their CPU time per re-poll was half again one process's without a warm-up).
 */
async function runSlice(
  client: Client,
  url: string,
  schema: string,
  settings: Required<Pick<ScaleBenchOptions, 'polls' | 'retryMs' | 'concurrency' | 'leaseMs'>>,
  from: number,
  count: number,
  processes: number,
  warmup: { readonly from: number; readonly count: number } | undefined,
  killAfterMs?: number,
): Promise<SliceRun> {
  const s = `"${schema}"`;
  const dir = mkdtempSync(join(os.tmpdir(), 'apskit-scale-'));
  const env = {
    BENCH_POLLS: String(settings.polls),
    BENCH_RETRY_MS: String(settings.retryMs),
    BENCH_CONCURRENCY: String(settings.concurrency),
    BENCH_LEASE_MS: String(settings.leaseMs),
  };
  const workers = Array.from({ length: processes }, (_, i) =>
    startWorker(url, schema, join(dir, `calls-${i}.txt`), { ...env, BENCH_APPLICATION_NAME: applicationName(i) }),
  );
  try {
    await Promise.all(workers.map((w) => w.ready));
    if (warmup && warmup.count > 0) {
      const [wFirst, wEnd] = [taskId(warmup.from), taskId(warmup.from + warmup.count)];
      await client.query(`UPDATE ${s}.tasks SET next_run_at = $1 WHERE id >= $2 AND id < $3`, [
        Date.now(),
        wFirst,
        wEnd,
      ]);
      for (const warmupStart = Date.now(); ;) {
        await sleep(25);
        const { rows } = await client.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM ${s}.tasks WHERE id >= $1 AND id < $2 AND status = 'succeeded'`,
          [wFirst, wEnd],
        );
        if (rows[0].n === warmup.count) break;
        if (Date.now() - warmupStart > 120_000) throw new Error('bench:scale: the warm-up did not end in time');
      }
      // As between runs (resetSlice): the warm-up's dead row versions and index entries cleared, so
      // that the measured run does not read through them (its claims and outcomes were a third slower).
      await client.query(`VACUUM (ANALYZE) ${s}.tasks, ${s}.task_events, ${s}.resources`);
      await Promise.all(workers.map((w) => w.measure()));
    }
    const databaseCpuAtStart = await databaseCpuMs(client);
    const [first, end] = [taskId(from), taskId(from + count)];
    const start = Date.now();
    await client.query(`UPDATE ${s}.tasks SET next_run_at = $1 WHERE id >= $2 AND id < $3`, [start, first, end]);
    let kill: { at: number; owner: string; held: { id: string; lease_until: number }[] } | undefined;
    const deadline = start + 120_000 + (killAfterMs === undefined ? 0 : settings.leaseMs);
    const slice = new Set(Array.from({ length: count }, (_, i) => resourceId(from + i)));
    const finals = new LastCalls(
      workers.map((w) => w.callsFile),
      slice,
      settings.polls,
    );
    for (;;) {
      await sleep(finals.seen < count ? 25 : 5);
      if (killAfterMs !== undefined && !kill && Date.now() - start >= killAfterMs) {
        const owner = await workers[0].owner;
        workers[0].child.kill('SIGKILL');
        const at = Date.now();
        await new Promise((resolve) => workers[0].child.once('exit', resolve));
        // A statement the process sent before it died still runs, and may commit (an outcome): the
        // tasks it held are those still under its lease once its server processes have ended.
        for (let waited = 0; waited < 10_000; waited += 10) {
          const { rows } = await client.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1',
            [applicationName(0)],
          );
          if (rows[0].n === 0) break;
          await sleep(10);
        }
        const { rows } = await client.query<{ id: string; lease_until: number }>(
          `SELECT id, lease_until FROM ${s}.tasks WHERE id >= $1 AND id < $2 AND status = 'running' AND lease_owner = $3`,
          [first, end, owner],
        );
        kill = { at, owner, held: rows };
      }
      // The database is asked only once every task of the slice had its last call (the calls files
      // say so): a count of the slice's successes every 25 ms took 4 ms of a core each time, beside
      // the run it measures.
      if (finals.read() < count && Date.now() <= deadline) continue;
      const { rows } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${s}.tasks WHERE id >= $1 AND id < $2 AND status = 'succeeded'`,
        [first, end],
      );
      if (rows[0].n === count) break;
      if (Date.now() > deadline) throw new Error(`bench:scale: ${rows[0].n} of ${count} tasks succeeded in time`);
    }
    const elapsedMs = Date.now() - start;
    const databaseCpuAtEnd = await databaseCpuMs(client);
    const alive = workers.filter((_, i) => !(kill && i === 0));
    for (const w of alive) w.child.send({ kind: 'stop' });
    const parts = (await Promise.all(alive.map((w) => w.figures))).filter((f): f is WorkerFigures => !!f);
    if (parts.length !== alive.length) throw new Error('bench:scale: a worker exited without its figures');

    const calls = callCounts(
      workers.map((w) => w.callsFile),
      slice,
    );
    let repolls = 0;
    let duplicates = 0;
    let duplicatesBesideKilled = 0;
    for (const by of calls.values()) {
      repolls += by.length;
      if (by.length < 2) continue;
      duplicates++;
      // A killed process's attempt that it called but never recorded is run again: that is the
      // takeover. Any other repeat is a task run twice.
      const killedCalls = by.filter((f) => f === workers[0].callsFile).length;
      if (!kill || by.length - killedCalls > 1 || killedCalls === 0) duplicatesBesideKilled++;
    }
    const figures: RunFigures = {
      processes,
      tasks: count,
      repolls,
      elapsedMs,
      repollsPerSecond: Math.round((repolls / elapsedMs) * 1000),
      claimMs: stat(parts.flatMap((p) => p.claimMs)),
      completeMs: stat(parts.flatMap((p) => p.completeMs)),
      nextWakeUpMs: stat(parts.flatMap((p) => p.nextWakeUpMs)),
      emptyClaims: parts.reduce((n, p) => n + p.emptyClaims, 0),
      peakRssMb: Math.max(...parts.map((p) => p.peakRssMb)),
      duplicates,
      databaseCpuMsPerRepoll:
        databaseCpuAtStart === undefined || databaseCpuAtEnd === undefined
          ? null
          : Math.round(((databaseCpuAtEnd - databaseCpuAtStart) / repolls) * 1000) / 1000,
      controllerCpuMsPerRepoll: Math.round((parts.reduce((n, p) => n + p.cpuMs, 0) / repolls) * 1000) / 1000,
    };
    if (!kill) return { figures };
    const { rows: recovered } = await client.query<{ task_id: string; at: number }>(
      `SELECT task_id, at FROM ${s}.task_events WHERE kind = 'recovered' AND task_id = ANY($1::text[])`,
      [kill.held.map((h) => h.id)],
    );
    const recoveredAt = new Map(recovered.map((r) => [r.task_id, r.at]));
    const takeover = kill.held.map((h) => (recoveredAt.get(h.id) ?? Number.NaN) - kill.at);
    const afterLease = kill.held.map((h) => (recoveredAt.get(h.id) ?? Number.NaN) - h.lease_until);
    if (takeover.some(Number.isNaN))
      throw new Error('bench:scale: a held task of the killed process was not recovered');
    const sorted = [...takeover].sort((a, b) => a - b);
    return {
      figures,
      kill: {
        heldTasks: kill.held.length,
        takeoverMs: {
          max: Math.round(sorted[sorted.length - 1] ?? 0),
          p50: Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0),
        },
        afterLeaseEndMs: { max: Math.round(Math.max(0, ...afterLease)) },
        duplicatesBesideKilled,
        leaseMs: settings.leaseMs,
      },
    };
  } finally {
    // A worker that sent its figures exits on its own (node's --cpu-prof, for one, writes its profile
    // then); one that has not within a second is killed.
    await Promise.all(
      workers.map(async (w) => {
        const exited = () => w.child.exitCode !== null || w.child.signalCode !== null;
        for (let waited = 0; waited < 1000 && !exited(); waited += 50) await sleep(50);
        if (!exited()) w.child.kill('SIGKILL');
      }),
    );
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * CPU time so far, in ms, of the server processes of the workers' connections (by application_name),
 * from /proc/<pid>/stat; undefined when a process is not readable (a server elsewhere). A connection
 * that closes in the meantime takes its time along: the pools are open for a whole run.
 */
async function databaseCpuMs(client: Client): Promise<number | undefined> {
  const { rows } = await client.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE starts_with(application_name, $1)',
    [`${BENCH_APPLICATION_NAME}${process.pid}-`],
  );
  const ticksPerSecond = 100; // USER_HZ, 100 on Linux
  let ticks = 0;
  for (const { pid } of rows) {
    const stat = `/proc/${pid}/stat`;
    if (!existsSync(stat)) return undefined;
    const text = readFileSync(stat, 'utf8');
    // Another machine's pid may be a process of this one: only a postgres process counts.
    if (!text.includes('(postgres)')) return undefined;
    // The fields after the command's closing parenthesis; utime and stime are the 14th and 15th.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks * 1000) / ticksPerSecond;
}

/** The run with the median re-polls/s. */
function median(runs: readonly RunFigures[]): RunFigures {
  return [...runs].sort((a, b) => a.repollsPerSecond - b.repollsPerSecond)[Math.floor(runs.length / 2)];
}

/** Tasks [0, count) scheduled again a day from now, their resources as seeded: ready for another run. */
async function resetSlice(client: Client, schema: string, count: number): Promise<void> {
  const s = `"${schema}"`;
  const far = Date.now() + 86_400_000;
  await client.query(
    `UPDATE ${s}.tasks SET status = 'scheduled', attempts = 1, next_run_at = $1, ended_at = NULL, lease_owner = NULL,
       lease_until = NULL, output = 'queued' WHERE id < $2 AND status <> 'scheduled'`,
    [far, taskId(count)],
  );
  await client.query(
    `UPDATE ${s}.resources SET status = 'aps:provisioning', revision = 1, properties = '{"polls":0}'
     WHERE id < $1`,
    [resourceId(count)],
  );
  // Every run starts from the same state: the dead row versions and index entries of the runs before
  // it cleared, as autovacuum clears a busy queue's between its rounds. Without it each run inherited
  // the earlier runs' dead entries in the slice's range of the due index (a claim of 16 read 200
  // pages of them), so a size's third run was up to 18% slower than its first and the comparison
  // between sizes depended on how many runs each had made.
  await client.query(`VACUUM (ANALYZE) ${s}.tasks, ${s}.task_events, ${s}.resources`);
}

/** One subscription per resource (naming it as source), and a few naming the type: an event no task raises. */
async function seedSubscriptions(client: Client, schema: string, n: number): Promise<void> {
  const s = `"${schema}"`;
  await client.query('BEGIN');
  try {
    await client.query('SET LOCAL synchronous_commit = off');
    await client.query(
      `INSERT INTO ${s}.subscriptions (id, subscriber_id, event, source_type, source_id, relation, handler, declared, created_at)
     SELECT 's' || i, 'r' || lpad(((i + 1) % $1)::text, 7, '0'), $2, NULL, 'r' || lpad(i::text, 7, '0'), NULL,
       'onNever', false, $3::float8
     FROM generate_series(0::bigint, $1::bigint - 1) AS i
     UNION ALL
     SELECT 'st' || i, 'r' || lpad(i::text, 7, '0'), $2, $4, NULL, NULL, 'onNever', false, $3::float8
     FROM generate_series(0::bigint, 9) AS i`,
      [n, NEVER_EVENT, Date.now(), SCALE_TYPE],
    );
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  }
  await client.query(`ANALYZE ${s}.subscriptions`);
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) of the queue's statements and the reads beside them, in a transaction
 * that is rolled back (ANALYZE runs the claim and the complete). 16 tasks of [from, from + 16) are
 * made due; the claim (with resources, as the scheduler's own claims) takes 8, and the complete
 * records them as succeeded and claims the other 8 in the same statement, as a batch does.
 */
async function explainPlans(client: Client, schema: string, n: number, from: number): Promise<Record<string, string>> {
  const s = `"${schema}"`;
  const sql = statements(s);
  const explain = async (text: string, values: unknown[] = []) =>
    (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${text}`, values)).rows
      .map((r) => r['QUERY PLAN'])
      .join('\n');
  const plans: Record<string, string> = {};
  const now = Date.now();
  await client.query('BEGIN');
  try {
    await client.query(`UPDATE ${s}.tasks SET next_run_at = $1 WHERE id >= $2 AND id < $3`, [
      now,
      taskId(from),
      taskId(from + 16),
    ]);
    plans.claim = await explain(sql.claimWithResources, [now, 8, 'explain', now + 60_000, RECOVERED_MESSAGE]);
    // The claimed tasks' outcomes (succeeded, resource written), as the store sends them (rows.ts outcomeJson).
    const { rows } = await client.query<{ input: string }>(
      `SELECT json_agg(json_build_object('i', k - 1, 'id', t.id, 'name', t.name, 'description', 'done', 'output', 'done',
         'status', 'succeeded', 'attempts', t.attempts, 'next_run_at', NULL, 'deadline_at', NULL, 'phase', t.phase,
         'request', t.request, 'updated_at', $1::float8, 'ended_at', $1::float8, 'lease_owner', NULL, 'lease_until', NULL,
         'e_task_id', t.id, 'e_at', $1::float8, 'e_kind', 'succeeded', 'e_message', 'done', 'e_attempt', t.attempts,
         'r', 'put', 'r_id', r.id, 'r_type', r.type, 'r_status', 'aps:ready', 'r_revision', r.revision + 1,
         'r_modified', $1::float8, 'r_properties', r.properties))::text AS input
       FROM (SELECT *, row_number() OVER (ORDER BY id) AS k FROM ${s}.tasks WHERE lease_owner = 'explain') t
       JOIN ${s}.resources r ON r.id = t.resource_id`,
      [now],
    );
    plans.complete = await explain(sql.completeAndClaim, [
      rows[0].input,
      'explain',
      99,
      '[]',
      now,
      8,
      now + 60_000,
      RECOVERED_MESSAGE,
    ]);
    plans.nextWakeUp = await explain(sql.nextWakeUp);
    const page = compileResourceQuery('postgres', { type: SCALE_TYPE }, `${s}.links`);
    const k = page.values.length;
    plans.resourcePage = await explain(
      `SELECT ${RESOURCE_COLUMNS} FROM ${s}.resources ${page.where} ${page.orderBy} LIMIT $${k + 1} OFFSET $${k + 2}`,
      [...page.values, 100, 0],
    );
    plans.matchingSubscriptions = await explain(sql.matchingSubscriptions, [
      NEVER_EVENT,
      resourceId(Math.floor(n / 2)),
      [SCALE_TYPE],
    ]);
  } finally {
    await client.query('ROLLBACK');
  }
  return plans;
}

function summarize(plan: string): PlanSummary {
  const executionMs = Number(/Execution Time: ([\d.]+) ms/.exec(plan)?.[1] ?? Number.NaN);
  // The top node's buffers are the statement's (its children's included).
  const top = /Buffers: shared([^\n]*)/.exec(plan)?.[1] ?? '';
  const buffers = [...top.matchAll(/(?:hit|read|dirtied|written)=(\d+)/g)]
    .filter((m) => !m[0].startsWith('dirtied') && !m[0].startsWith('written'))
    .reduce((sum, m) => sum + Number(m[1]), 0);
  const seqScans = [...plan.matchAll(/Seq Scan on (\S+)/g)].map((m) => m[1]);
  return { executionMs, buffers, seqScans };
}

/** Runs the whole benchmark and writes `output` (scale.json) and `plansOutput`. */
export async function runScaleBench(options: ScaleBenchOptions): Promise<ScaleResults> {
  const log = options.log ?? ((line: string) => console.error(line));
  const sizes = [...options.sizes].sort((a, b) => a - b);
  if (sizes.length === 0) throw new Error('bench:scale: no sizes');
  const settings = {
    polls: options.polls ?? 3,
    retryMs: options.retryMs ?? 500,
    concurrency: options.concurrency ?? 16,
    leaseMs: options.leaseMs ?? 5000,
  };
  // The slice and the plans' 16 tasks beside it must fit in the smallest size.
  const due = Math.min(options.due ?? 5000, sizes[0] - 16);
  // The warm-up's tasks come after the slice and the plans' 16.
  const warmup = Math.max(0, Math.min(options.warmup ?? 1000, sizes[0] - due - 16));
  const rounds = Math.max(1, options.rounds ?? 1);
  const processesAt = sizes.includes(options.processesAt ?? 100_000)
    ? (options.processesAt ?? 100_000)
    : sizes[sizes.length - 1];
  const url = options.databaseUrl;
  const client = new Client({ connectionString: url });
  await client.connect();
  const perSize: Record<string, SizeFigures> = {};
  let processes: ScaleResults['processes'];
  let plansText = '';
  try {
    for (const n of sizes) {
      const schema = `apskit_scale_${process.pid}_${n}`;
      try {
        const store = new PostgresStore({ connectionString: url, schema });
        await store.init();
        await store.close();
        const seedStart = Date.now();
        await seed(client, {
          schema,
          resources: n,
          type: SCALE_TYPE,
          properties: () => `'{"polls":0}'`,
          tasks: { count: n, dueFrom: seedStart + 86_400_000, dueTo: seedStart + 2 * 86_400_000 },
        });
        await seedSubscriptions(client, schema, n);
        const seedMs = Date.now() - seedStart;
        log(`${n}: seeded ${n} resources, tasks and subscriptions in ${seedMs} ms`);

        // The same `due` tasks in every run, reset and vacuumed in between: a run differs from
        // another only in its processes.
        const runOnce = async (count: number, killAfterMs?: number) => {
          await resetSlice(client, schema, due + 16 + warmup);
          return runSlice(client, url, schema, settings, 0, due, count, { from: due + 16, count: warmup }, killAfterMs);
        };
        const describe = (f: RunFigures) =>
          `${f.repollsPerSecond} re-polls/s, claim p50 ${f.claimMs.p50} ms, complete p50 ${f.completeMs.p50} ms, peak RSS ${f.peakRssMb} MB, duplicates ${f.duplicates}, CPU a re-poll: controller ${f.controllerCpuMsPerRepoll} ms, database ${f.databaseCpuMsPerRepoll ?? '?'} ms`;
        // At processesAt, 1 and 3 processes alternate, round after round, so that a busy moment of
        // the machine hits both alike; each keeps its median round by re-polls/s.
        const ones: RunFigures[] = [];
        const threes: RunFigures[] = [];
        for (let round = 0; round < rounds; round++) {
          const one = (await runOnce(1)).figures;
          ones.push(one);
          log(`${n}: 1 process, ${due} tasks x ${settings.polls}: ${describe(one)}`);
          if (n !== processesAt) continue;
          const three = (await runOnce(3)).figures;
          threes.push(three);
          log(
            `${n}: 3 processes: ${describe(three)} (${(three.repollsPerSecond / one.repollsPerSecond).toFixed(2)} of 1)`,
          );
        }
        const one = median(ones);
        const rawPlans = await explainPlans(client, schema, n, due);
        const plans = Object.fromEntries(Object.entries(rawPlans).map(([k, v]) => [k, summarize(v)]));
        log(
          `${n}: plans ${Object.entries(plans)
            .map(
              ([k, p]) =>
                `${k} ${p.executionMs} ms ${p.buffers} buffers${p.seqScans.length ? ` SEQ SCAN ${p.seqScans.join(',')}` : ''}`,
            )
            .join('; ')}`,
        );
        if (n === sizes[sizes.length - 1])
          plansText = Object.entries(rawPlans)
            .map(([k, v]) => `-- ${k} at ${n} scheduled tasks and resources\n${v}\n`)
            .join('\n');
        perSize[String(n)] = { seedMs, run: one, rounds: ones.map((r) => r.repollsPerSecond), plans };

        if (n === processesAt) {
          const three = median(threes);
          const killed = await runOnce(3, Math.round(three.elapsedMs * 0.4));
          const kill = killed.kill as NonNullable<SliceRun['kill']>;
          log(
            `${n}: 3 processes, one killed: ${kill.heldTasks} held tasks taken over ${kill.takeoverMs.p50} ms (p50), ${kill.takeoverMs.max} ms (max) after the kill, lease ${settings.leaseMs} ms; at most ${kill.afterLeaseEndMs.max} ms after a lease ended; duplicates ${killed.figures.duplicates} (${kill.duplicatesBesideKilled} beside the killed process's attempts)`,
          );
          const ratios = ones.map((o, i) => threes[i].repollsPerSecond / o.repollsPerSecond).sort((a, b) => a - b);
          processes = {
            size: n,
            one,
            three,
            threeVsOne: Math.round(ratios[Math.floor(ratios.length / 2)] * 100) / 100,
            rounds: ratios.map((r) => Math.round(r * 100) / 100),
            killed: { ...killed.figures, ...kill },
          };
        }
      } finally {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      }
    }
  } finally {
    await client.end();
  }

  let usageSync: unknown;
  const usageResources = options.usageSyncResources ?? sizes[sizes.length - 1];
  const usageModule = join(__dirname, 'usage-sync.ts');
  if (usageResources > 0 && existsSync(usageModule)) {
    // H23c's measurement, when its module is there (see usage-sync.ts).
    const { measureUsageSync } = (await import(usageModule)) as {
      measureUsageSync: (o: { databaseUrl: string; resources: number }) => Promise<unknown>;
    };
    usageSync = await measureUsageSync({ databaseUrl: url, resources: usageResources });
    log(`usage sync at ${usageResources}: ${JSON.stringify(usageSync)}`);
  }

  const [smallest, largest] = [perSize[String(sizes[0])].run, perSize[String(sizes[sizes.length - 1])].run];
  const results: ScaleResults = {
    claimMs: Object.fromEntries(Object.entries(perSize).map(([n, f]) => [n, f.run.claimMs.p50])),
    repollsPerSecond: Object.fromEntries(Object.entries(perSize).map(([n, f]) => [n, f.run.repollsPerSecond])),
    sizes: perSize,
    // Largest against smallest: claimMs above 1 is slower, re-polls/s below 1 is slower (the goal: within 20%).
    degradation: {
      claimMs: Math.round((largest.claimMs.p50 / smallest.claimMs.p50) * 100) / 100,
      repollsPerSecond: Math.round((largest.repollsPerSecond / smallest.repollsPerSecond) * 100) / 100,
      from: sizes[0],
      to: sizes[sizes.length - 1],
      withinGoal:
        largest.claimMs.p50 <= 1.2 * smallest.claimMs.p50 &&
        largest.repollsPerSecond >= 0.8 * smallest.repollsPerSecond,
    },
    ...(processes && { processes }),
    ...(usageSync !== undefined && { usageSync }),
    settings: { due, ...settings },
    machine: {
      cpus: os.cpus().length,
      cpu: os.cpus()[0]?.model,
      node: process.version,
      totalMemMb: Math.round(os.totalmem() / 2 ** 20),
    },
    date: new Date().toISOString(),
  };
  mkdirSync(dirname(options.output), { recursive: true });
  writeFileSync(options.output, `${JSON.stringify(results, null, 2)}\n`);
  mkdirSync(dirname(options.plansOutput), { recursive: true });
  writeFileSync(options.plansOutput, plansText);
  return results;
}
