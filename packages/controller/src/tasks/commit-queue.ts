/**
 * Group commit for attempt outcomes. Attempts that finish in the same turn of the event loop are
 * written in one store step, so that a store which syncs every commit to disk pays one sync for a
 * batch rather than one per task. Each caller still waits for its own outcome to be durable.
 */
import type { AttemptOutcome, Store } from '@apskit/store';

interface Pending {
  readonly outcome: AttemptOutcome;
  resolve(applied: boolean): void;
  reject(error: unknown): void;
}

export class CommitQueue {
  private pending: Pending[] = [];
  private flushing = false;

  constructor(
    private readonly store: Store,
    private readonly owner: string,
  ) {}

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
      const applied = await this.store.completeAttempts(
        this.owner,
        batch.map((p) => p.outcome),
      );
      batch.forEach((p, i) => p.resolve(applied[i] === true));
    } catch (e) {
      batch.forEach((p) => p.reject(e));
    } finally {
      this.flushing = false;
      if (this.pending.length > 0) this.schedule();
    }
  }
}
