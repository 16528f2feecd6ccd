/**
 * Keeps acknowledgements ahead of processing during bursts. The intake counts the deliveries it is
 * acknowledging; the webhook jobs wait at `quiet()` before they work, so that while a burst is being
 * acknowledged the event loop (and the store, whose SQLite writes hold it) serves the
 * acknowledgements first: a marketplace with a short timeout fails an attempt whose acknowledgement
 * comes late, and processing can wait a moment without anyone noticing.
 *
 * A burst is `busyAt` (2) or more deliveries under way at once; the gate stays closed until none has
 * been for `lingerMs` (50 ms), so that processing does not start in the short gaps between the waves
 * of a burst. A steady trickle of deliveries, one at a time, never closes it, and a job waits at most
 * `maxWaitMs` (250 ms) a run, so processing slows during a burst and never stops.
 */
export class AckGate {
  private pending = 0;
  private lastBusyAt = 0;
  private waiters: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;

  /** `enabled` false: quiet() never waits (processing does not yield). */
  constructor(
    private readonly enabled = true,
    private readonly lingerMs = 50,
    private readonly busyAt = 2,
  ) {}

  /** Deliveries being acknowledged now. */
  get acknowledging(): number {
    return this.pending;
  }

  /** A delivery has arrived; the function returned says it has been answered (once, whatever the calls). */
  enter(): () => void {
    this.pending += 1;
    if (this.pending >= this.busyAt) this.lastBusyAt = Date.now();
    let left = false;
    return () => {
      if (left) return;
      left = true;
      if (this.pending >= this.busyAt) this.lastBusyAt = Date.now();
      this.pending -= 1;
      if (this.pending < this.busyAt) this.release();
    };
  }

  /** Resolves at once unless a burst is being acknowledged; then when it is over, or after `maxWaitMs`. */
  quiet(maxWaitMs = 250): Promise<void> {
    if (!this.enabled || this.isQuiet()) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, maxWaitMs);
      timer.unref();
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(done);
      if (this.pending < this.busyAt) this.release();
    });
  }

  private isQuiet(): boolean {
    return this.pending < this.busyAt && Date.now() - this.lastBusyAt >= this.lingerMs;
  }

  /** Lets the waiters go once the gate has stayed quiet for `lingerMs`. */
  private release(): void {
    if (this.timer !== undefined || this.waiters.length === 0) return;
    const wait = Math.max(0, this.lingerMs - (Date.now() - this.lastBusyAt));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.pending >= this.busyAt) return; // still busy: the answer that ends it releases them
      if (!this.isQuiet()) return this.release();
      const waiters = this.waiters;
      this.waiters = [];
      waiters.forEach((w) => w());
    }, wait);
    this.timer.unref();
  }
}
