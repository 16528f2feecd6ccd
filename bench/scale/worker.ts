/**
 * One controller process of bench:scale, forked by scale-bench.ts with an IPC channel:
 *
 *   worker.ts <url> <schema> <calls file>      (BENCH_* settings in the environment, see below)
 *
 * It starts a controller on a schema seed.ts filled, says `ready`, and runs whatever falls due until
 * it is told `stop`; then it answers with its figures: how long each claim and each batch of
 * outcomes took, how many re-polls it ran, its peak RSS. Every endpoint call is written
 * at once to the calls file as `<resource id> <polls before the call>` (a write(2) per call, so that
 * a process killed with SIGKILL leaves its calls behind): the parent counts the (task, attempt) pairs
 * called more than once across processes.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { Accepted, ApsType, CoreTypes, Property } from '@apskit/core';
import { Controller } from '@apskit/controller';
import { PostgresStore } from '@apskit/store-postgres';
import type { AttemptOutcome, CompletedAndClaimed } from '@apskit/store';

export const SCALE_TYPE = 'http://apskit.dev/bench/scale/1.0';
/** The application_name of this worker's connections, given by scale-bench.ts. */
const APPLICATION_NAME = process.env.BENCH_APPLICATION_NAME ?? 'apskit-bench-scale';

/** What the worker sends its parent. */
export type WorkerMessage =
  | { readonly kind: 'ready' }
  | { readonly kind: 'owner'; readonly owner: string }
  /** The answer to `measure`: the figures start over from now. */
  | { readonly kind: 'measuring' }
  | { readonly kind: 'figures'; readonly figures: WorkerFigures };

export interface WorkerFigures {
  /**
   * Durations of the calls that claimed a task at least, in ms: claims alone, and batches of outcomes
   * whose statement claimed (those are in completeMs as well).
   */
  readonly claimMs: number[];
  /** Claims that found nothing due. */
  readonly emptyClaims: number;
  /** Durations of the batches of outcomes, each with the claim made in its statement, in ms. */
  readonly completeMs: number[];
  readonly nextWakeUpMs: number[];
  readonly repolls: number;
  readonly peakRssMb: number;
  /** CPU time of the process (user and system) from its controller's start to its stop, in ms. */
  readonly cpuMs: number;
}

const [url, schema, callsFile] = process.argv.slice(2);
const POLLS = Number(process.env.BENCH_POLLS ?? 3);
const RETRY_MS = Number(process.env.BENCH_RETRY_MS ?? 500);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const LEASE_MS = Number(process.env.BENCH_LEASE_MS ?? 120_000);

const calls = openSync(callsFile, 'a');

@ApsType({ name: 'scaled', id: SCALE_TYPE, implements: [CoreTypes.resource] })
class Scaled {
  @Property({ type: 'integer', readonly: true })
  polls?: number;

  provisionAsync(): void {
    const before = this.polls ?? 0;
    const id = (this as { aps?: { id?: string } }).aps?.id ?? '?';
    writeSync(calls, `${id} ${before}\n`);
    this.polls = before + 1;
    // Retry-Timeout is in seconds; the time scale turns 1 s into RETRY_MS.
    if (this.polls < POLLS) throw new Accepted(this, `poll ${this.polls}`, 1);
  }
}

/** The store with its queue calls timed: what grows with the number of rows, if anything does. */
class TimedStore extends PostgresStore {
  readonly claimMs: number[] = [];
  emptyClaims = 0;
  readonly completeMs: number[] = [];
  readonly nextWakeUpMs: number[] = [];

  /** A batch of outcomes with no claim (the scheduler had no room, or was stopping). */
  override async completeAttempts(owner: string, outcomes: readonly AttemptOutcome[]): Promise<boolean[]> {
    const start = performance.now();
    const applied = await super.completeAttempts(owner, outcomes);
    this.completeMs.push(performance.now() - start);
    return applied;
  }

  /**
   * The scheduler's path. Every call that claimed a task counts as a claim, alone or in a batch's
   * statement (where nearly all claims are made now: counting the claims alone would time one or
   * two a run); every batch of outcomes counts as a complete too.
   */
  override async completeAttemptsAndClaim(
    owner: string,
    outcomes: readonly AttemptOutcome[],
    claim: { readonly now: number; readonly limit: number; readonly leaseUntil: number },
  ): Promise<CompletedAndClaimed> {
    const start = performance.now();
    const done = await super.completeAttemptsAndClaim(owner, outcomes, claim);
    const ms = performance.now() - start;
    if (outcomes.length > 0) this.completeMs.push(ms);
    if (done.claimed.length > 0) this.claimMs.push(ms);
    else if (outcomes.length === 0) this.emptyClaims++;
    return done;
  }

  override async nextWakeUp(): Promise<number | undefined> {
    const start = performance.now();
    const at = await super.nextWakeUp();
    this.nextWakeUpMs.push(performance.now() - start);
    return at;
  }
}

function send(message: WorkerMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  // Its connections named for the parent: it sums their server processes' CPU time, and sees them end.
  const store = new TimedStore({ connectionString: url, schema, pool: { application_name: APPLICATION_NAME } });
  let repolls = 0;
  let ownerSent = false;
  let peakRss = process.memoryUsage.rss();
  // memoryUsage.rss(), not memoryUsage(): the whole report every 25 ms was 5% of a worker's profile.
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 25);
  const controller = new Controller({
    app: { name: 'bench-scale', services: { bench: Scaled } },
    store,
    timeScale: RETRY_MS / 1000,
    concurrency: CONCURRENCY,
    leaseMs: LEASE_MS,
    pollMs: 100,
    usageSyncSeconds: false,
    onClaim: (task) => {
      repolls++;
      if (!ownerSent && task.leaseOwner) {
        ownerSent = true;
        send({ kind: 'owner', owner: task.leaseOwner });
      }
    },
  });
  await controller.start();
  let cpuAtStart = process.cpuUsage();
  process.on('message', (message: { kind?: string }) => {
    if (message.kind === 'measure') {
      // After the warm-up (a slice of tasks run before the measured one, so that the code the
      // measured run takes is compiled already, as in a process that has run for a while): the
      // figures start over. Peak RSS is kept: it is the process's.
      store.claimMs.length = 0;
      store.completeMs.length = 0;
      store.nextWakeUpMs.length = 0;
      store.emptyClaims = 0;
      repolls = 0;
      cpuAtStart = process.cpuUsage();
      send({ kind: 'measuring' });
      return;
    }
    if (message.kind !== 'stop') return;
    void (async () => {
      await controller.stop();
      const cpu = process.cpuUsage(cpuAtStart);
      clearInterval(sampler);
      closeSync(calls);
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
      const figures: WorkerFigures = {
        claimMs: store.claimMs,
        emptyClaims: store.emptyClaims,
        completeMs: store.completeMs,
        nextWakeUpMs: store.nextWakeUpMs,
        repolls,
        peakRssMb: Math.round(peakRss / 1024 / 1024),
        cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      };
      send({ kind: 'figures', figures });
      process.disconnect();
    })();
  });
  send({ kind: 'ready' });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
