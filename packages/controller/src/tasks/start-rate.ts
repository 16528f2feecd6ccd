/**
 * How many tasks started in about the last `windowMs` of real time (two half windows, the older one
 * dropped as time goes on): the scheduler claims that many ahead when pipelined, so that the tasks
 * claimed ahead wait about `windowMs` for a slot, whatever the endpoints' speed. Real time, not the
 * controller's clock: it measures how fast this process runs attempts, and a test's clock may stand still.
 */
import { performance } from 'node:perf_hooks';

export class StartRate {
  private current = 0;
  private previous = 0;
  private since: number;

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.since = now();
  }

  started(): void {
    this.roll();
    this.current++;
  }

  /** Starts in the last half window and the one before it. */
  get recent(): number {
    this.roll();
    return this.current + this.previous;
  }

  private roll(): void {
    const half = this.windowMs / 2;
    const elapsed = this.now() - this.since;
    if (elapsed < half) return;
    // One half window on: the current one becomes the previous; more: both are over.
    this.previous = elapsed < 2 * half ? this.current : 0;
    this.current = 0;
    this.since = this.now();
  }
}
