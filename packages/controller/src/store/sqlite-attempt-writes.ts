/**
 * The scheduler's writes on SQLite: attempt outcomes and claims, in one transaction per batch. One
 * module, run on the store's own connection (a database in memory, or should the writer thread be
 * gone) and on the writer thread's (sqlite-writer.ts): the same statements either way. It takes rows
 * (`taskRow`, `resourceRow`), not records, so that what crosses to the thread is flat data.
 */
import type Database from 'better-sqlite3';
import type { ResourceRow, TaskEvent, TaskRow } from '@apskit/store';

/** An attempt's outcome as rows (see AttemptOutcome). */
export interface OutcomeRows {
  readonly task: TaskRow;
  readonly event: TaskEvent;
  readonly resource?: ResourceRow | { readonly delete: string };
  readonly followUps: readonly { readonly task: TaskRow; readonly event: TaskEvent }[];
}

export interface ClaimArgs {
  readonly now: number;
  readonly limit: number;
  readonly leaseUntil: number;
}

export interface AttemptWritesResult {
  readonly applied: boolean[];
  readonly claimed: TaskRow[];
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
  readonly running: TaskRow['status'];
  readonly recovered: TaskEvent['kind'];
  readonly recoveredMessage: string;
}

export interface AttemptWrites {
  /**
   * Steps of other writes, in a transaction of the caller's on the same connection: the store's
   * creates and transitions write tasks, events and resources with these same statements.
   */
  readonly within: {
    insertTask(task: TaskRow): void;
    insertEvent(event: TaskEvent): void;
    /** An event, and the task's history trimmed to its newest maxEventsPerTask. */
    addEvent(event: TaskEvent): void;
    upsertResource(resource: ResourceRow): void;
    /** A resource, its links both ways, and the subscriptions it holds or that name it as their source. */
    removeResource(id: string): void;
    /** Tasks created with another write; one whose request id is taken is left out. */
    addFollowUps(followUps: OutcomeRows['followUps']): void;
  };
  /**
   * Applies the outcomes (each only if the task is still `owner`'s), then claims up to `claim.limit`
   * due tasks for `owner`: one transaction. Claimed rows in due order, then creation order.
   */
  completeAndClaim(owner: string, outcomes: readonly OutcomeRows[], claim?: ClaimArgs): AttemptWritesResult;
}

