/**
 * A task as the embedded controller's API answers it (`GET /apskit/tasks/{id}`), and as the client,
 * the console and the OpenAPI document describe it. Times are ISO 8601 strings.
 */
import type { TaskEventKind, TaskStatus } from './statuses';

/** One step of a task's history. */
export interface TaskHistoryEntryJson {
  readonly at: string;
  readonly kind: TaskEventKind;
  readonly message: string;
  /** The attempt the step belongs to (0 before the first call). */
  readonly attempt: number;
}

export interface TaskJson {
  readonly id: string;
  /** The resource the task works on (for a job: what it is about). */
  readonly resourceId: string;
  /** The request id the task was submitted with. */
  readonly requestId: string | null;
  /** `provision`, `configure`, `unprovision`, or a job kind (`webhook.process`, say). */
  readonly operation: string;
  /** Like `Provisioning "provisionable" for APS application async-provisioning`. */
  readonly name: string;
  /** The first message. */
  readonly description: string;
  /** The latest message: progress while it runs, the error when it failed. */
  readonly output: string;
  readonly status: TaskStatus;
  readonly attempts: number;
  readonly nextRunAt: string | null;
  readonly deadlineAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly endedAt: string | null;
  /** Present when asked for (`GET /apskit/tasks/{id}`): the newest steps, oldest first. */
  readonly history?: readonly TaskHistoryEntryJson[];
}
