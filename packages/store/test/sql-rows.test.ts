/**
 * The row mapping both SQL stores share: a record goes to a row and comes back equal, whichever way
 * the dialect's driver reads JSON; SQL literals are made from @apskit/core's vocabulary.
 */
import { ACTIVE_TASK_STATUSES, ResourceStatus, TASK_STATUSES, TaskStatus } from '@apskit/core';
import {
  POSTGRES_DIALECT,
  resourceRow,
  resourceValues,
  RESOURCE_COLUMN_NAMES,
  rowReader,
  SQL_ACTIVE_TASK_STATUSES,
  SQL_TASK_STATUS_CHECK,
  SQLITE_DIALECT,
  sqlList,
  SqlResourceStatus,
  SqlTaskStatus,
  sqlText,
  TASK_COLUMN_NAMES,
  TASK_UPDATE_COLUMN_NAMES,
  taskFilter,
  taskRow,
  taskUpdateValues,
  taskValues,
} from '@apskit/store';
import { exampleResource, exampleTask } from '@apskit/store/testing';

const task = exampleTask('t1', 'r1', {
  requestId: 'q',
  requestHash: 'h',
  request: { method: 'JOB', path: 'k', body: [1, { a: 2 }] },
  nextRunAt: 12.5,
});
const resource = exampleResource('r1', { z: 1, a: [1, 'two', { b: null }] });

describe('the shared row mapping', () => {
  it('reads back what it wrote, JSON as text (SQLite)', () => {
    const { taskOf, resourceOf } = rowReader(SQLITE_DIALECT);
    expect(taskOf(taskRow(task))).toEqual(task);
    expect(resourceOf(resourceRow(resource))).toEqual(resource);
  });

  it('reads back what it wrote, JSON parsed by the driver (PostgreSQL)', () => {
    const { taskOf, resourceOf } = rowReader(POSTGRES_DIALECT);
    const row = taskRow(task);
    expect(taskOf({ ...row, request: JSON.parse(row.request) })).toEqual(task);
    const r = resourceRow(resource);
    expect(resourceOf({ ...r, properties: JSON.parse(r.properties) })).toEqual(resource);
  });

  it('orders positional values as the column lists', () => {
    const row = taskRow(task);
    expect(taskValues(task)).toEqual(TASK_COLUMN_NAMES.map((c) => row[c]));
    expect(taskUpdateValues(task)).toEqual(TASK_UPDATE_COLUMN_NAMES.map((c) => row[c]));
    const r = resourceRow(resource);
    expect(resourceValues(resource)).toEqual(RESOURCE_COLUMN_NAMES.map((c) => r[c]));
  });

  it('reads a record back from its values in column order (a row read as an array)', () => {
    const { taskOfValues, resourceOfValues } = rowReader(SQLITE_DIALECT);
    expect(taskOfValues(taskValues(task))).toEqual(task);
    // Columns after the record's (SQLite's rowid as seq) are left alone.
    expect(taskOfValues([...taskValues(task), 7])).toEqual(task);
    expect(resourceOfValues(resourceValues(resource))).toEqual(resource);
    // Several in one flat array, appended one after the other and read at their offsets.
    const other = exampleTask('t2', 'r2', { status: TaskStatus.running, leaseOwner: 'me', leaseUntil: 9 });
    const flat = taskValues(other, taskValues(task, ['before']));
    expect(flat[0]).toBe('before');
    expect(taskOfValues(flat, 1)).toEqual(task);
    expect(taskOfValues(flat, 1 + TASK_COLUMN_NAMES.length)).toEqual(other);
    const r2 = exampleResource('r2', { b: 1 });
    expect(resourceOfValues(resourceValues(r2, resourceValues(resource)), RESOURCE_COLUMN_NAMES.length)).toEqual(r2);
  });

  it("writes a task query's filters in each dialect's placeholders", () => {
    const sqlite: unknown[] = [];
    expect(taskFilter({ resourceId: 'r', status: TaskStatus.failed }, SQLITE_DIALECT, sqlite)).toBe(
      'WHERE resource_id = ? AND status = ?',
    );
    expect(sqlite).toEqual(['r', TaskStatus.failed]);
    const pg: unknown[] = [10, 0];
    expect(taskFilter({ status: TaskStatus.running }, POSTGRES_DIALECT, pg)).toBe('WHERE status = $3');
    expect(taskFilter({}, POSTGRES_DIALECT, [])).toBe('');
  });
});

describe('SQL literals of the wire vocabulary', () => {
  it('are the core constants, quoted', () => {
    expect(SqlTaskStatus.running).toBe(`'${TaskStatus.running}'`);
    expect(SqlResourceStatus.ready).toBe(`'${ResourceStatus.ready}'`);
    expect(SQL_ACTIVE_TASK_STATUSES).toBe(`(${ACTIVE_TASK_STATUSES.map((s) => `'${s}'`).join(', ')})`);
    expect(SQL_TASK_STATUS_CHECK).toBe(`status IN (${TASK_STATUSES.map((s) => `'${s}'`).join(', ')})`);
  });

  it('double a quote inside a value', () => {
    expect(sqlText("it's")).toBe("'it''s'");
    expect(() => sqlList([])).toThrow(/one value/);
  });
});
