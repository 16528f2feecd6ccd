/**
 * What the controller keeps: resources, their links, tasks and their history. Times are epoch
 * milliseconds. Stores hold these records as they are; the controller decides what they mean. The
 * statuses, phases and event kinds are the wire vocabulary of `@apskit/core`, so that a record read
 * from any store speaks the same words as the API that shows it.
 */
import {
  isLifecycleOperation,
  type LifecycleOperation,
  type RequestPhase,
  type ResourceStatus,
  type TaskEventKind,
  type TaskStatus,
} from '@apskit/core';

export type { LifecycleOperation, ResourceStatus, TaskEventKind, TaskStatus };

export interface ResourceRecord {
  readonly id: string;
  /** The type ID. */
  readonly type: string;
  readonly status: ResourceStatus;
  /** Starts at 1 and grows by one with every stored change. */
  readonly revision: number;
  readonly modified: number;
  /** The resource's properties as the endpoint last answered them (without `aps`). */
  readonly properties: Readonly<Record<string, unknown>>;
}

export interface LinkRecord {
  readonly from: string;
  readonly relation: string;
  readonly to: string;
}

/**
 * What a task carries out: a lifecycle operation, or a job of a kind registered with
 * `controller.defineJob` (`webhook.process`, say).
 */
export type TaskOperation = LifecycleOperation | (string & {});

/** Whether a task's operation is a lifecycle call to the endpoint rather than a job. */
export function isLifecycle(operation: TaskOperation): operation is LifecycleOperation {
  return isLifecycleOperation(operation);
}

/** The request a lifecycle task repeats in the async phase, or the payload of a job. */
export type TaskRequest =
  | {
      readonly method: 'POST' | 'PUT' | 'DELETE';
      readonly path: string;
      readonly body?: Record<string, unknown>;
    }
  | { readonly method: 'JOB'; readonly path: string; readonly body?: unknown };

export interface TaskRecord {
  readonly id: string;
  /** The resource the task works on (for a job: the id of what it is about). */
  readonly resourceId: string;
  /**
   * The caller's id for the request that started the task, unique among tasks: a second submit with
   * it finds this task instead of starting another.
   */
  readonly requestId: string | null;
  /** A digest of what was submitted with `requestId`, to refuse the same id with another body. */
  readonly requestHash: string | null;
  readonly operation: TaskOperation;
  /** Like `Provisioning "provisionable" for APS application async-provisioning`. */
  readonly name: string;
  /** The first message (`APS-Info` of the first 202). */
  readonly description: string;
  /** The latest message. */
  readonly output: string;
  readonly status: TaskStatus;
  /** Calls made to the endpoint so far. */
  readonly attempts: number;
  /** When a scheduled task runs next. */
  readonly nextRunAt: number | null;
  /** Past it, a task still answered 202 fails: the polling limit. */
  readonly deadlineAt: number | null;
  /** The phase of the next call: `sync` until the endpoint first answers 202. */
  readonly phase: RequestPhase;
  readonly request: TaskRequest;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly endedAt: number | null;
  /** Who runs it now, and until when; a lease that ran out means its runner died. */
  readonly leaseOwner: string | null;
  readonly leaseUntil: number | null;
}

export interface TaskEvent {
  readonly taskId: string;
  readonly at: number;
  readonly kind: TaskEventKind;
  readonly message: string;
  /** The attempt the event belongs to (0 before the first call). */
  readonly attempt: number;
}

/**
 * An event subscription (issue 19): `subscriberId`'s operation `handler` is told of `event`s whose
 * source is the resource `sourceId`, or any resource of the type `sourceType` (or implementing it).
 * See docs.cloudblue.com/cbc/sdk/21.0/concepts/events/aps-event/event-subscriptions.
 */
export interface SubscriptionRecord {
  /** The controller's id for it (a UUID). */
  readonly id: string;
  readonly subscriberId: string;
  /** The event type URI. */
  readonly event: string;
  readonly sourceType: string | null;
  readonly sourceId: string | null;
  /** For linked/unlinked: only links through this relation of the source. */
  readonly relation: string | null;
  /** The name of the subscriber's operation that takes the notification. */
  readonly handler: string;
  /** Declared by the subscriber's type (`@OnEvent`) rather than created through the API. */
  readonly declared: boolean;
  readonly createdAt: number;
}

/**
 * A task to create together with another write (the store's outbox): an event's deliveries are
 * created in the same transaction as the change that raised it, so that a crash loses neither.
 */
export interface NewTask {
  readonly task: TaskRecord;
  /** Its first event (`created`). */
  readonly event: TaskEvent;
}
