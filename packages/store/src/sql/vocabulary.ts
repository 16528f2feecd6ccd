/**
 * The wire vocabulary as SQL literals, for the statements of the SQL stores: a status in a WHERE, the
 * list of active statuses, the CHECK list of a status column. Each is made from `@apskit/core`'s
 * constants, so that no store spells a status itself and a renamed status cannot leave SQL behind.
 */
import { ACTIVE_TASK_STATUSES, ResourceStatus, TASK_STATUSES, TaskEventKind, TaskStatus } from '@apskit/core';

/** A string as an SQL literal: single-quoted, a quote inside doubled (both SQLite and PostgreSQL read it so). */
export function sqlText(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** `('a', 'b')`: a list for `IN` or a CHECK. */
export function sqlList(values: readonly string[]): string {
  if (values.length === 0) throw new Error('An SQL list needs one value at least');
  return `(${values.map(sqlText).join(', ')})`;
}

type Literals<T extends Record<string, string>> = { readonly [K in keyof T]: string };

function literals<T extends Record<string, string>>(values: T): Literals<T> {
  return Object.freeze(Object.fromEntries(Object.entries(values).map(([k, v]) => [k, sqlText(v)]))) as Literals<T>;
}

/** Each task status as an SQL literal: `` `WHERE status = ${SqlTaskStatus.running}` ``. */
export const SqlTaskStatus = literals(TaskStatus);
/** Each resource status as an SQL literal. */
export const SqlResourceStatus = literals(ResourceStatus);
/** Each task event kind as an SQL literal. */
export const SqlTaskEventKind = literals(TaskEventKind);

/** The statuses of a task still to run or running, for `status IN …`. */
export const SQL_ACTIVE_TASK_STATUSES = sqlList(ACTIVE_TASK_STATUSES);

/** The CHECK of a task status column: exactly the statuses `@apskit/core` knows. */
export const SQL_TASK_STATUS_CHECK = `status IN ${sqlList(TASK_STATUSES)}`;
