/**
 * The one scheduler: it claims due tasks from the store (which leases them to this runner, so that
 * no two runners take the same task) and runs at most `concurrency` at once. It sleeps until the
 * store's next wake-up, and at most `pollMs`, so that tasks scheduled by other processes are seen.
 */
import type { AttemptOutcome, ResourceRecord, Store, TaskRecord } from '@apskit/store';
import type { BatchClaimer } from './commit-queue';
import { StartRate } from './start-rate';

/** Pipelined, tasks are claimed ahead for about this long of starts (see Scheduler.ahead)... */
const AHEAD_WINDOW_MS = 25;
/** ...and at most this many times `concurrency` of them. */
const MAX_AHEAD = 16;

/**
 * A claimed task's resource as the store read it in the claim's transaction (`resource` undefined:
 * it had none). Given to runTask when the store answers claims with resources (CompletedAndClaimed).
 */
export interface ClaimedResource {
  readonly resource: ResourceRecord | undefined;
}

export interface SchedulerOptions {
  /** Tasks run at once. */
  readonly concurrency: number;
  /** This runner's name in leases. */
  readonly owner: string;
  /** How long a claimed task is this runner's before another may take it over. */
  readonly leaseMs: number;
  /** The longest sleep between looks at the store. */
  readonly pollMs: number;
  readonly clock: () => number;
  /** Called as a claimed task starts, with how late it starts against its scheduled time. */
  readonly onClaim?: (task: TaskRecord, latenessMs: number) => void;
  /**
   * Pipelined (a store whose writes do not hold up the event loop, as SQLite's writer thread): a
   * task leaves its slot once its outcome is handed to the group commit, not once it is stored, and
   * more tasks are claimed ahead (see `ahead`), ready to start as slots free. The event loop then runs
   * attempts while a batch is being written, instead of waiting for it.
   */
  readonly pipelined?: () => boolean;
  readonly onError?: (error: unknown) => void;
}

export class Scheduler implements BatchClaimer {
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private looping = false;
  /** The loop under way, if any: stop waits for it, so that no claim reaches a closed store. */
  private loopDone: Promise<void> = Promise.resolve();
  private again = false;
  /** A look at the store is due on the next turn of the event loop (see wake). */
  private wakePending = false;
  private readonly inFlight = new Set<Promise<void>>();
  /** The tasks holding a slot (calling the endpoint, or until their outcome is stored if not pipelined). */
  private readonly slots = new Set<string>();
  /** Claimed ahead, waiting for a slot (pipelined only). */
  private readonly ready: TaskRecord[] = [];
  private fillPending = false;
  /** Tasks asked for in batches being written (CommitQueue), not yet adopted. */
  private claiming = 0;
  /** How fast tasks start: how many to claim ahead (see ahead). */
  private readonly starts = new StartRate(AHEAD_WINDOW_MS);
  /** The resources read with the claims of tasks not yet started, by task id. */
  private readonly claimedResources = new Map<string, ClaimedResource>();

  constructor(
    private readonly store: Store,
    private readonly runTask: (task: TaskRecord, claimed: ClaimedResource | undefined) => Promise<void>,
    private readonly options: SchedulerOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.wake();
  }

  /**
   * Looks at the store on the next turn of the event loop (a task was just scheduled, or one
   * finished). The wakes of one turn make one look: the tasks whose outcomes were committed together
   * (CommitQueue) all free their slots first, so that one claim fills them all, in one store step,
   * rather than one claim per finished task.
   */
  wake(): void {
    if (!this.running) return;
    if (this.looping) {
      this.again = true;
      return;
    }
    if (this.wakePending) return;
    this.wakePending = true;
    setImmediate(() => {
      this.wakePending = false;
      if (!this.running) return;
      if (this.looping) {
        this.again = true;
        return;
      }
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.loopDone = this.loop();
    });
  }

