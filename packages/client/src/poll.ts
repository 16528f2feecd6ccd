/**
 * The one polling loop: submit with a request id, wait, read the status until it is ready, failed,
 * or an error is recorded against the request id, and give up at the deadline. `waitFor` (the
 * controller) and third-party workflows both run it, so they behave alike: same schedule, same
 * retries of transient errors, same errors.
 */
import { randomUUID } from 'node:crypto';
import { ClientError, OperationFailedError, OperationTimeoutError } from './errors';
import { Budget, DeadlineReached, nextGap, resolveSchedule, type ResolvedSchedule, type Schedule } from './timing';
import { isTransientError } from './transient';

/** What a status read tells a watcher. */
export interface Progress<S> {
  readonly requestId: string;
  /** The number of this status read: 1 for the first; 0 when the submit's answer was the status. */
  readonly poll: number;
  readonly elapsedMs: number;
  /** The latest message (for the controller, the task's `output`). */
  readonly message: string | undefined;
  readonly status: S;
  /** The wait before the next read; absent when this read ended the loop. */
  readonly nextPollInMs?: number;
}

/** A transient error, about to be retried. */
export interface RetryNotice {
  readonly requestId: string;
  readonly phase: 'submit' | 'status';
  /** How many calls of this phase have been made so far. */
  readonly attempt: number;
  readonly error: unknown;
  readonly delayMs: number;
}

/** How to wait: the schedule, the caller's signal, and what to tell the caller on the way. */
export interface WaitOptions<S> extends Schedule {
  /** Aborting it stops the loop at once; the loop rejects with `signal.reason`. */
  signal?: AbortSignal;
  onProgress?: (progress: Progress<S>) => void;
  onRetry?: (notice: RetryNotice) => void;
  /** Which errors to retry. Default `isTransientError`: 5xx, 408, 429, no answer. */
  isTransient?: (error: unknown) => boolean;
}

/** What each call of the loop gets: the request id to send, and a signal to pass on to `fetch`. */
export interface PollContext {
  readonly requestId: string;
  /** 1 for the first call of its kind, 2 for its first retry or the second status read, … */
  readonly attempt: number;
  /** Aborts at the deadline or when the caller aborts. */
  readonly signal: AbortSignal;
}

export interface PollUntilOptions<T, S> extends WaitOptions<S> {
  /** The request's unique id; generated when omitted. Every submit, retries included, sends this one. */
  requestId?: string;
  /** Starts the work. Retried on transient errors with the same request id, so it must be idempotent per id. */
  submit: (ctx: PollContext) => Promise<T>;
  /** When the submit's answer already is the outcome (a synchronous success), that status: no wait then. */
  statusFromSubmit?: (submitted: T) => S | undefined;
  /** Reads the status. Transient errors are retried on the schedule. */
  status: (submitted: T, ctx: PollContext) => Promise<S>;
  /** The expected data is there. */
  isReady: (status: S, submitted: T) => boolean;
  /** The status itself says the work failed (a failed task). */
  isFailed?: (status: S, submitted: T) => boolean;
  /** The message a status carries: for progress, and for the error when it failed. */
  messageOf?: (status: S) => string | undefined;
  /**
   * Between reads that are not ready yet: the error recorded against the request id, if any (the
   * vendor's error log). A message ends the loop with `OperationFailedError`.
   */
  errorFor?: (requestId: string, submitted: T, ctx: PollContext) => Promise<string | undefined>;
}

export interface PollResult<T, S> {
  readonly requestId: string;
  /** What `submit` answered. */
  readonly submitted: T;
  /** The status that was ready. */
  readonly status: S;
  readonly polls: number;
  readonly elapsedMs: number;
}

/** Runs the loop. Rejects with OperationFailedError, OperationTimeoutError, the caller's abort reason, or a non-transient error. */
export async function pollUntil<T, S>(options: PollUntilOptions<T, S>): Promise<PollResult<T, S>> {
  const run = new Run(options, options.requestId ?? randomUUID());
  try {
    return await run.go();
  } catch (e) {
    throw run.translate(e);
  } finally {
    run.budget.dispose();
  }
}

/**
 * Calls `fn` until it succeeds, retrying transient errors on the schedule within the deadline with
 * the same request id: the submit phase of `pollUntil`, for a single call.
 */
export async function retrying<T>(
  options: WaitOptions<never> & { requestId?: string },
  fn: (ctx: PollContext) => Promise<T>,
): Promise<T> {
  const result = await pollUntil<T, true>({
    ...options,
    submit: fn,
    statusFromSubmit: () => true,
    status: async () => true,
    isReady: () => true,
    onProgress: undefined,
  });
  return result.submitted;
}

/** One run of the loop, with what its errors need to say. */
class Run<T, S> {
  readonly budget: Budget;
  private readonly schedule: ResolvedSchedule;
  private readonly started = Date.now();
  private readonly isTransient: (e: unknown) => boolean;
  private polls = 0;
  private submitted = false;
  private lastMessage: string | undefined;
  private lastTransient: unknown;

  constructor(
    private readonly o: PollUntilOptions<T, S>,
    readonly requestId: string,
  ) {
    this.schedule = resolveSchedule(o, this.started);
    this.budget = new Budget(this.schedule.deadlineAt, o.signal);
    this.isTransient = o.isTransient ?? isTransientError;
  }

