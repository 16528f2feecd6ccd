/**
 * Jobs: tasks the controller's engine runs with app-given code instead of an endpoint call (a
 * webhook's processing, a result to post). They get what lifecycle tasks get: durable scheduling,
 * leases, retries within a polling limit, history, rerun and cancel. No second scheduler.
 */
import { RequestPhase, TaskEventKind, TaskStatus } from '@apskit/core';
import type { AttemptOutcome, TaskEvent, TaskRecord } from '@apskit/store';

/** What one run of a job says. */
export type JobResult =
  /** Done. */
  | { readonly status: typeof TaskStatus.succeeded; readonly output?: string }
  /**
   * Not yet: run again after `afterSeconds` (scaled by the time scale), within the polling limit.
   * With `payload`, the next run gets it instead of the current one: a job's progress (a cursor, a
   * count of failed deliveries) is stored with the outcome, so a restart resumes where it was.
   */
  | { readonly status: 'retry'; readonly afterSeconds: number; readonly output?: string; readonly payload?: unknown }
  /** Given up, with a message for the task's output. */
  | { readonly status: typeof TaskStatus.failed; readonly output: string };

export interface JobContext<P> {
  readonly task: TaskRecord;
  readonly payload: P;
  /** 1 for the first run. */
  readonly attempt: number;
}

export interface JobDefinition<P = unknown> {
  /** The task's name, shown in the task list. */
  name(payload: P): string;
  /**
   * One run. A thrown error is a transient failure: the job runs again with back-off until the
   * polling limit, then fails with the error's message.
   */
  run(context: JobContext<P>): Promise<JobResult>;
  /** How long (in unscaled seconds) the job may keep retrying. Default: the controller's limit. */
  maxPollingSeconds?: number;
}

export interface EnqueueOptions<P> {
  /** What the job is about (shown as the task's `resourceId`). */
  subjectId: string;
  payload: P;
  /** Makes enqueueing idempotent: a second job with this id is not created (see Controller.enqueueJob). */
  requestId?: string;
  /** Milliseconds since the epoch; default now. */
  runAt?: number;
}

interface Timing {
  readonly now: number;
  readonly timeScale: number;
  readonly maxPollingSeconds: number;
}

function event(task: TaskRecord, at: number, kind: TaskEvent['kind'], message: string): TaskEvent {
  return { taskId: task.id, at, kind, message, attempt: task.attempts };
}

/** The outcome of one job run, for the store to apply. */
export function jobOutcome(task: TaskRecord, result: JobResult | { thrown: string }, t: Timing): AttemptOutcome {
  const base = { ...task, leaseOwner: null, leaseUntil: null, updatedAt: t.now };
  const deadlineAt = task.deadlineAt ?? t.now + t.maxPollingSeconds * 1000 * t.timeScale;
  const ended = (status: typeof TaskStatus.succeeded | typeof TaskStatus.failed, output: string): AttemptOutcome => ({
    task: { ...base, status, output, nextRunAt: null, endedAt: t.now, description: task.description || output },
    event: event(task, t.now, status, output),
  });
  const again = (seconds: number, output: string, limitMessage: string, payload?: unknown): AttemptOutcome => {
    const nextRunAt = t.now + seconds * 1000 * t.timeScale;
    if (nextRunAt > deadlineAt) return ended(TaskStatus.failed, limitMessage);
    return {
      task: {
        ...base,
        ...(payload !== undefined && { request: { method: 'JOB', path: task.request.path, body: payload } }),
        status: TaskStatus.scheduled,
        phase: RequestPhase.async,
        nextRunAt,
        deadlineAt,
        output,
        description: task.description || output,
      },
      event: event(task, t.now, TaskEventKind.rescheduled, `${output} (next run in ${seconds} s)`),
    };
  };
  if ('thrown' in result) {
    const seconds = Math.min(2 ** Math.min(task.attempts, 6), 60);
    return again(seconds, `Failed: ${result.thrown}`, `Gave up after ${task.attempts} runs: ${result.thrown}`);
  }
  switch (result.status) {
    case TaskStatus.succeeded:
      return ended(TaskStatus.succeeded, result.output ?? 'Done');
    case TaskStatus.failed:
      return ended(TaskStatus.failed, result.output);
    case 'retry': {
      const output = result.output ?? 'Not done yet';
      return again(Math.max(0, result.afterSeconds), output, `Polling limit reached: ${output}`, result.payload);
    }
  }
}
