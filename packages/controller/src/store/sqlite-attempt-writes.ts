/**
 * The scheduler's writes on SQLite: attempt outcomes and claims, in one transaction per batch. One
 * module, run on the store's own connection (a database in memory, or should the writer thread be
 * gone) and on the writer thread's (sqlite-writer.ts): the same statements either way.
 *
 * It takes and gives values in column order (`taskValues`, `resourceValues`), not records or rows
 * with names: what crosses to the thread is flat data, and every statement binds positionally and
 * reads arrays (better-sqlite3's raw mode). On the benchmark machine a named binding of a task's
 * update cost 3 µs more than a positional one, and a claimed task read as an object 4.5 µs more
 * than as an array: per re-poll, a tenth of the thread's time.
 */
import type Database from 'better-sqlite3';
import type { SqlValue, TaskEvent } from '@apskit/store';

/** A task's values in the order of `columns.task` (taskValues). */
export type TaskValues = readonly SqlValue[];
/** A resource's values in the order of `columns.resource` (resourceValues). */
export type ResourceValues = readonly SqlValue[];

/** A task created with another write, as values (see NewTask). */
export interface FollowUpValues {
  readonly task: TaskValues;
  readonly event: TaskEvent;
}

/**
 * A batch of attempt outcomes (see AttemptOutcome) as one flat array of values: what crosses to the
 * writer thread. On the benchmark machine such an array was cloned in half the time of one object
 * per outcome, and read back in under half. Per outcome, in order:
 * - its task's values (`columns.task` order);
 * - its event's: task id, at, kind, message, attempt;
 * - what it does to its resource: OutcomeResource.none; or .values, then the resource's values
 *   (`columns.resource` order); or .deleted, then the resource's id;
 * - how many follow-ups, then each one's task values and event values.
 */
export type OutcomeBatch = SqlValue[];

/** The tag of an outcome's resource in an OutcomeBatch. */
export const OutcomeResource = { none: 0, values: 1, deleted: 2 } as const;

export interface ClaimArgs {
  readonly now: number;
  readonly limit: number;
  readonly leaseUntil: number;
}

export interface AttemptWritesResult {
  /** For each outcome of the batch, whether it was applied. */
  readonly applied: boolean[];
  /**
   * The claimed tasks' values, one after the other in one flat array (as the outcomes), each task's
   * in `columns.task` order and then its row's creation order (unused): `columns.task.length + 1`
   * values a task.
   */
  readonly claimed: SqlValue[];
  /**
   * The claimed tasks' resources' values, read after the claim in its transaction (see
   * CompletedAndClaimed), `columns.resource.length` values a resource, one after the other.
   */
  readonly resources: SqlValue[];
}

export interface AttemptWritesOptions {
  readonly maxEventsPerTask: number;
  /** `full` syncs a commit with outcomes; a claim alone is never synced (see completeAndClaim). */
  readonly durability: 'full' | 'normal';
  /**
   * The words of @apskit/store's vocabulary these writes use, given rather than imported: the writer
   * thread then loads better-sqlite3 and this module only (@apskit/store brings @apskit/core: 25 MB
   * and 0.2 s more for every thread).
   */
  readonly vocabulary: AttemptVocabulary;
}

export interface AttemptVocabulary {
  /** SqlTaskStatus.running and .scheduled: SQL literals. */
  readonly sqlRunning: string;
  readonly sqlScheduled: string;
  /** TaskStatus.running, TaskEventKind.recovered and RECOVERED_MESSAGE. */
  readonly running: string;
  readonly recovered: TaskEvent['kind'];
  readonly recoveredMessage: string;
  /** TASK_COLUMN_NAMES, TASK_UPDATE_COLUMN_NAMES and RESOURCE_COLUMN_NAMES: the values' orders. */
  readonly taskColumns: readonly string[];
  readonly taskUpdateColumns: readonly string[];
  readonly resourceColumns: readonly string[];
}

