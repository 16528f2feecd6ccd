/**
 * Records to rows and back, for the SQL stores (SQLite in @apskit/controller, PostgreSQL in
 * @apskit/store-postgres): one table layout, one mapping. The stores differ only where their drivers
 * do, and a `SqlDialect` says how: whether a JSON column reads back as text or already parsed, and
 * how a statement's parameters are written. Writes are the same everywhere: JSON as its text, so
 * that arrays stay JSON arrays (pg would send a JavaScript array as a PostgreSQL one).
 */
import type { TaskQuery } from '../store';
import type { ResourceRecord, SubscriptionRecord, TaskEvent, TaskRecord } from '../records';

export interface SqlDialect {
  /** How a JSON column reads back: its text (SQLite), or parsed by the driver (pg's `json`). */
  readonly json: 'text' | 'parsed';
  /** The placeholder of the `n`th parameter of a statement, from 1: `?` (SQLite), `$n` (PostgreSQL). */
  placeholder(n: number): string;
}

export const SQLITE_DIALECT: SqlDialect = Object.freeze({ json: 'text', placeholder: () => '?' });
export const POSTGRES_DIALECT: SqlDialect = Object.freeze({ json: 'parsed', placeholder: (n: number) => `$${n}` });

/** The columns of `tasks`, in the order of `taskValues`. */
export const TASK_COLUMN_NAMES = [
  'id',
  'resource_id',
  'request_id',
  'request_hash',
  'operation',
  'name',
  'description',
  'output',
  'status',
  'attempts',
  'next_run_at',
  'deadline_at',
  'phase',
  'request',
  'created_at',
  'updated_at',
  'ended_at',
  'lease_owner',
  'lease_until',
] as const;
export type TaskColumn = (typeof TASK_COLUMN_NAMES)[number];
export const TASK_COLUMNS = TASK_COLUMN_NAMES.join(', ');

/** What an update of a task writes, in the order of `taskUpdateValues`: all but the columns fixed at creation. */
export const TASK_UPDATE_COLUMN_NAMES = [
  'name',
  'description',
  'output',
  'status',
  'attempts',
  'next_run_at',
  'deadline_at',
  'phase',
  'request',
  'updated_at',
  'ended_at',
  'lease_owner',
  'lease_until',
] as const satisfies readonly TaskColumn[];

/** The columns of `resources`, in the order of `resourceValues`. */
export const RESOURCE_COLUMN_NAMES = ['id', 'type', 'status', 'revision', 'modified', 'properties'] as const;
export const RESOURCE_COLUMNS = RESOURCE_COLUMN_NAMES.join(', ');

/** The columns of `task_events` a store writes (its `seq` is the table's own), in the order of `eventValues`. */
export const EVENT_COLUMNS = 'task_id, at, kind, message, attempt';

/**
 * The columns of `subscriptions` a store writes, in the order of `subscriptionValues` (its `seq`,
 * the creation order, is the table's own).
 */
export const SUBSCRIPTION_COLUMN_NAMES = [
  'id',
  'subscriber_id',
  'event',
  'source_type',
  'source_id',
  'relation',
  'handler',
  'declared',
  'created_at',
] as const;
export const SUBSCRIPTION_COLUMNS = SUBSCRIPTION_COLUMN_NAMES.join(', ');

/**
 * A subscription as a row. `declared` is 0 or 1 as written (SQLite binds no booleans; PostgreSQL
 * casts it into its boolean column), and reads back as that or as a boolean (pg).
 */
export interface SubscriptionRow {
  id: string;
  subscriber_id: string;
  event: string;
  source_type: string | null;
  source_id: string | null;
  relation: string | null;
  handler: string;
  declared: number | boolean;
  created_at: number;
}

