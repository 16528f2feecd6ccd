/**
 * Time for the polling loop: the schedule of waits, and a budget that ends at the deadline or when
 * the caller aborts, whichever comes first. Every wait and every call races the budget, so that the
 * deadline holds even when a status function ignores its signal.
 */

/** When to look, and for how long. Times are milliseconds. */
export interface Schedule {
  /** The wait before the first status read. Default: `interval`. */
  initialDelay?: number;
  /** The first wait between reads (and before the first retry of a failed call). Default 1000. */
  interval?: number;
  /** Each wait is the previous one times this; 1 keeps the interval fixed. Default 1.5. */
  backoff?: number;
  /** No wait is longer than this. Default 30 000. */
  maxInterval?: number;
  /**
   * When to give up: a `Date`, or milliseconds from the start of the call. Default 10 minutes. Past
   * it, no call is in flight and the loop rejects with `OperationTimeoutError`.
   */
  deadline?: number | Date;
}

export const DEFAULT_SCHEDULE = {
  interval: 1000,
  backoff: 1.5,
  maxInterval: 30_000,
  deadline: 10 * 60_000,
} as const;

/** The schedule with defaults applied and checked. */
export interface ResolvedSchedule {
  readonly initialDelay: number;
  readonly interval: number;
  readonly backoff: number;
  readonly maxInterval: number;
  readonly deadlineAt: number;
}

export function resolveSchedule(s: Schedule, now: number): ResolvedSchedule {
  const interval = s.interval ?? DEFAULT_SCHEDULE.interval;
  const backoff = s.backoff ?? DEFAULT_SCHEDULE.backoff;
  const maxInterval = s.maxInterval ?? Math.max(DEFAULT_SCHEDULE.maxInterval, interval);
  const initialDelay = s.initialDelay ?? interval;
  const deadline = s.deadline ?? DEFAULT_SCHEDULE.deadline;
  const deadlineAt = deadline instanceof Date ? deadline.getTime() : now + deadline;
  // Refuse nonsense up front: a zero or negative interval would turn the loop into a busy loop.
  if (!(interval > 0) || !Number.isFinite(interval)) throw new RangeError(`interval must be a positive number of ms`);
  if (!(backoff >= 1) || !Number.isFinite(backoff)) throw new RangeError(`backoff must be a number ≥ 1`);
  if (!(maxInterval >= interval)) throw new RangeError(`maxInterval must be at least interval`);
  if (!(initialDelay >= 0) || !Number.isFinite(initialDelay))
    throw new RangeError(`initialDelay must be a number of ms ≥ 0`);
  if (Number.isNaN(deadlineAt)) throw new RangeError(`deadline must be a Date or a number of ms`);
  return { initialDelay, interval, backoff, maxInterval, deadlineAt };
}

/**
 * The wait before the next read: `initialDelay` before the first, `interval` after it, then each
 * one `backoff` times the one before, up to `maxInterval`.
 */
export function nextGap(previous: number | undefined, s: ResolvedSchedule): number {
  return previous === undefined ? s.interval : Math.min(previous * s.backoff, s.maxInterval);
}

/** setTimeout fires at once for delays above 2^31-1 ms; longer waits are cut to that. */
const MAX_TIMER = 2 ** 31 - 1;

/** Reached the deadline: the reason the budget's signal aborts with. */
export class DeadlineReached extends Error {
  constructor() {
    super('The deadline passed');
    this.name = 'DeadlineReached';
  }
}

/** The time left for one call of the loop, as a signal that aborts at the deadline or on the caller's abort. */
export class Budget {
  readonly signal: AbortSignal;
  private readonly timer: ReturnType<typeof setTimeout>;
  private readonly expiry = new AbortController();

  constructor(
    readonly deadlineAt: number,
    readonly callerSignal: AbortSignal | undefined,
  ) {
    this.timer = setTimeout(
      () => this.expiry.abort(new DeadlineReached()),
      Math.min(MAX_TIMER, Math.max(0, deadlineAt - Date.now())),
    );
    this.signal = callerSignal ? AbortSignal.any([callerSignal, this.expiry.signal]) : this.expiry.signal;
  }

  get remaining(): number {
    return Math.max(0, this.deadlineAt - Date.now());
  }

  get expired(): boolean {
    return this.expiry.signal.aborted || Date.now() >= this.deadlineAt;
  }

  get callerAborted(): boolean {
    return this.callerSignal?.aborted ?? false;
  }

  /** Waits `ms`, or less if the deadline comes first; rejects with the signal's reason when it aborts. */
  sleep(ms: number): Promise<void> {
    const signal = this.signal;
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        clearTimeout(t);
        reject(signal.reason);
      };
      const t = setTimeout(
        () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.min(MAX_TIMER, ms, this.remaining),
      );
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** `promise`, unless the budget ends first. A call that ignores its signal is left behind, not awaited. */
  race<T>(promise: Promise<T>): Promise<T> {
    const signal = this.signal;
    if (signal.aborted) {
      promise.catch(() => undefined); // its outcome no longer matters; keep it from going unhandled
      return Promise.reject(signal.reason);
    }
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      promise.then(
        (v) => {
          signal.removeEventListener('abort', onAbort);
          resolve(v);
        },
        (e: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      );
    });
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}
