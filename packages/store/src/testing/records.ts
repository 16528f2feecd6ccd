/**
 * Store records for store tests: defaults that a test overrides where it matters. A resource of type
 * `t`, still provisioning; a task scheduled at 100 ms, in the async phase; an event whose message is
 * its kind.
 */
import { Events, LifecycleOperation, RequestPhase, ResourceStatus, TaskStatus, type TaskEventKind } from '@apskit/core';
import type { ResourceRecord, SubscriptionRecord, TaskEvent, TaskRecord } from '../records';

export const exampleResource = (id: string, properties: Record<string, unknown> = { n: 1 }): ResourceRecord => ({
  id,
  type: 't',
  status: ResourceStatus.provisioning,
  revision: 1,
  modified: 0,
  properties,
});

export const exampleTask = (id: string, resourceId: string, over: Partial<TaskRecord> = {}): TaskRecord => ({
  id,
  resourceId,
  requestId: null,
  requestHash: null,
  operation: LifecycleOperation.provision,
  name: `task ${id}`,
  description: '',
  output: '',
  status: TaskStatus.scheduled,
  attempts: 0,
  nextRunAt: 100,
  deadlineAt: null,
  phase: RequestPhase.async,
  request: { method: 'POST', path: '/x/' },
  createdAt: 0,
  updatedAt: 0,
  endedAt: null,
  leaseOwner: null,
  leaseUntil: null,
  ...over,
});

export const exampleEvent = (taskId: string, kind: TaskEventKind, at = 0): TaskEvent => ({
  taskId,
  at,
  kind,
  message: kind,
  attempt: 0,
});

/** `subscriberId`'s subscription to `Changed` of any resource of type `t`, taken by its `onChanged`. */
export const exampleSubscription = (
  id: string,
  subscriberId: string,
  over: Partial<SubscriptionRecord> = {},
): SubscriptionRecord => ({
  id,
  subscriberId,
  event: Events.changed,
  sourceType: 't',
  sourceId: null,
  relation: null,
  handler: 'onChanged',
  declared: false,
  createdAt: 0,
  ...over,
});