export interface AttemptWrites {
  /**
   * Steps of other writes, in a transaction of the caller's on the same connection: the store's
   * creates and transitions write tasks, events and resources with these same statements.
   */
  readonly within: {
    insertTask(task: TaskValues): void;
    insertEvent(event: TaskEvent): void;
    /** An event, and the task's history trimmed to its newest maxEventsPerTask. */
    addEvent(event: TaskEvent): void;
    upsertResource(resource: ResourceValues): void;
    /** A resource, its links both ways, and the subscriptions it holds or that name it as their source. */
    removeResource(id: string): void;
    /** Tasks created with another write; one whose request id is taken is left out. */
    addFollowUps(followUps: readonly FollowUpValues[]): void;
  };
  /**
   * Applies the outcomes (each only if the task is still `owner`'s), then claims up to `claim.limit`
   * due tasks for `owner`: one transaction. Claimed rows in due order, then creation order.
   */
  completeAndClaim(owner: string, outcomes: Readonly<OutcomeBatch>, claim?: ClaimArgs): AttemptWritesResult;
}

export function attemptWrites(db: Database.Database, options: AttemptWritesOptions): AttemptWrites {
  const words = options.vocabulary;
  const RUNNING = words.sqlRunning;
  const SCHEDULED = words.sqlScheduled;
  const TASK_COLUMNS = words.taskColumns.join(', ');
  const at = (columns: readonly string[], name: string): number => {
    const i = columns.indexOf(name);
    if (i < 0) throw new Error(`attemptWrites: no column ${name}`);
    return i;
  };
  const task = (name: string): number => at(words.taskColumns, name);
  const resource = (name: string): number => at(words.resourceColumns, name);
  const T = {
    id: task('id'),
    resourceId: task('resource_id'),
    requestId: task('request_id'),
    status: task('status'),
    attempts: task('attempts'),
    nextRunAt: task('next_run_at'),
    updatedAt: task('updated_at'),
    leaseOwner: task('lease_owner'),
    leaseUntil: task('lease_until'),
    /** Where each updated column's value is in a task's values. */
    updated: words.taskUpdateColumns.map(task),
  };
  const TASK_WIDTH = words.taskColumns.length;
  const RESOURCE_WIDTH = words.resourceColumns.length;
  /** An event's values: task id, at, kind, message, attempt. */
  const EVENT_WIDTH = 5;
  /** Where a claimed row's creation order is: after the task's columns (`rowid AS seq`). */
  const SEQ = TASK_WIDTH;
  const R = { id: resource('id'), type: resource('type'), status: resource('status'), revision: resource('revision') };
  const R_STATE = [R.status, R.revision, resource('modified'), resource('properties'), R.id, R.type];
  const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

  const s = {
    // An attempt's outcome: written only while the task is still this runner's, one statement.
    completeTask: db.prepare(
      `UPDATE tasks SET ${words.taskUpdateColumns.map((c) => `${c} = ?`).join(', ')}
       WHERE id = ? AND status = ${RUNNING} AND lease_owner = ?`,
    ),
    insertTask: db.prepare(`INSERT INTO tasks (${TASK_COLUMNS}) VALUES (${placeholders(words.taskColumns.length)})`),
    taskByRequestId: db.prepare('SELECT 1 FROM tasks WHERE request_id = ?').pluck(),
    insertEvent: db.prepare('INSERT INTO task_events (task_id, at, kind, message, attempt) VALUES (?, ?, ?, ?, ?)'),
    // Drops a task's events older than its newest `keep` (through the task_events_by_task index).
    pruneEvents: db.prepare(
      `DELETE FROM task_events WHERE task_id = ? AND seq <= (
         SELECT seq FROM task_events WHERE task_id = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)`,
    ),
    // The resource's state, if it is still of this type (R_STATE's order).
    updateResourceState: db.prepare(
      'UPDATE resources SET status = ?, revision = ?, modified = ?, properties = ? WHERE id = ? AND type = ?',
    ),
    upsertResource: db.prepare(
      `INSERT INTO resources (${words.resourceColumns.join(', ')}) VALUES (${placeholders(words.resourceColumns.length)})
       ON CONFLICT(id) DO UPDATE SET ${words.resourceColumns
         .filter((c) => c !== 'id')
         .map((c) => `${c} = excluded.${c}`)
         .join(', ')}`,
    ),
    deleteResource: db.prepare('DELETE FROM resources WHERE id = ?'),
    deleteLinksOf: db.prepare('DELETE FROM links WHERE from_id = ? OR to_id = ?'),
    deleteSubscriptionsHeld: db.prepare('DELETE FROM subscriptions WHERE subscriber_id = ?'),
    deleteSubscriptionsNaming: db.prepare('DELETE FROM subscriptions WHERE source_id = ?'),
    // Running tasks whose lease ran out (their runner died), taken before the scheduled ones, as
    // PostgreSQL does. Two index range scans rather than one query with an OR: with the OR and its
    // ORDER BY, SQLite read and sorted every task on each claim. This one through tasks_leases,
    // named: left to choose, the planner took tasks_due and read every running task's row.
    // `LIMIT +?`, not `LIMIT ?`: SQLite (3.53, as better-sqlite3 builds it) prepares a statement
    // again whenever a new value is bound to a bare LIMIT parameter, 12 to 17 µs each time on the
    // benchmark machine, more than the query; an expression is bound as any value.
    leaseEnded: db
      .prepare(
        `SELECT ${TASK_COLUMNS}, rowid AS seq FROM tasks INDEXED BY tasks_leases
         WHERE status = ${RUNNING} AND lease_until < ? ORDER BY lease_until LIMIT +?`,
      )
      .raw(),
    // Due scheduled tasks claimed in one statement, read back as claimed (RETURNING): one index range
    // scan of tasks_due, one row written each, nothing read twice. (LIMIT +: see leaseEnded.)
    claimScheduled: db
      .prepare(
        `UPDATE tasks SET status = ${RUNNING}, attempts = attempts + 1, lease_owner = ?, lease_until = ?, updated_at = ?
         WHERE rowid IN (SELECT rowid FROM tasks WHERE status = ${SCHEDULED} AND next_run_at <= ? ORDER BY next_run_at LIMIT +?)
         RETURNING ${TASK_COLUMNS}, rowid AS seq`,
      )
      .raw(),
    claim: db.prepare(
      `UPDATE tasks SET status = ${RUNNING}, attempts = attempts + 1, lease_owner = ?, lease_until = ?, updated_at = ?
       WHERE id = ?`,
    ),
    // The ids as one JSON array parameter: one statement for a batch's claimed tasks.
    resourcesOf: db
      .prepare(`SELECT ${words.resourceColumns.join(', ')} FROM resources WHERE id IN (SELECT value FROM json_each(?))`)
      .raw(),
  };
  const keep = options.maxEventsPerTask;
  const fullSync = options.durability !== 'normal';

  function insertEvent(e: TaskEvent): void {
    s.insertEvent.run(e.taskId, e.at, e.kind, e.message, e.attempt);
  }

  /** An event from its values at `at` of `v`, and the task's history trimmed to its newest `keep`. */
  function addEventAt(v: Readonly<OutcomeBatch>, at: number): void {
    s.insertEvent.run(v[at], v[at + 1], v[at + 2], v[at + 3], v[at + 4]);
    s.pruneEvents.run(v[at], v[at], keep);
  }

  function addEvent(e: TaskEvent): void {
    addEventAt([e.taskId, e.at, e.kind, e.message, e.attempt], 0);
  }

  /** A resource, its links both ways, and the subscriptions it holds or that name it as their source. */
  function removeResource(id: string): void {
    s.deleteResource.run(id);
    s.deleteLinksOf.run(id, id);
    s.deleteSubscriptionsHeld.run(id);
    s.deleteSubscriptionsNaming.run(id);
  }

  const eventAt = (v: Readonly<OutcomeBatch>, at: number): TaskEvent => ({
    taskId: v[at] as string,
    at: v[at + 1] as number,
    kind: v[at + 2] as TaskEvent['kind'],
    message: v[at + 3] as string,
    attempt: v[at + 4] as number,
  });

  /** The outcomes of a batch, each applied if its task is still `owner`'s. */
  function applyOutcomes(owner: string, v: Readonly<OutcomeBatch>): boolean[] {
    const applied: boolean[] = [];
    const update: SqlValue[] = [];
    const state: SqlValue[] = [];
    let at = 0;
    while (at < v.length) {
      const task = at;
      const event = task + TASK_WIDTH;
      const tag = v[event + EVENT_WIDTH];
      const resource = event + EVENT_WIDTH + 1;
      const width = tag === OutcomeResource.values ? RESOURCE_WIDTH : tag === OutcomeResource.deleted ? 1 : 0;
      const followUps = v[resource + width] as number;
      at = resource + width + 1 + followUps * (TASK_WIDTH + EVENT_WIDTH);
      // No read first: the update's own condition says whether the task is still ours.
      update.length = 0;
      for (const i of T.updated) update.push(v[task + i]);
      update.push(v[task + T.id], owner);
      if (s.completeTask.run(update).changes !== 1) {
        applied.push(false);
        continue;
      }
      addEventAt(v, event);
      if (tag === OutcomeResource.deleted) removeResource(v[resource] as string);
      else if (tag === OutcomeResource.values) {
        // The resource as it is, of the same type: an update that leaves the type (and its index)
        // alone; else (another type, or the resource gone meanwhile) the whole row.
        state.length = 0;
        for (const i of R_STATE) state.push(v[resource + i]);
        if (s.updateResourceState.run(state).changes !== 1)
          s.upsertResource.run(v.slice(resource, resource + RESOURCE_WIDTH));
      }
      for (let f = 0, fAt = resource + width + 1; f < followUps; f++, fAt += TASK_WIDTH + EVENT_WIDTH)
        addFollowUp(v.slice(fAt, fAt + TASK_WIDTH), eventAt(v, fAt + TASK_WIDTH));
      applied.push(true);
    }
    return applied;
  }

  /** One whose request id is taken is left out (the contract's duplicate rule). */
  function addFollowUp(task: TaskValues, event: TaskEvent): void {
    const requestId = task[T.requestId];
    if (requestId !== null && s.taskByRequestId.get(requestId) !== undefined) return;
    s.insertTask.run(task);
    insertEvent(event);
  }

  function claim(owner: string, { now, limit, leaseUntil }: ClaimArgs): SqlValue[][] {
    const taken = (s.leaseEnded.all(now, limit) as SqlValue[][]).map((row): SqlValue[] => {
      // Its runner's lease ran out: the runner died mid-attempt, and the attempt is repeated.
      const id = row[T.id] as string;
      addEvent({
        taskId: id,
        at: now,
        kind: words.recovered,
        message: words.recoveredMessage,
        attempt: row[T.attempts] as number,
      });
      s.claim.run(owner, leaseUntil, now, id);
      const claimed = [...row];
      claimed[T.status] = words.running;
      claimed[T.attempts] = (row[T.attempts] as number) + 1;
      claimed[T.leaseOwner] = owner;
      claimed[T.leaseUntil] = leaseUntil;
      claimed[T.updatedAt] = now;
      return claimed;
    });
    const scheduled =
      taken.length < limit
        ? (s.claimScheduled.all(owner, leaseUntil, now, now, limit - taken.length) as SqlValue[][])
        : [];
    // RETURNING gives rows in no promised order: in due order, then creation order.
    const due = (row: SqlValue[]): number => (row[T.nextRunAt] as number | null) ?? 0;
    scheduled.sort((a, b) => due(a) - due(b) || (a[SEQ] as number) - (b[SEQ] as number));
    if (taken.length === 0) return scheduled;
    const rows = [...taken, ...scheduled];
    rows.sort((a, b) => due(a) - due(b));
    return rows;
  }

  const batch = db.transaction(
    (owner: string, outcomes: Readonly<OutcomeBatch>, args: ClaimArgs | undefined): AttemptWritesResult => {
      const applied = applyOutcomes(owner, outcomes);
      const rows = args && args.limit > 0 ? claim(owner, args) : [];
      // Here, the resources' pages are in this connection's cache, most of them written a moment
      // ago; on the event loop, each attempt read its own through a read transaction of its own.
      const resources =
        rows.length === 0 ? [] : (s.resourcesOf.all(JSON.stringify(rows.map((t) => t[T.resourceId]))) as SqlValue[][]);
      return { applied, claimed: rows.flat(), resources: resources.flat() };
    },
  );

  return {
    within: {
      insertTask: (values) => void s.insertTask.run(values),
      insertEvent,
      addEvent,
      upsertResource: (values) => void s.upsertResource.run(values),
      removeResource,
      addFollowUps: (followUps) => followUps.forEach((f) => addFollowUp(f.task, f.event)),
    },
    completeAndClaim(owner, outcomes, args) {
      // A claim alone commits without a disk sync, as on PostgreSQL (synchronous_commit off for
      // claims). A power loss that drops it leaves its task as it was, to be claimed again; and the
      // WAL is one file written in order, so the synced commit of the attempt's outcome makes the
      // claim before it durable too: no durable outcome rests on a lost claim. Outcomes are synced
      // as configured. db.pragma, not a prepared statement: SQLite applies `synchronous` when it
      // compiles the PRAGMA.
      const unsynced = fullSync && outcomes.length === 0;
      if (unsynced) db.pragma('synchronous = NORMAL');
      try {
        return batch.immediate(owner, outcomes, args);
      } finally {
        if (unsynced) db.pragma('synchronous = FULL');
      }
    },
  };
}
