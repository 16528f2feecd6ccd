/**
 * The status and operation vocabulary shared by the endpoint, the controller, its stores, the client
 * and the webhooks: each value is spelled here once, as a constant and in a list for checks (a SQL
 * CHECK, a query parameter) that must accept exactly these.
 */

/** `aps.status` of a resource, as the APS controller reports it. */
export const ResourceStatus = {
  proto: 'aps:proto',
  provisioning: 'aps:provisioning',
  ready: 'aps:ready',
  configuring: 'aps:configuring',
  unprovisioning: 'aps:unprovisioning',
  deleted: 'aps:deleted',
  upgrading: 'aps:upgrading',
  activating: 'aps:activating',
} as const;
export type ResourceStatus = (typeof ResourceStatus)[keyof typeof ResourceStatus];
export const RESOURCE_STATUSES: readonly ResourceStatus[] = Object.freeze(Object.values(ResourceStatus));

/** The state of a task of the embedded controller. */
export const TaskStatus = {
  scheduled: 'scheduled',
  running: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  canceled: 'canceled',
} as const;
export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus];
export const TASK_STATUSES: readonly TaskStatus[] = Object.freeze(Object.values(TaskStatus));
/** A task in one of these is over: the scheduler never takes it up again (but for a rerun). */
export const ENDED_TASK_STATUSES: readonly TaskStatus[] = Object.freeze([
  TaskStatus.succeeded,
  TaskStatus.failed,
  TaskStatus.canceled,
]);
/** A task in one of these is still to run or running. */
export const ACTIVE_TASK_STATUSES: readonly TaskStatus[] = Object.freeze([TaskStatus.scheduled, TaskStatus.running]);

/** What happened to a task, as its history records it. */
export const TaskEventKind = {
  created: 'created',
  started: 'started',
  rescheduled: 'rescheduled',
  succeeded: 'succeeded',
  failed: 'failed',
  canceled: 'canceled',
  rerun: 'rerun',
  recovered: 'recovered',
} as const;
export type TaskEventKind = (typeof TaskEventKind)[keyof typeof TaskEventKind];
export const TASK_EVENT_KINDS: readonly TaskEventKind[] = Object.freeze(Object.values(TaskEventKind));

/** `APS-Request-Phase`: the first call of an operation, or a re-poll after a 202. */
export const RequestPhase = { sync: 'sync', async: 'async' } as const;
export type RequestPhase = (typeof RequestPhase)[keyof typeof RequestPhase];
export const REQUEST_PHASES: readonly RequestPhase[] = Object.freeze(Object.values(RequestPhase));

/** The lifecycle operations the controller calls an endpoint for, and runs as tasks. */
export const LifecycleOperation = {
  provision: 'provision',
  configure: 'configure',
  unprovision: 'unprovision',
  /** A new version of the application applied to its instance: the root resource's `upgrade` operation. */
  upgrade: 'upgrade',
} as const;
export type LifecycleOperation = (typeof LifecycleOperation)[keyof typeof LifecycleOperation];
export const LIFECYCLE_OPERATIONS: readonly LifecycleOperation[] = Object.freeze(Object.values(LifecycleOperation));

export function isLifecycleOperation(operation: string): operation is LifecycleOperation {
  return (LIFECYCLE_OPERATIONS as readonly string[]).includes(operation);
}
