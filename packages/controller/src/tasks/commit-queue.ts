/**
 * Group commit for attempt outcomes. Attempts that finish in the same turn of the event loop are
 * written in one store step, so that a store which syncs every commit to disk pays one sync for a
 * batch rather than one per task. Each caller still waits for its own outcome to be durable.
 */
import type { AttemptOutcome, Store, TaskRecord } from '@apskit/store';

/**
 * Who takes tasks claimed with a batch of outcomes (the scheduler): how many it can run once these
 * outcomes are stored, and the tasks claimed for it.
 */
export interface BatchClaimer {
  claimRequest(
    outcomes: readonly AttemptOutcome[],
  ): { readonly now: number; readonly limit: number; readonly leaseUntil: number } | undefined;
  adopt(tasks: readonly TaskRecord[], now: number): void;
}

interface Pending {
  readonly outcome: AttemptOutcome;
  resolve(applied: boolean): void;
  reject(error: unknown): void;
}

export class CommitQueue {
  private pending: Pending[] = [];
  private flushing = false;
  private claimer: BatchClaimer | undefined;

  constructor(
    private readonly store: Store,
    private readonly owner: string,
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
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.flushing) return;
    this.flushing = true;
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    try {
      const outcomes = batch.map((p) => p.outcome);
      const claim = this.store.completeAttemptsAndClaim ? this.claimer?.claimRequest(outcomes) : undefined;
      let applied: boolean[];
      if (claim && this.store.completeAttemptsAndClaim) {
        const done = await this.store.completeAttemptsAndClaim(this.owner, outcomes, claim);
        applied = done.applied;
        // Launched before the outcomes' callers go on, so that their finishing sees the slots taken.
        this.claimer?.adopt(done.claimed, claim.now);
      } else applied = await this.store.completeAttempts(this.owner, outcomes);
      batch.forEach((p, i) => p.resolve(applied[i] === true));
    } catch (e) {
      batch.forEach((p) => p.reject(e));
    } finally {
      this.flushing = false;
      if (this.pending.length > 0) this.schedule();
    }
  }
}