/** A subscription as the row to write: keys are the column names (SQLite's named parameters). */
export function subscriptionRow(s: SubscriptionRecord): SubscriptionRow {
  return {
    id: s.id,
    subscriber_id: s.subscriberId,
    event: s.event,
    source_type: s.sourceType,
    source_id: s.sourceId,
    relation: s.relation,
    handler: s.handler,
    declared: s.declared ? 1 : 0,
    created_at: s.createdAt,
  };
}

/** A subscription's values in SUBSCRIPTION_COLUMN_NAMES order. */
export function subscriptionValues(s: SubscriptionRecord): unknown[] {
  const row = subscriptionRow(s);
  return SUBSCRIPTION_COLUMN_NAMES.map((c) => row[c]);
}

/** A subscription row read back (either store: the columns need no dialect). */
export function subscriptionOf(row: SubscriptionRow): SubscriptionRecord {
  return {
    id: row.id,
    subscriberId: row.subscriber_id,
    event: row.event,
    sourceType: row.source_type,
    sourceId: row.source_id,
    relation: row.relation,
    handler: row.handler,
    declared: row.declared === true || row.declared === 1,
    createdAt: row.created_at,
  };
}

/** A task as a row; `J` is what its JSON column holds (text as written, or parsed as pg reads it). */
export interface TaskRow<J = string> {
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
  request: J;
  created_at: number;
  updated_at: number;
  ended_at: number | null;
  lease_owner: string | null;
  lease_until: number | null;
}

/** A resource as a row; `J` as in TaskRow. */
export interface ResourceRow<J = string> {
  id: string;
  type: string;
  status: string;
  revision: number;
  modified: number;
  properties: J;
}

/** A task as the row to write, JSON as text: keys are the column names (SQLite's named parameters). */
export function taskRow(t: TaskRecord): TaskRow {
  return {
    id: t.id,
    resource_id: t.resourceId,
    request_id: t.requestId,
    request_hash: t.requestHash,
    operation: t.operation,
    name: t.name,
    description: t.description,
    output: t.output,
    status: t.status,
    attempts: t.attempts,
    next_run_at: t.nextRunAt,
    deadline_at: t.deadlineAt,
    phase: t.phase,
    request: JSON.stringify(t.request),
    created_at: t.createdAt,
    updated_at: t.updatedAt,
    ended_at: t.endedAt,
    lease_owner: t.leaseOwner,
    lease_until: t.leaseUntil,
  };
}

/**
 * A task's values in TASK_COLUMN_NAMES order (positional parameters), appended to `into` if given,
 * written out rather than mapped from taskRow: SQLite's writer thread gets one per attempt outcome,
 * in one flat array per batch (see taskOfValues).
 */
export function taskValues(t: TaskRecord, into: SqlValue[] = []): SqlValue[] {
  into.push(
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
  );
  return into;
}

/** A value bound to a statement's parameter, or read from a column. */
export type SqlValue = string | number | null;

/** A task's values in TASK_UPDATE_COLUMN_NAMES order. */
export function taskUpdateValues(t: TaskRecord): unknown[] {
  const row = taskRow(t);
  return TASK_UPDATE_COLUMN_NAMES.map((c) => row[c]);
}

/** A resource as the row to write, JSON as text. */
export function resourceRow(r: ResourceRecord): ResourceRow {
  return {
    id: r.id,
    type: r.type,
    status: r.status,
    revision: r.revision,
    modified: r.modified,
    properties: JSON.stringify(r.properties),
  };
}

/** A resource's values in RESOURCE_COLUMN_NAMES order, appended to `into` if given. */
export function resourceValues(r: ResourceRecord, into: SqlValue[] = []): SqlValue[] {
  into.push(r.id, r.type, r.status, r.revision, r.modified, JSON.stringify(r.properties));
  return into;
}

/** An event's values in EVENT_COLUMNS order, appended to `into` if given. */
export function eventValues(e: TaskEvent, into: SqlValue[] = []): SqlValue[] {
  into.push(e.taskId, e.at, e.kind, e.message, e.attempt);
  return into;
}

