/**
 * An operation submitted to the controller: what `create`, `update` and `remove` return and what
 * `waitFor` accepts. It carries everything needed to follow it later (request id, task id), so that
 * it can be stored and waited for by another process.
 */
import { LifecycleOperation, TaskStatus } from '@apskit/core';
import type { HttpAnswer } from './http';
import { REQUEST_ID_HEADER, TASK_ID_HEADER } from './http';
import type { Resource, Task } from './types';

export type OperationKind = LifecycleOperation;

export interface Operation<T, K extends OperationKind = OperationKind> {
  readonly kind: K;
  /** The id the controller recorded on the task, and names in its errors. */
  readonly requestId: string;
  /** The task that carries it on; undefined when the controller finished it in the submit itself. */
  readonly taskId: string | undefined;
  readonly resourceId: string;
  /** The resource as the submit answered it (in its `aps:provisioning`… status when pending); none after a finished unprovision. */
  readonly resource: Resource<T> | undefined;
  /** `succeeded`: done in the submit (200, 204). `pending`: a task runs it (202). */
  readonly status: typeof TaskStatus.succeeded | 'pending';
}

/** What `waitFor` resolves with: the resource in its final state (none after unprovision). */
export interface Completed<T, K extends OperationKind = OperationKind> {
  readonly requestId: string;
  readonly operation: Operation<T, K>;
  readonly resource: K extends typeof LifecycleOperation.unprovision ? undefined : Resource<T>;
  /**
   * The finished task (read once more when the submit itself finished the operation); undefined only
   * when the controller made none.
   */
  readonly task: Task | undefined;
  /** Status reads made. */
  readonly polls: number;
  readonly elapsedMs: number;
}

/** Reads an operation from the controller's answer to a submit (200, 202 or 204). */
export function operationFromAnswer<T, K extends OperationKind>(
  kind: K,
  answer: HttpAnswer,
  requestId: string,
  resourceId: string | undefined,
): Operation<T, K> {
  const resource = answer.status === 204 ? undefined : (answer.body as Resource<T> | undefined);
  const id = resource?.aps?.id ?? resourceId;
  if (id === undefined) throw new Error(`The controller's answer (HTTP ${answer.status}) names no resource`);
  return {
    kind,
    // The controller echoes the id; a different one would mean the answer is for another request.
    requestId: answer.headers.get(REQUEST_ID_HEADER) ?? requestId,
    taskId: answer.headers.get(TASK_ID_HEADER) ?? undefined,
    resourceId: id,
    resource,
    status: answer.status === 202 ? 'pending' : TaskStatus.succeeded,
  };
}