  /** Stops claiming, and waits for the tasks under way. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    // A look at the store under way may still claim tasks: they run, and are waited for, below.
    await this.loopDone;
    // Tasks claimed with a batch of outcomes, or ahead, are this runner's: they run, and are waited for.
    while (this.inFlight.size > 0 || this.ready.length > 0) {
      this.fill();
      await Promise.allSettled([...this.inFlight]);
    }
  }

  /** How many more tasks this runner takes now: free slots, and room ahead if pipelined. */
  private room(): number {
    return this.options.concurrency + this.ahead() - this.slots.size - this.ready.length - this.claiming;
  }

  /**
   * How many tasks to hold claimed ahead, pipelined: as many as started in the last AHEAD_WINDOW_MS
   * (at least `concurrency`, at most MAX_AHEAD times it). Two batches of outcomes are in the writer's
   * hands at a time (CommitQueue), one of them waiting on its disk sync: the event loop must have
   * enough to run meanwhile. With a fixed twice `concurrency` it was idle a fifth of the time on the
   * benchmark machine (in-process endpoints, thousands of re-polls a second), and a fixed number
   * large enough for that would leave tasks of slow endpoints waiting claimed for seconds, their
   * leases running. By the rate, a task claimed ahead waits about the window.
   */
  private ahead(): number {
    if (!this.pipelined()) return 0;
    const c = this.options.concurrency;
    return Math.min(MAX_AHEAD * c, Math.max(c, this.starts.recent));
  }

  /**
   * A task's outcome is handed to the group commit (CommitQueue): pipelined, its slot is free now,
   * and a task claimed ahead takes it.
   */
  submitted(taskId: string): void {
    if (!this.pipelined() || !this.slots.delete(taskId)) return;
    this.scheduleFill();
  }

  private scheduleFill(): void {
    if (this.fillPending) return;
    this.fillPending = true;
    // On the next turn of the event loop, not in this one's microtasks: an endpoint in this process
    // answers in microtasks, and starting the next task at once would run every task in hand
    // before the writer's answers (messages, handled between turns) could be read.
    setImmediate(() => {
      this.fillPending = false;
      this.fill();
    });
  }

  /**
   * Starts tasks claimed ahead while there are free slots. One that waited past half its lease (a
   * slow endpoint) is left to its lease's end, when a claim takes it over: started that late, its
   * lease could end while it runs, and the task be run twice.
   */
  private fill(): void {
    while (this.slots.size < this.options.concurrency && this.ready.length > 0) {
      const task = this.ready.shift() as TaskRecord;
      const stale = task.leaseUntil !== null && this.options.clock() > task.leaseUntil - this.options.leaseMs / 2;
      // Only a task claimed ahead can have waited (not pipelined, a claimed task starts at once).
      if (stale && this.pipelined()) {
        this.claimedResources.delete(task.id);
        continue;
      }
      this.launch(task);
    }
  }

  /**
   * The claim to make with a batch of outcomes (CommitQueue): as many tasks as will be free once the
   * outcomes of this scheduler's tasks among them are stored. None once stopped.
   */
  claimRequest(outcomes: readonly AttemptOutcome[]): { now: number; limit: number; leaseUntil: number } | undefined {
    if (!this.running) return undefined;
    // Pipelined, the outcomes' tasks have left their slots already (submitted).
    const ending = this.pipelined() ? 0 : outcomes.filter((o) => this.slots.has(o.task.id)).length;
    const limit = this.room() + ending;
    if (limit <= 0) return undefined;
    this.claiming += limit;
    const now = this.options.clock();
    return { now, limit, leaseUntil: now + this.options.leaseMs };
  }

  /** Runs tasks claimed with a batch of outcomes (they are this runner's: they run even if it stops). */
  adopt(tasks: readonly TaskRecord[], requested: number, resources?: ReadonlyMap<string, ResourceRecord>): void {
    this.claiming -= requested;
    this.take(tasks, resources);
    // Room the loop left to this batch's claim (see roomForLoop) and that it did not fill.
    if (this.claiming === 0 && this.roomForLoop() > 0) this.wake();
  }

