/**
 * The usage sync at scale on PostgreSQL (issue 23): one whole "Synchronize resource usage" task over
 * `resources` counted resources, inserted in bulk, with the controller's in-process endpoint (a
 * `retrieve()` that answers at once), while provisioning tasks fall due at a modest steady rate. It
 * reports retrieves per second over the whole sync, the provisioning tasks' lateness (claim time
 * against due time, p50/p99) during it, and the peak RSS of the process (sampled every 25 ms).
 *
 * Each measurement runs in a process of its own (this file with `--worker`), so that its peak RSS is
 * its own. `measureUsageSync` is what bench/scale/run.ts calls; alone (development):
 *
 *   APSKIT_BENCH_DATABASE_URL=postgres://… BENCH_SCALE_SIZES=10000,100000 npx ts-node -T bench/scale/usage-sync.ts
 *
 * prints one JSON line of figures per size (stderr says what it does).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { ApsType, CoreTypes, Counter, Property } from '@apskit/core';
import { Controller, type Store } from '@apskit/controller';
import { PostgresStore } from '@apskit/store-postgres';
import { seed } from './seed';

export interface UsageSyncOptions {
  /** PostgreSQL (a schema of its own is made and dropped). */
  readonly databaseUrl: string;
  /** Counted resources to synchronize. */
  readonly resources: number;
  /** Every `changedEvery`-th resource reports a new usage (a write and a `changed`); default 10. */
  readonly changedEvery?: number;
  /** Provisioning tasks falling due per second during the sync; default 20. */
  readonly provisioningPerSecond?: number;
}

export interface UsageSyncFigures {
  readonly resources: number;
  /** Retrieves over the whole sync (from the trigger to the task's success), per second. */
  readonly retrievesPerSecond: number;
  readonly elapsedMs: number;
  readonly retrieved: number;
  readonly changed: number;
  /** The task's output, as the API shows it. */
  readonly output: string;
  /** Peak RSS of the controller's process over the sync, in MB. */
  readonly peakRssMb: number;
  /** RSS once the controller has started, before the sync, in MB. */
  readonly startRssMb: number;
  /**
   * The JavaScript heap in use after a full collection, before and after the sync, in MB: what the
   * process keeps (the peak RSS also holds garbage not collected yet).
   */
  readonly heapAfterGcMb: { readonly before: number; readonly after: number };
  /** The provisioning tasks that fell due during the sync: how many ran, how late they were claimed. */
  readonly provisioning: { readonly tasks: number; readonly latenessMs: { p50: number; p99: number; max: number } };
  /** How long the bulk insert of the resources took (not part of the sync). */
  readonly seedMs: number;
}

const MAILBOX_TYPE = 'http://apskit.dev/bench/mailbox/1.0';
const TICK_TYPE = 'http://apskit.dev/bench/usage-tick/1.0';
/** How long the sync may make no progress before the run fails. */
const STALL_MS = 120_000;

/** One measurement in a process of its own. */
export function measureUsageSync(options: UsageSyncOptions): Promise<UsageSyncFigures> {
  const child = spawn(
    process.execPath,
    ['--expose-gc', '-r', 'ts-node/register/transpile-only', __filename, '--worker'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true', BENCH_USAGE_OPTIONS: JSON.stringify(options) },
    },
  );
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').pop() as string) as UsageSyncFigures)
        : reject(new Error(`usage sync worker exited with ${code}`)),
    ),
  );
}

/** The endpoint's usage for resource number `i` (its id `r<i>`): a new value for every changedEvery-th. */
function usageOf(i: number, changedEvery: number): number {
  return i % changedEvery === 0 ? (i % 90) + 1 : 0;
}