export function attemptWrites(db: Database.Database, options: AttemptWritesOptions): AttemptWrites {
  const words = options.vocabulary;
  const RUNNING = words.sqlRunning;
  const SCHEDULED = words.sqlScheduled;
  const s = {
    // An attempt's outcome: written only while the task is still this runner's, one statement.
    completeTask: db.prepare(
      `UPDATE tasks SET name = @name, description = @description, output = @output, status = @status, attempts = @attempts,
         next_run_at = @next_run_at, deadline_at = @deadline_at, phase = @phase, request = @request, updated_at = @updated_at,
         ended_at = @ended_at, lease_owner = @lease_owner, lease_until = @lease_until
       WHERE id = @id AND status = ${RUNNING} AND lease_owner = @owner`,
    ),
    insertTask: db.prepare(
      `INSERT INTO tasks (id, resource_id, request_id, request_hash, operation, name, description, output, status, attempts,
         next_run_at, deadline_at, phase, request, created_at, updated_at, ended_at, lease_owner, lease_until)
       VALUES (@id, @resource_id, @request_id, @request_hash, @operation, @name, @description, @output, @status, @attempts,
         @next_run_at, @deadline_at, @phase, @request, @created_at, @updated_at, @ended_at, @lease_owner, @lease_until)`,
    ),
    taskByRequestId: db.prepare<[string], { id: string }>('SELECT id FROM tasks WHERE request_id = ?'),
    insertEvent: db.prepare(
      'INSERT INTO task_events (task_id, at, kind, message, attempt) VALUES (@taskId, @at, @kind, @message, @attempt)',
    ),
    // Drops a task's events older than its newest @keep (through the task_events_by_task index).
    pruneEvents: db.prepare(
      `DELETE FROM task_events WHERE task_id = @taskId AND seq <= (
         SELECT seq FROM task_events WHERE task_id = @taskId ORDER BY seq DESC LIMIT 1 OFFSET @keep)`,
    ),
    updateResourceState: db.prepare(
      `UPDATE resources SET status = @status, revision = @revision, modified = @modified, properties = @properties
       WHERE id = @id AND type = @type`,
    ),
    upsertResource: db.prepare(
      `INSERT INTO resources (id, type, status, revision, modified, properties) VALUES (@id, @type, @status, @revision, @modified, @properties)
       ON CONFLICT(id) DO UPDATE SET type = excluded.type, status = excluded.status, revision = excluded.revision,
         modified = excluded.modified, properties = excluded.properties`,
    ),
    deleteResource: db.prepare('DELETE FROM resources WHERE id = ?'),
    deleteLinksOf: db.prepare('DELETE FROM links WHERE from_id = ? OR to_id = ?'),
    deleteSubscriptionsHeld: db.prepare('DELETE FROM subscriptions WHERE subscriber_id = ?'),
    deleteSubscriptionsNaming: db.prepare('DELETE FROM subscriptions WHERE source_id = ?'),
    // Running tasks whose lease ran out (their runner died), taken before the scheduled ones, as
    // PostgreSQL does. Two index range scans of tasks_due (status, next_run_at) rather than one
    // query with an OR: with the OR and its ORDER BY, SQLite read and sorted every task on each claim.
    leaseEnded: db.prepare<[number, number], TaskRow>(
      `SELECT * FROM tasks WHERE status = ${RUNNING} AND lease_until < ? ORDER BY lease_until LIMIT ?`,
    ),
    // Up to @limit due scheduled tasks claimed in one statement, read back as claimed (RETURNING):
    // one index range scan of tasks_due, one row written each, nothing read twice.
    claimScheduled: db.prepare<
      { now: number; limit: number; owner: string; leaseUntil: number },
      TaskRow & { seq: number }
    >(
      `UPDATE tasks SET status = ${RUNNING}, attempts = attempts + 1, lease_owner = @owner, lease_until = @leaseUntil,
         updated_at = @now
       WHERE rowid IN (SELECT rowid FROM tasks WHERE status = ${SCHEDULED} AND next_run_at <= @now ORDER BY next_run_at LIMIT @limit)
       RETURNING *, rowid AS seq`,
    ),
    claim: db.prepare(
      `UPDATE tasks SET status = ${RUNNING}, attempts = attempts + 1, lease_owner = @owner, lease_until = @leaseUntil,
         updated_at = @now WHERE id = @id`,
    ),
  };
  const keep = options.maxEventsPerTask;
  const fullSync = options.durability !== 'normal';

  function addEvent(event: TaskEvent): void {
    s.insertEvent.run(event);
    s.pruneEvents.run({ taskId: event.taskId, keep });
  }

  /** A resource, its links both ways, and the subscriptions it holds or that name it as their source. */
  function removeResource(id: string): void {
    s.deleteResource.run(id);
    s.deleteLinksOf.run(id, id);
    s.deleteSubscriptionsHeld.run(id);
    s.deleteSubscriptionsNaming.run(id);
  }

  function applyOutcome(owner: string, outcome: OutcomeRows): boolean {
    // No read first: the update's own condition says whether the task is still ours.
    if (s.completeTask.run({ ...outcome.task, owner }).changes !== 1) return false;
    addEvent(outcome.event);
    const r = outcome.resource;
    if (r && 'delete' in r) removeResource(r.delete);
    // The resource as it is, of the same type: an update that leaves the type (and its index) alone;
    // else (another type, or the resource gone meanwhile) the whole row.
    else if (r && s.updateResourceState.run(r).changes !== 1) s.upsertResource.run(r);
    addFollowUps(outcome.followUps);
    return true;
  }

  function addFollowUps(followUps: OutcomeRows['followUps']): void {
    for (const f of followUps) {
      // One whose request id is taken is left out (the contract's duplicate rule).
      if (f.task.request_id !== null && s.taskByRequestId.get(f.task.request_id)) continue;
      s.insertTask.run(f.task);
      s.insertEvent.run(f.event);
    }
  }

  function claim(owner: string, { now, limit, leaseUntil }: ClaimArgs): TaskRow[] {
    const taken = s.leaseEnded.all(now, limit).map((row): TaskRow => {
      // Its runner's lease ran out: the runner died mid-attempt, and the attempt is repeated.
      addEvent({
        taskId: row.id,
        at: now,
        kind: words.recovered,
        message: words.recoveredMessage,
        attempt: row.attempts,
      });
      s.claim.run({ id: row.id, owner, leaseUntil, now });
      return {
        ...row,
        status: words.running,
        attempts: row.attempts + 1,
        lease_owner: owner,
        lease_until: leaseUntil,
        updated_at: now,
      };
    });
    const scheduled =
      taken.length < limit ? s.claimScheduled.all({ now, limit: limit - taken.length, owner, leaseUntil }) : [];
    // RETURNING gives rows in no promised order: in due order, then creation order.
    scheduled.sort((a, b) => (a.next_run_at ?? 0) - (b.next_run_at ?? 0) || a.seq - b.seq);
    const rows: TaskRow[] = [...taken, ...scheduled.map(({ seq: _seq, ...row }) => row)];
    if (taken.length > 0) rows.sort((a, b) => (a.next_run_at ?? 0) - (b.next_run_at ?? 0));
    return rows;
  }

  const batch = db.transaction(
    (owner: string, outcomes: readonly OutcomeRows[], args: ClaimArgs | undefined): AttemptWritesResult => ({
      applied: outcomes.map((outcome) => applyOutcome(owner, outcome)),
      claimed: args && args.limit > 0 ? claim(owner, args) : [],
    }),
  );

  return {
    within: {
      insertTask: (task) => void s.insertTask.run(task),
      insertEvent: (event) => void s.insertEvent.run(event),
      addEvent,
      upsertResource: (resource) => void s.upsertResource.run(resource),
      removeResource,
      addFollowUps,
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