  async go(): Promise<PollResult<T, S>> {
    const submitted = await this.submit();
    const immediate = this.o.statusFromSubmit?.(submitted);
    if (immediate !== undefined) {
      const done = this.settle(immediate, submitted, 0, undefined);
      if (done) return done;
    }
    let gap: number | undefined;
    let wait = this.schedule.initialDelay;
    for (;;) {
      if (this.budget.expired) throw this.timeout();
      await this.budget.sleep(wait);
      gap = nextGap(gap, this.schedule);
      wait = gap;
      const status = await this.read(submitted, gap);
      if (status === RETRY) continue;
      const done = this.settle(status, submitted, this.polls, gap);
      if (done) return done;
      const errorFor = this.o.errorFor;
      if (errorFor) {
        const error = await this.call('status', (ctx) => errorFor(this.requestId, submitted, ctx), gap);
        if (error !== RETRY && error !== undefined && error !== '') throw this.failed(error, status);
      }
    }
  }

  /** Submits, retrying transient errors with the same request id until the deadline. */
  private async submit(): Promise<T> {
    let gap: number | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        const value = await this.budget.race(this.o.submit(this.context(attempt)));
        this.submitted = true;
        return value;
      } catch (e) {
        if (!this.retryable(e)) throw e;
        gap = nextGap(gap, this.schedule);
        this.o.onRetry?.({ requestId: this.requestId, phase: 'submit', attempt, error: e, delayMs: gap });
        await this.budget.sleep(gap);
      }
    }
  }

  private async read(submitted: T, gap: number): Promise<S | typeof RETRY> {
    this.polls++;
    return this.call('status', (ctx) => this.o.status(submitted, ctx), gap);
  }

  /** One status-phase call; a transient error is noted and answered RETRY, for the loop to wait and go on. */
  private async call<R>(phase: 'status', fn: (ctx: PollContext) => Promise<R>, gap: number): Promise<R | typeof RETRY> {
    try {
      return await this.budget.race(fn(this.context(this.polls)));
    } catch (e) {
      if (!this.retryable(e)) throw e;
      this.o.onRetry?.({ requestId: this.requestId, phase, attempt: this.polls, error: e, delayMs: gap });
      return RETRY;
    }
  }

  private retryable(e: unknown): boolean {
    if (this.budget.signal.aborted || !this.isTransient(e)) return false;
    this.lastTransient = e;
    return true;
  }

  /** The result when `status` ends the loop successfully; throws when it says failure; undefined to go on. */
  private settle(status: S, submitted: T, poll: number, gap: number | undefined): PollResult<T, S> | undefined {
    const message = this.o.messageOf?.(status);
    if (message !== undefined && message !== '') this.lastMessage = message;
    const ready = this.o.isReady(status, submitted);
    const failed = !ready && (this.o.isFailed?.(status, submitted) ?? false);
    this.o.onProgress?.({
      requestId: this.requestId,
      poll,
      elapsedMs: Date.now() - this.started,
      message,
      status,
      ...(ready || failed || gap === undefined ? {} : { nextPollInMs: gap }),
    });
    if (failed) throw this.failed(message || 'the operation failed without a message', status);
    if (!ready) return undefined;
    return { requestId: this.requestId, submitted, status, polls: this.polls, elapsedMs: Date.now() - this.started };
  }

  private context(attempt: number): PollContext {
    return { requestId: this.requestId, attempt, signal: this.budget.signal };
  }

  private failed(output: string, last: unknown): OperationFailedError {
    return new OperationFailedError(`Request ${this.requestId} failed: ${output}`, this.requestId, output, last);
  }

  private timeout(): OperationTimeoutError {
    const deadline = new Date(this.schedule.deadlineAt);
    const cause = this.lastTransient;
    const causeMessage =
      cause !== null && typeof cause === 'object' ? (cause as { message?: unknown }).message : undefined;
    const why = typeof causeMessage === 'string' ? `; last error: ${causeMessage}` : '';
    const message = this.submitted
      ? `Request ${this.requestId} did not finish by its deadline ${deadline.toISOString()} ` +
        `(${this.polls} status reads${this.lastMessage ? `; last message: "${this.lastMessage}"` : ''}${why})`
      : `Request ${this.requestId} could not be submitted by its deadline ${deadline.toISOString()}${why}`;
    return new OperationTimeoutError(
      message,
      this.requestId,
      deadline,
      this.polls,
      this.lastMessage,
      cause === undefined ? undefined : { cause },
    );
  }

  /** What the loop rejects with: the caller's abort reason, a timeout, or the error, naming the request. */
  translate(e: unknown): unknown {
    if (this.budget.callerAborted) return this.o.signal?.reason;
    if (e instanceof OperationFailedError || e instanceof OperationTimeoutError) return e;
    // The deadline cut a call short (or a transient error met it): that is a timeout, not the error.
    if (this.budget.expired && (e instanceof DeadlineReached || this.isTransient(e))) return this.timeout();
    if (e instanceof ClientError && e.requestId === undefined) e.requestId = this.requestId;
    return e;
  }
}

const RETRY: unique symbol = Symbol('retry');
