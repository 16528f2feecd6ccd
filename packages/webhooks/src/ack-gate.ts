/**
 * Keeps acknowledgements ahead of processing. The intake counts the deliveries it is acknowledging;
 * the webhook jobs wait at `quiet()` before they work, so that during a burst the event loop (and the
 * store, whose SQLite writes hold it) serves the acknowledgements first: a marketplace with a short
 * timeout fails an attempt whose acknowledgement comes late, and processing can wait a moment without
 * anyone noticing. Quiet means no delivery under way and none answered in the last `lingerMs`, so
 * that processing does not start in the short gaps between the waves of a burst. The wait is bounded,
 * so a steady stream of deliveries slows processing, never stops it.
 */
export class AckGate {
  private pending = 0;
  private lastAnsweredAt = 0;
  private waiters: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;

  /** `enabled` false: quiet() never waits (processing does not yield). */
  constructor(
    private readonly enabled = true,
    private readonly lingerMs = 100,
  ) {}

  /** Deliveries being acknowledged now. */
  get acknowledging(): number {
    return this.pending;
  }

  /** A delivery has arrived; the function returned says it has been answered (once, whatever the calls). */
  enter(): () => void {
    this.pending += 1;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.pending -= 1;
      this.lastAnsweredAt = Date.now();
      if (this.pending === 0) this.release();
    };
  }

  /** Resolves once no acknowledgement is under way or just answered (at once if none is), or after `maxWaitMs`. */
  quiet(maxWaitMs = 2000): Promise<void> {
    if (!this.enabled || this.isQuiet()) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, maxWaitMs);
      timer.unref();
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(done);
      if (this.pending === 0) this.release();
    });
  }

  private isQuiet(): boolean {
    return this.pending === 0 && Date.now() - this.lastAnsweredAt >= this.lingerMs;
  }

  /** Lets the waiters go once the gate has stayed quiet for `lingerMs`. */
  private release(): void {
    if (this.timer !== undefined || this.waiters.length === 0) return;
    const wait = Math.max(0, this.lingerMs - (Date.now() - this.lastAnsweredAt));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.pending > 0) return; // a new delivery came: its answer releases them
      if (!this.isQuiet()) return this.release();
      const waiters = this.waiters;
      this.waiters = [];
      waiters.forEach((w) => w());
    }, wait);
    this.timer.unref();
  }
}
