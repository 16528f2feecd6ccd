/**
 * The kinds of job a controller runs, as the app defined them, and their enqueueing: a job is a task
 * like any other (durable, leased, retried, with history), created here and run by the task runner.
 */
import { RequestPhase, TaskEventKind, TaskStatus } from '@apskit/core';
import { isLifecycle, type Store, type TaskEvent, type TaskRecord } from '@apskit/store';
import type { ChangeEvents } from '../events/change-events';
import { taskJson, type TaskJson } from '../wire/task-json';
import type { EnqueueOptions, JobDefinition } from './jobs';
import { newTaskId } from './task-id';

/** A new task's first event: `created`, with its name. */
export function createdEvent(task: TaskRecord): TaskEvent {
  return { taskId: task.id, at: task.createdAt, kind: TaskEventKind.created, message: task.name, attempt: 0 };
}

export interface JobRegistryDeps {
  readonly store: Pick<Store, 'createTask'>;
  readonly clock: () => number;
  readonly changes: ChangeEvents;
  /** Lets the scheduler look at the store now. */
  readonly wake: () => void;
}

export class JobRegistry {
  private readonly jobs = new Map<string, JobDefinition<unknown>>();

  constructor(private readonly deps: JobRegistryDeps) {}

  /** Registers a kind of job; tasks of that kind are run by `definition.run`. */
  define<P>(kind: string, definition: JobDefinition<P>): void {
    if (isLifecycle(kind)) throw new Error(`"${kind}" is a lifecycle operation, not a job kind`);
    this.jobs.set(kind, definition as JobDefinition<unknown>);
  }

  get(kind: string): JobDefinition<unknown> | undefined {
    return this.jobs.get(kind);
  }

  /**
   * Schedules a job. With a `requestId`, a job already enqueued with it is returned instead of a new
   * one (whatever its payload): enqueueing is idempotent, so a redelivered request schedules once.
   */
  async enqueue<P>(kind: string, options: EnqueueOptions<P>): Promise<{ task: TaskJson; created: boolean }> {
    const job = this.jobs.get(kind);
    if (!job) throw new Error(`No job "${kind}" is defined: call defineJob first`);
    const now = this.deps.clock();
    const task: TaskRecord = {
      id: newTaskId(),
      resourceId: options.subjectId,
      requestId: options.requestId ?? null,
      requestHash: null,
      operation: kind,
      name: job.name(options.payload),
      description: '',
      output: '',
      status: TaskStatus.scheduled,
      attempts: 0,
      nextRunAt: options.runAt ?? now,
      deadlineAt: null,
      phase: RequestPhase.async,
      request: { method: 'JOB', path: kind, body: options.payload },
      createdAt: now,
      updatedAt: now,
      endedAt: null,
      leaseOwner: null,
      leaseUntil: null,
    };
    const created = await this.deps.store.createTask(task, createdEvent(task));
    if (!created.created) return { task: taskJson(created.existing), created: false };
    this.deps.wake();
    this.deps.changes.task(task);
    return { task: taskJson(task), created: true };
  }
}
