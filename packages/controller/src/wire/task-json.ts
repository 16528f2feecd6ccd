/**
 * A task on the wire (`GET /apskit/tasks/{id}`, the event stream, what lifecycle calls answer): the
 * shape `@apskit/core` defines for the API, the client and the console, made from a stored task.
 * Times turn from epoch milliseconds into ISO 8601; a task's next run shows only while it is scheduled.
 */
import { TaskStatus, type TaskJson } from '@apskit/core';
import type { TaskEvent, TaskRecord } from '@apskit/store';

export type { TaskJson };

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function taskJson(t: TaskRecord, events?: readonly TaskEvent[]): TaskJson {
  const json: TaskJson = {
    id: t.id,
    resourceId: t.resourceId,
    requestId: t.requestId,
    operation: t.operation,
    name: t.name,
    description: t.description,
    output: t.output,
    status: t.status,
    attempts: t.attempts,
    nextRunAt: t.status === TaskStatus.scheduled ? iso(t.nextRunAt) : null,
    deadlineAt: iso(t.deadlineAt),
    createdAt: iso(t.createdAt) as string,
    updatedAt: iso(t.updatedAt) as string,
    endedAt: iso(t.endedAt),
  };
  if (!events) return json;
  return {
    ...json,
    history: events.map((e) => ({ at: iso(e.at) as string, kind: e.kind, message: e.message, attempt: e.attempt })),
  };
}