async function worker(options: UsageSyncOptions): Promise<UsageSyncFigures> {
  const changedEvery = options.changedEvery ?? 10;
  const perSecond = options.provisioningPerSecond ?? 20;

  @ApsType({ name: 'mailbox', id: MAILBOX_TYPE, implements: [CoreTypes.resource] })
  class Mailbox {
    @Property({ type: 'string' })
    name?: string;

    @Property({ unit: 'mb' })
    diskspace?: Counter;

    /** Answers at once: the usage the bench decided for this resource. */
    retrieve(this: Mailbox & { aps?: { id?: string } }): Partial<Mailbox> {
      const i = Number((this.aps?.id ?? 'r0').slice(1));
      return { diskspace: { usage: usageOf(i, changedEvery), limit: 100 } };
    }
  }

  @ApsType({ name: 'tick', id: TICK_TYPE, implements: [CoreTypes.resource] })
  class Tick {
    @Property({ type: 'string' })
    name?: string;
  }

  const schema = `apskit_usage_${process.pid}`;
  const client = new Client({ connectionString: options.databaseUrl });
  await client.connect();
  let controller: Controller | undefined;
  try {
    const store = new PostgresStore({ connectionString: options.databaseUrl, schema });
    await store.init();
    const seedStart = Date.now();
    await seedMailboxes(client, schema, options.resources);
    const seedMs = Date.now() - seedStart;
    console.error(`usage sync: ${options.resources} resources inserted in ${seedMs} ms`);

    const lateness: number[] = [];
    let provisioned = 0;
    controller = new Controller({
      app: { name: 'bench', services: { mailboxes: Mailbox, ticks: Tick } },
      store,
      usageSyncSeconds: false,
      pollMs: 100,
      onClaim: (task, late) => {
        if (task.operation === 'provision') {
          lateness.push(late);
          provisioned++;
        }
      },
    });
    await controller.start();
    const heapBefore = heapAfterGc();
    const startRss = process.memoryUsage.rss();
    let peakRss = startRss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 25);

    // Provisioning tasks due at a steady rate, inserted a little ahead of time as a first 202 would.
    let ticking = true;
    const ticks = (async () => {
      const every = 1000 / perSecond;
      let next = Date.now() + 200;
      while (ticking) {
        await insertTick(store, next);
        next += every;
        const wait = next - 200 - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
    })();

    const start = Date.now();
    const { task } = await controller.syncUsage();
    let ended = await controller.getTask(task.id);
    let lastLog = start;
    let lastProgress = { output: ended.output, at: start };
    while (!['succeeded', 'failed', 'canceled'].includes(ended.status)) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      ended = await controller.getTask(task.id);
      // A sync that stopped moving (a bug, a lost database) fails the run rather than hang it.
      if (ended.output !== lastProgress.output) lastProgress = { output: ended.output, at: Date.now() };
      else if (Date.now() - lastProgress.at > STALL_MS)
        throw new Error(`the sync made no progress for ${STALL_MS / 1000} s: ${ended.status}, ${ended.output}`);
      if (Date.now() - lastLog > 10_000) {
        lastLog = Date.now();
        console.error(`usage sync: ${ended.output} after ${Math.round((lastLog - start) / 1000)} s`);
      }
    }
    const elapsedMs = Date.now() - start;
    ticking = false;
    await ticks;
    clearInterval(sampler);
    const heapAfter = heapAfterGc();
    const match = /^Synchronized (\d+) of (\d+) resources \((\d+) changed/.exec(ended.output);
    const retrieved = Number(match?.[2] ?? 0);
    if (ended.status !== 'succeeded' || retrieved !== options.resources)
      throw new Error(`the sync ended ${ended.status}: ${ended.output}`);
    const sorted = Float64Array.from(lateness).sort();
    const at = (q: number): number =>
      Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
    return {
      resources: options.resources,
      retrievesPerSecond: Math.round((retrieved / elapsedMs) * 1000),
      elapsedMs,
      retrieved,
      changed: Number(match?.[3] ?? 0),
      output: ended.output,
      peakRssMb: Math.round(peakRss / 1024 / 1024),
      startRssMb: Math.round(startRss / 1024 / 1024),
      heapAfterGcMb: { before: heapBefore, after: heapAfter },
      provisioning: {
        tasks: provisioned,
        latenessMs: { p50: at(0.5), p99: at(0.99), max: Math.round(sorted[sorted.length - 1] ?? 0) },
      },
      seedMs,
    };
  } finally {
    await controller?.stop();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  }
}

/** The heap in use after a full collection (the worker runs with --expose-gc), in MB, one decimal. */
function heapAfterGc(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return Math.round((process.memoryUsage().heapUsed / 1024 / 1024) * 10) / 10;
}

/** `count` ready mailboxes `r0000000`…, usage 0 of 100, in bulk (./seed). */
async function seedMailboxes(client: Client, schema: string, count: number): Promise<void> {
  await seed(client, {
    schema,
    resources: count,
    type: MAILBOX_TYPE,
    properties: (i) =>
      `json_build_object('name', 'box' || ${i}, 'diskspace', json_build_object('usage', 0, 'limit', 100))`,
  });
}

/** A provisioning task due at `at`, on a new resource, as a first 202 would have left it. */
async function insertTick(store: Store, at: number): Promise<void> {
  const id = randomUUID();
  const now = Date.now();
  await store.createResourceWithTask(
    { id, type: TICK_TYPE, status: 'aps:provisioning', revision: 1, modified: now, properties: { name: 'tick' } },
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
      createdAt: now,
      updatedAt: now,
      endedAt: null,
      leaseOwner: null,
      leaseUntil: null,
    },
    { taskId: id, at: now, kind: 'created', message: 'created', attempt: 0 },
    [],
  );
}

async function main(): Promise<void> {
  const databaseUrl = process.env.APSKIT_BENCH_DATABASE_URL || process.env.APSKIT_TEST_DATABASE_URL;
  if (!databaseUrl) throw new Error('set APSKIT_BENCH_DATABASE_URL (or APSKIT_TEST_DATABASE_URL)');
  const sizes = (process.env.BENCH_SCALE_SIZES ?? '10000,100000,1000000').split(',').map(Number);
  for (const resources of sizes) {
    const figures = await measureUsageSync({ databaseUrl, resources });
    console.log(JSON.stringify(figures));
  }
}

if (require.main === module) {
  const run =
    process.argv[2] === '--worker'
      ? worker(JSON.parse(process.env.BENCH_USAGE_OPTIONS as string) as UsageSyncOptions).then((f) =>
          console.log(JSON.stringify(f)),
        )
      : main();
  run.catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