  /**
   * The room the loop's own claim may fill. Pipelined, none while a batch of outcomes is being
   * written with a claim: its answer comes within a few milliseconds, and the next batch claims the
   * slots freed meanwhile; a claim of the loop's own then was a transaction more on the writer thread
   * for a handful of tasks (a fifth of its transactions on the benchmark machine).
   */
  private roomForLoop(): number {
    return this.pipelined() && this.claiming > 0 ? 0 : this.room();
  }

  private pipelined(): boolean {
    return this.options.pipelined?.() === true;
  }

  get busy(): number {
    return this.slots.size;
  }

  /** Claimed tasks: started now while slots are free, the others ready for the next free slot. */
  private take(tasks: readonly TaskRecord[], resources: ReadonlyMap<string, ResourceRecord> | undefined): void {
    if (resources)
      for (const task of tasks) this.claimedResources.set(task.id, { resource: resources.get(task.resourceId) });
    this.ready.push(...tasks);
    this.fill();
  }

  private async loop(): Promise<void> {
    this.looping = true;
    let delay = this.options.pollMs;
    try {
      do {
        this.again = false;
        // A batch's claim under way fills the room (and adopt() wakes the loop for what it left).
        if (this.pipelined() && this.claiming > 0) break;
        const free = this.room();
        // No room: nothing to ask the store (not even its next wake-up); a task that ends wakes the
        // loop. Asking anyway was a query per finished task with a store that fills the slots in its
        // batches' claims (PostgreSQL: 25,000 of them in a bench:scale run).
        if (free <= 0) {
          delay = this.options.pollMs;
          break;
        }
        const now = this.options.clock();
        const leaseUntil = now + this.options.leaseMs;
        // Counted while under way, so that a batch's claim meanwhile does not ask for the same room.
        this.claiming += free;
        let claimed: { claimed: TaskRecord[]; resources?: ReadonlyMap<string, ResourceRecord> };
        try {
          // A store that answers claims with the tasks' resources does so here too (no outcomes).
          claimed = this.store.completeAttemptsAndClaim
            ? await this.store.completeAttemptsAndClaim(this.options.owner, [], { now, limit: free, leaseUntil })
            : { claimed: await this.store.claimDueTasks(now, free, this.options.owner, leaseUntil) };
        } finally {
          this.claiming -= free;
        }
        this.take(claimed.claimed, claimed.resources);
        if (claimed.claimed.length === free) this.again = true; // there may be more due
        if (!this.again) {
          const next = await this.store.nextWakeUp();
          const after = this.options.clock();
          delay = next === undefined ? this.options.pollMs : Math.max(0, Math.min(next - after, this.options.pollMs));
          if (delay === 0 && this.roomForLoop() > 0) this.again = true;
        }
      } while (this.again && this.running && this.roomForLoop() > 0);
    } catch (e) {
      this.options.onError?.(e);
    } finally {
      this.looping = false;
    }
    if (this.running) {
      // At full concurrency, a finishing task wakes the loop; otherwise the next due time does.
      this.timer = setTimeout(() => this.wake(), delay);
    }
  }

  private launch(task: TaskRecord): void {
    const now = this.options.clock();
    this.options.onClaim?.(task, Math.max(0, now - (task.nextRunAt ?? now)));
    this.slots.add(task.id);
    this.starts.started();
    const claimed = this.claimedResources.get(task.id);
    this.claimedResources.delete(task.id);
    const run = this.runTask(task, claimed)
      .catch((e: unknown) => this.options.onError?.(e))
      .finally(() => {
        this.inFlight.delete(run);
        if (this.slots.delete(task.id)) this.fill();
        this.wake();
      });
    this.inFlight.add(run);
  }
}
