/**
 * The task manager's side of tasks: reading and listing them as JSON, running a failed one again,
 * canceling a scheduled one. Each change is one conditional store step, so that two admins (or an
 * admin and the scheduler) cannot both win.
 */
import { ConflictError, NotFoundError, TaskEventKind, TaskStatus } from '@apskit/core';
import { isLifecycle, type Store, type TaskQuery, type TaskRecord } from '@apskit/store';
import type { ChangeEvents } from '../events/change-events';
import { taskJson, type TaskJson } from '../wire/task-json';
import { IN_PROGRESS } from './attempt';

export interface TaskAdminDeps {
  readonly store: Store;
  readonly changes: ChangeEvents;
  readonly clock: () => number;
  /** Lets the scheduler look at the store now (a task was scheduled again). */
  readonly wake: () => void;
}

const RERUN_MESSAGE = 'Run again on request';

export class TaskAdmin {
  constructor(private readonly deps: TaskAdminDeps) {}

  /** A task; `withHistory`, with its events (the newest `historyLimit` of them, if given). */
  async getTask(id: string, withHistory = false, historyLimit?: number): Promise<TaskJson> {
    const task = await this.deps.store.getTask(id);
    if (!task) throw new NotFoundError(`No task ${id}`);
    return taskJson(task, withHistory ? await this.deps.store.taskEvents(id, historyLimit) : undefined);
  }

  /** Tasks in creation order; `offset` and `limit` page them (no limit unless given). */
  async listTasks(query: TaskQuery): Promise<TaskJson[]> {
    return (await this.deps.store.listTasks(query)).map((t) => taskJson(t));
  }

  /** How many tasks a listTasks query's filters match: the total of its pages. */
  countTasks(query: TaskQuery): Promise<number> {
    return this.deps.store.countTasks(query);
  }

  /** Runs a failed task again, from the phase it failed in (restarting provisioning, say). */
  async rerun(id: string): Promise<TaskJson> {
    const { store, changes } = this.deps;
    const task = await store.getTask(id);
    if (!task) throw new NotFoundError(`No task ${id}`);
    if (task.status !== TaskStatus.failed)
      throw new ConflictError(`Task ${id} is ${task.status}: only a failed task can be rerun`);
    const lifecycle = isLifecycle(task.operation);
    const resource = lifecycle ? await store.getResource(task.resourceId) : undefined;
    if (lifecycle && !resource)
      throw new ConflictError(`Task ${id} cannot be rerun: its resource ${task.resourceId} no longer exists`);
    const now = this.deps.clock();
    const next: TaskRecord = {
      ...task,
      status: TaskStatus.scheduled,
      // The failure's message is history now; the output is the latest word, and it is this.
      output: RERUN_MESSAGE,
      nextRunAt: now,
      deadlineAt: null,
      endedAt: null,
      updatedAt: now,
    };
    const ok = await store.transitionTask(next, [TaskStatus.failed], {
      taskId: id,
      at: now,
      kind: TaskEventKind.rerun,
      message: RERUN_MESSAGE,
      attempt: task.attempts,
    });
    if (!ok)
      throw new ConflictError(`Task ${id} cannot be rerun now: it changed, or another task is active on its resource`);
    if (resource && isLifecycle(task.operation))
      await store.putResource({
        ...resource,
        status: IN_PROGRESS[task.operation],
        revision: resource.revision + 1,
        modified: now,
      });
    this.deps.wake();
    changes.task(next);
    if (resource) changes.resource(resource.id);
    return this.getTask(id);
  }

  async cancel(id: string): Promise<TaskJson> {
    const task = await this.deps.store.getTask(id);
    if (!task) throw new NotFoundError(`No task ${id}`);
    const now = this.deps.clock();
    const next: TaskRecord = { ...task, status: TaskStatus.canceled, nextRunAt: null, endedAt: now, updatedAt: now };
    const ok = await this.deps.store.transitionTask(next, [TaskStatus.scheduled], {
      taskId: id,
      at: now,
      kind: TaskEventKind.canceled,
      message: 'Canceled on request',
      attempt: task.attempts,
    });
    if (!ok) throw new ConflictError(`Task ${id} is ${task.status}: only a scheduled task can be canceled`);
    this.deps.changes.task(next);
    return this.getTask(id);
  }
}
