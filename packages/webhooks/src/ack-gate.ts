/**
 * Keeps acknowledgements ahead of processing. The intake counts the deliveries it is acknowledging;
 * the webhook jobs wait at `quiet()` before they work, so that during a burst the event loop (and the
 * store, whose SQLite writes hold it) serves the acknowledgements first: a marketplace with a short
 * timeout fails an attempt whose acknowledgement comes late, and processing can wait a moment without
 * anyone noticing. The wait is bounded, so a steady stream of deliveries slows processing, never
 * stops it.
 */
export class AckGate {
  private pending = 0;
  private waiters: Array<() => void> = [];

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
      if (this.pending === 0) {
        const waiters = this.waiters;
        this.waiters = [];
        // After the answer's own I/O callbacks, so that the next delivery of a burst, already read,
        // gets in before the processing that was waiting.
        setImmediate(() => waiters.forEach((w) => w()));
      }
    };
  }

  /** Resolves once no acknowledgement is under way (at once if none is), or after `maxWaitMs`. */
  quiet(maxWaitMs = 2000): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, maxWaitMs);
      timer.unref();
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(done);
    });
  }
}