/** Reads rows back into records, the JSON columns as the dialect's driver returns them. */
export interface RowReader {
  taskOf(row: TaskRow<unknown>): TaskRecord;
  resourceOf(row: ResourceRow<unknown>): ResourceRecord;
  /**
   * A task from its values in TASK_COLUMN_NAMES order (a row read as an array), from index `at` of
   * `values` (a flat array of several rows); what follows them is left alone.
   */
  taskOfValues(values: readonly unknown[], at?: number): TaskRecord;
  /** A resource from its values in RESOURCE_COLUMN_NAMES order, from index `at`. */
  resourceOfValues(values: readonly unknown[], at?: number): ResourceRecord;
}

export function rowReader(dialect: SqlDialect): RowReader {
  // The stores' own writes are all that is in these columns: their shape is the records'.
  const json = <T>(value: unknown): T => (dialect.json === 'text' ? JSON.parse(value as string) : value) as T;
  return {
    taskOf: (row) => ({
      id: row.id,
      resourceId: row.resource_id,
      requestId: row.request_id,
      requestHash: row.request_hash,
      operation: row.operation as TaskRecord['operation'],
      name: row.name,
      description: row.description,
      output: row.output,
      status: row.status as TaskRecord['status'],
      attempts: row.attempts,
      nextRunAt: row.next_run_at,
      deadlineAt: row.deadline_at,
      phase: row.phase as TaskRecord['phase'],
      request: json<TaskRecord['request']>(row.request),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      endedAt: row.ended_at,
      leaseOwner: row.lease_owner,
      leaseUntil: row.lease_until,
    }),
    resourceOf: (row) => ({
      id: row.id,
      type: row.type,
      status: row.status as ResourceRecord['status'],
      revision: row.revision,
      modified: row.modified,
      properties: json<Record<string, unknown>>(row.properties),
    }),
    // The indexes below are TASK_COLUMN_NAMES' and RESOURCE_COLUMN_NAMES' (rows.test.ts reads both ways).
    taskOfValues: (v, at = 0) => ({
      id: v[at] as string,
      resourceId: v[at + 1] as string,
      requestId: v[at + 2] as string | null,
      requestHash: v[at + 3] as string | null,
      operation: v[at + 4] as TaskRecord['operation'],
      name: v[at + 5] as string,
      description: v[at + 6] as string,
      output: v[at + 7] as string,
      status: v[at + 8] as TaskRecord['status'],
      attempts: v[at + 9] as number,
      nextRunAt: v[at + 10] as number | null,
      deadlineAt: v[at + 11] as number | null,
      phase: v[at + 12] as TaskRecord['phase'],
      request: json<TaskRecord['request']>(v[at + 13]),
      createdAt: v[at + 14] as number,
      updatedAt: v[at + 15] as number,
      endedAt: v[at + 16] as number | null,
      leaseOwner: v[at + 17] as string | null,
      leaseUntil: v[at + 18] as number | null,
    }),
    resourceOfValues: (v, at = 0) => ({
      id: v[at] as string,
      type: v[at + 1] as string,
      status: v[at + 2] as ResourceRecord['status'],
      revision: v[at + 3] as number,
      modified: v[at + 4] as number,
      properties: json<Record<string, unknown>>(v[at + 5]),
    }),
  };
}

/**
 * The WHERE clause of a task query's filters (empty without any), its values appended to `values`:
 * a dialect numbering its parameters numbers them after those already there.
 */
export function taskFilter(query: TaskQuery, dialect: SqlDialect, values: unknown[]): string {
  const clauses: string[] = [];
  if (query.resourceId !== undefined) {
    values.push(query.resourceId);
    clauses.push(`resource_id = ${dialect.placeholder(values.length)}`);
  }
  if (query.status !== undefined) {
    values.push(query.status);
    clauses.push(`status = ${dialect.placeholder(values.length)}`);
  }
  return clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '';
}
