/**
 * Records to statement parameters and rows back to records. Times are double precision columns, which
 * pg reads as numbers, and json columns, which it parses.
 */
import type { AttemptOutcome, ResourceRecord, TaskEvent, TaskRecord, TaskStatus } from '@apskit/controller';

export interface TaskRow {
  id: string;
  resource_id: string;
  request_id: string | null;
  request_hash: string | null;
  operation: string;
  name: string;
  description: string;
  output: string;
  status: string;
  attempts: number;
  next_run_at: number | null;
  deadline_at: number | null;
  phase: string;
  /** A json column: pg parses it. */
  request: TaskRecord['request'];
  created_at: number;
  updated_at: number;
  ended_at: number | null;
  lease_owner: string | null;
  lease_until: number | null;
}

export interface ResourceRow {
  id: string;
  type: string;
  status: string;
  revision: number;
  modified: number;
  properties: Record<string, unknown>;
}

export const TASK_COLUMNS =
  'id, resource_id, request_id, request_hash, operation, name, description, output, status, attempts, next_run_at, deadline_at, phase, request, created_at, updated_at, ended_at, lease_owner, lease_until';

/** A task's values in TASK_COLUMNS order ($1 … $19); json as text, so that arrays stay JSON arrays. */
export function taskParams(t: TaskRecord): unknown[] {
  return [
    t.id,
    t.resourceId,
    t.requestId,
    t.requestHash,
    t.operation,
    t.name,
    t.description,
    t.output,
    t.status,
    t.attempts,
    t.nextRunAt,
    t.deadlineAt,
    t.phase,
    JSON.stringify(t.request),
    t.createdAt,
    t.updatedAt,
    t.endedAt,
    t.leaseOwner,
    t.leaseUntil,
  ];
}

/** What an update of a task writes, as $2 … $14 after its id: name … lease_until, all but the fixed columns. */
export function taskUpdateParams(t: TaskRecord): unknown[] {
  return [
    t.name,
    t.description,
    t.output,
    t.status,
    t.attempts,
    t.nextRunAt,
    t.deadlineAt,
    t.phase,
    JSON.stringify(t.request),
    t.updatedAt,
    t.endedAt,
    t.leaseOwner,
    t.leaseUntil,
  ];
}

/** One outcome as a row of the `complete` statement's JSON input, `i` its index in the batch. */
export function outcomeJson(outcome: AttemptOutcome, i: number): Record<string, unknown> {
  const t = outcome.task;
  const e = outcome.event;
  const r = outcome.resource;
  return {
    i,
    id: t.id,
    name: t.name,
    description: t.description,
    output: t.output,
    status: t.status,
    attempts: t.attempts,
    next_run_at: t.nextRunAt,
    deadline_at: t.deadlineAt,
    phase: t.phase,
    request: t.request,
    updated_at: t.updatedAt,
    ended_at: t.endedAt,
    lease_owner: t.leaseOwner,
    lease_until: t.leaseUntil,
    e_task_id: e.taskId,
    e_at: e.at,
    e_kind: e.kind,
    e_message: e.message,
    e_attempt: e.attempt,
    ...(r === undefined
      ? { r: null }
      : 'delete' in r
        ? { r: 'delete', r_id: r.delete }
        : {
            r: 'put',
            r_id: r.id,
            r_type: r.type,
            r_status: r.status,
            r_revision: r.revision,
            r_modified: r.modified,
            r_properties: r.properties,
          }),
  };
}

export const RESOURCE_COLUMNS = 'id, type, status, revision, modified, properties';

/** A resource's values in RESOURCE_COLUMNS order. */
export function resourceParams(r: ResourceRecord): unknown[] {
  return [r.id, r.type, r.status, r.revision, r.modified, JSON.stringify(r.properties)];
}

/** An event's values: task_id, at, kind, message, attempt. */
export function eventParams(e: TaskEvent): unknown[] {
  return [e.taskId, e.at, e.kind, e.message, e.attempt];
}

export function taskOf(row: TaskRow): TaskRecord {
  return {
    id: row.id,
    resourceId: row.resource_id,
    requestId: row.request_id,
    requestHash: row.request_hash,
    operation: row.operation as TaskRecord['operation'],
    name: row.name,
    description: row.description,
    output: row.output,
    status: row.status as TaskStatus,
    attempts: row.attempts,
    nextRunAt: row.next_run_at,
    deadlineAt: row.deadline_at,
    phase: row.phase as TaskRecord['phase'],
    request: row.request,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    endedAt: row.ended_at,
    leaseOwner: row.lease_owner,
    leaseUntil: row.lease_until,
  };
}

export function resourceOf(row: ResourceRow): ResourceRecord {
  return {
    id: row.id,
    type: row.type,
    status: row.status as ResourceRecord['status'],
    revision: row.revision,
    modified: row.modified,
    properties: row.properties,
  };
}
