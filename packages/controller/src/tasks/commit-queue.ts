/**
 * Group commit for attempt outcomes. Attempts that finish in the same turn of the event loop are
 * written in one store step, so that a store which syncs every commit to disk pays one sync for a
 * batch rather than one per task. Each caller still waits for its own outcome to be durable.
 */
import type { AttemptOutcome, CompletedAndClaimed, ResourceRecord, Store, TaskRecord } from '@apskit/store';

/**
 * Who takes tasks claimed with a batch of outcomes (the scheduler): how many it can run once these
 * outcomes are stored, and the tasks claimed for it.
 */
export interface BatchClaimer {
  claimRequest(
    outcomes: readonly AttemptOutcome[],
  ): { readonly now: number; readonly limit: number; readonly leaseUntil: number } | undefined;
  /**
   * The tasks claimed for a request of `requested` (none if the batch failed), with their resources
   * if the store read them in the claim (CompletedAndClaimed).
   */
  adopt(tasks: readonly TaskRecord[], requested: number, resources?: ReadonlyMap<string, ResourceRecord>): void;
  /** An outcome of one of its tasks is handed over (to be stored with the next batch). */
  submitted(taskId: string): void;
}

interface Pending {
  readonly outcome: AttemptOutcome;
  resolve(applied: boolean): void;
  reject(error: unknown): void;
}

export class CommitQueue {
  private pending: Pending[] = [];
  /** Batches being written: one, or two with a store that writes off the event loop (see schedule). */
  private flushing = 0;
  /** A flush is due at the end of this turn of the event loop. */
  private scheduled = false;
  private claimer: BatchClaimer | undefined;

  constructor(
    private readonly store: Store,
    private readonly owner: string,
    /**
     * With a store whose writes run off the event loop: a batch this large is sent at once, while
     * the event loop goes on running attempts (an endpoint in the same process answers in
     * microtasks: waiting for the end of the turn would leave the writer idle until all were done).
     */
    private readonly sendAt = 16,
  ) {}

  /**
   * With a store that can (completeAttemptsAndClaim), the tasks that fill the slots a batch frees are
   * claimed in the batch's own commit: one transaction per batch instead of two.
   */
  claimWith(claimer: BatchClaimer): void {
    this.claimer = claimer;
  }

  /** Resolves once the outcome is stored: true if it was applied, false if the task was no longer ours. */
  commit(outcome: AttemptOutcome): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.pending.push({ outcome, resolve, reject });
      this.claimer?.submitted(outcome.task.id);
      this.schedule();
    });
  }

  /** A flush after this turn of the event loop (a batch of what ends in it), or at once (see sendAt). */
  private schedule(): void {
    const offLoop = this.store.writesOffEventLoop === true;
    // Off the event loop, a second batch waits in the writer's queue while the first is written,
    // so that the writer never waits for the event loop between two.
    if (this.flushing >= (offLoop ? 2 : 1)) return;
    if (offLoop && this.pending.length >= this.sendAt) {
      this.flushing++;
      queueMicrotask(() => void this.flush());
    } else if (this.flushing === 0 && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        if (this.flushing > 0 || this.pending.length === 0) return;
        this.flushing++;
        void this.flush();
      });
    }
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    try {
      const outcomes = batch.map((p) => p.outcome);
      const claim = this.store.completeAttemptsAndClaim ? this.claimer?.claimRequest(outcomes) : undefined;
      let applied: boolean[];
      if (claim && this.store.completeAttemptsAndClaim) {
        let done: CompletedAndClaimed | undefined;
        try {
          done = await this.store.completeAttemptsAndClaim(this.owner, outcomes, claim);
        } finally {
          // Launched before the outcomes' callers go on, so that their finishing sees the slots taken.
          this.claimer?.adopt(done?.claimed ?? [], claim.limit, done?.resources);
        }
        applied = done.applied;
      } else applied = await this.store.completeAttempts(this.owner, outcomes);
      batch.forEach((p, i) => p.resolve(applied[i] === true));
    } catch (e) {
      batch.forEach((p) => p.reject(e));
    } finally {
      this.flushing--;
      if (this.pending.length > 0) this.schedule();
    }
  }
}
