/**
 * The one scheduler: it claims due tasks from the store (which leases them to this runner, so that
 * no two runners take the same task) and runs at most `concurrency` at once. It sleeps until the
 * store's next wake-up, and at most `pollMs`, so that tasks scheduled by other processes are seen.
 */
import type { AttemptOutcome, Store, TaskRecord } from '@apskit/store';
import type { BatchClaimer } from './commit-queue';

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
  /** Called as a task is claimed, with how late it starts against its scheduled time. */
  readonly onClaim?: (task: TaskRecord, latenessMs: number) => void;
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
  /** The ids of the tasks under way: an outcome of one of them frees a slot. */
  private readonly inFlightIds = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly runTask: (task: TaskRecord) => Promise<void>,
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
    // Tasks claimed with a batch of outcomes are launched as those finish: wait for them too.
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /**
   * The claim to make with a batch of outcomes (CommitQueue): as many tasks as will be free once the
   * outcomes of this scheduler's tasks among them are stored. None once stopped.
   */
  claimRequest(outcomes: readonly AttemptOutcome[]): { now: number; limit: number; leaseUntil: number } | undefined {
    if (!this.running) return undefined;
    const ending = outcomes.filter((o) => this.inFlightIds.has(o.task.id)).length;
    const limit = this.options.concurrency - this.inFlight.size + ending;
    if (limit <= 0) return undefined;
    const now = this.options.clock();
    return { now, limit, leaseUntil: now + this.options.leaseMs };
  }

  /** Runs tasks claimed with a batch of outcomes (they are this runner's: they run even if it stops). */
  adopt(tasks: readonly TaskRecord[], now: number): void {
    for (const task of tasks) this.launch(task, now);
  }

  get busy(): number {
    return this.inFlight.size;
  }

  private async loop(): Promise<void> {
    this.looping = true;
    let delay = this.options.pollMs;
    try {
      do {
        this.again = false;
        const free = this.options.concurrency - this.inFlight.size;
        if (free > 0) {
          const now = this.options.clock();
          const claimed = await this.store.claimDueTasks(now, free, this.options.owner, now + this.options.leaseMs);
          for (const task of claimed) this.launch(task, now);
          if (claimed.length === free) this.again = true; // there may be more due
        }
        if (!this.again) {
          const next = await this.store.nextWakeUp();
          const now = this.options.clock();
          delay = next === undefined ? this.options.pollMs : Math.max(0, Math.min(next - now, this.options.pollMs));
          if (delay === 0 && this.inFlight.size < this.options.concurrency) this.again = true;
        }
      } while (this.again && this.running && this.inFlight.size < this.options.concurrency);
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

  private launch(task: TaskRecord, now: number): void {
    const scheduledAt = task.nextRunAt ?? now;
    this.options.onClaim?.(task, Math.max(0, now - scheduledAt));
    const run = this.runTask(task)
      .catch((e: unknown) => this.options.onError?.(e))
      .finally(() => {
        this.inFlight.delete(run);
        this.inFlightIds.delete(task.id);
        this.wake();
      });
    this.inFlight.add(run);
    this.inFlightIds.add(task.id);
  }
}
