/**
 * The embedded store: one SQLite file (better-sqlite3). Every Store method is one transaction, in WAL
 * mode, so a step is on disk before its promise resolves and a crash leaves the file consistent.
 */
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { TaskEventKind, TaskStatus } from '@apskit/core';
import { createPrivateFile, preparePrivateDirectory, tightenDatabaseFiles } from './private-files';
import { attemptWrites, OutcomeResource, type AttemptWrites, type OutcomeBatch } from './sqlite-attempt-writes';
import { SqliteCheckpointer } from './sqlite-checkpointer';
import { createSchema } from './sqlite-schema';
import { SqliteWriter, writesModule } from './sqlite-writer';
import {
  compileResourceQuery,
  eventValues,
  maxEventsPerTaskOf,
  NOT_COUNTED,
  RECOVERED_MESSAGE,
  propertyIndexName,
  sqliteValueExpression,
  typesOnlyFilter,
  RESOURCE_COLUMNS,
  resourceRow,
  resourceValues,
  RESOURCE_COLUMN_NAMES,
  rowReader,
  SQL_ACTIVE_TASK_STATUSES,
  SQLITE_DIALECT,
  SqlTaskStatus,
  subscriptionOf,
  subscriptionRow,
  SUBSCRIPTION_COLUMNS,
  taskFilter,
  taskRow,
  taskValues,
  TASK_COLUMN_NAMES,
  TASK_UPDATE_COLUMN_NAMES,
  type AttemptOutcome,
  type CompletedAndClaimed,
  type CreateResult,
  type LinkRecord,
  type NewTask,
  type ResourceQuery,
  type ResourceRecord,
  type ResourceRow,
  type Store,
  type SubscriptionRecord,
  type SubscriptionRow,
  type TaskEvent,
  type TaskQuery,
  type TaskRecord,
  type TaskRow,
} from '@apskit/store';

export interface SqliteStoreOptions {
  /**
   * `full` (the default) syncs every commit to the disk: a step survives a power loss. `normal`
   * syncs at checkpoints: a step survives a crash of the process (SIGKILL), and commits are faster.
   */
  durability?: 'full' | 'normal';
  /** Events kept per task, the newest ones. Default DEFAULT_MAX_TASK_EVENTS (100). */
  maxEventsPerTask?: number;
  /**
   * The scheduler's writes (attempt outcomes and claims) on a thread of their own, so that their
   * disk syncs do not hold up the event loop. Default true for a database in a file; false writes
   * everything on the store's connection.
   */
  writerThread?: boolean;
}

/** SQLite reads its JSON columns back as text. */
const { taskOf, resourceOf, taskOfValues, resourceOfValues } = rowReader(SQLITE_DIALECT);
const ACTIVE = SQL_ACTIVE_TASK_STATUSES;
const RUNNING = SqlTaskStatus.running;
const SCHEDULED = SqlTaskStatus.scheduled;

export class SqliteStore implements Store {
  private db!: Database.Database;
  private stmts!: ReturnType<SqliteStore['prepare']>;
  private readonly statements = new Map<string, Database.Statement>();
  private checkpointer: SqliteCheckpointer | undefined;
  /** The scheduler's writes on this connection: a database in memory, or the writer thread gone. */
  private writes!: AttemptWrites;
  /** The scheduler's writes on a thread of their own, for a database in a file (sqlite-writer.ts). */
  private writer: SqliteWriter | undefined;
  private readonly maxEventsPerTask: number;
  /**
   * The events some subscription names, read from the table at the first match, then kept. Matching
   * runs on every change; most changes have no subscriber, and the query ran on the event loop on
   * pages the writer thread's commits had just made stale (8 µs on the benchmark machine). This
   * process owns the file and adds subscriptions only here (the writer thread only deletes them):
   * an event missing from the set has none. One removed leaves its event in: a query too many,
   * never a subscriber missed.
   */
  private subscribedEvents: Set<string> | undefined;

  constructor(
    /** The database file; `:memory:` for a throwaway one. */
    readonly file: string,
    private readonly options: SqliteStoreOptions = {},
  ) {
    this.maxEventsPerTask = maxEventsPerTaskOf(options.maxEventsPerTask);
  }

  async init(): Promise<void> {
    // The file holds encrypted values and buyers' data: 0600 in a 0700 directory (issue 15 #8).
    const onDisk = this.file !== ':memory:' && this.file !== '';
    if (onDisk) {
      preparePrivateDirectory(dirname(this.file), this.file);
      createPrivateFile(this.file);
    }
    this.db = new Database(this.file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${this.options.durability === 'normal' ? 'NORMAL' : 'FULL'}`);
    this.db.pragma('busy_timeout = 5000');
    createSchema(this.db);
    // SQLite has made its -wal and -shm files by now; a database from an older APSKit is tightened here.
    if (onDisk) tightenDatabaseFiles(this.file);
    // WAL checkpoints on a thread of their own, not in a commit on the event loop (see the checkpointer).
    if (onDisk) {
      // Ten times SQLite's default: a safety net for a loop of writes that never yields to the event
      // loop (the thread's checkpoints wait for it); otherwise the WAL stays near 1,000 pages.
      this.db.pragma('wal_autocheckpoint = 10000');
      // One per store, should init be called again (the controller's start calls it).
      this.checkpointer ??= new SqliteCheckpointer({
        file: this.file,
        synchronous: this.options.durability === 'normal' ? 'NORMAL' : 'FULL',
        catchUp: () => {
          if (this.db.open) this.db.pragma('wal_checkpoint(PASSIVE)');
        },
        onGone: () => {
          // Without it, the WAL would only grow: this connection checkpoints again, as SQLite does.
          if (this.db.open) this.db.pragma('wal_autocheckpoint = 1000');
        },
      });
    }
    this.stmts = this.prepare();
    this.subscribedEvents = undefined;
    const writeOptions = {
      maxEventsPerTask: this.maxEventsPerTask,
      durability: this.options.durability ?? 'full',
      vocabulary: {
        sqlRunning: SqlTaskStatus.running,
        sqlScheduled: SqlTaskStatus.scheduled,
        running: TaskStatus.running,
        recovered: TaskEventKind.recovered,
        recoveredMessage: RECOVERED_MESSAGE,
        taskColumns: TASK_COLUMN_NAMES,
        taskUpdateColumns: TASK_UPDATE_COLUMN_NAMES,
        resourceColumns: RESOURCE_COLUMN_NAMES,
      },
    };
    this.writes = attemptWrites(this.db, writeOptions);
    const module = onDisk && this.options.writerThread !== false ? writesModule() : undefined;
    if (module && !this.writer) {
      const writer = new SqliteWriter(this.file, writeOptions, module);
      try {
        await writer.ready;
        this.writer = writer;
      } catch (e) {
        // Without its thread the store still works: the same writes, on this connection.
        console.error(
          `apskit store: the SQLite writer thread did not start (${(e as Error).message}); writing on the event loop`,
        );
        await writer.close();
      }
    }
    // One controller process owns a SQLite file (scale-out is PostgreSQL's job). Tasks that were
    // running when the file was last open belong to a process that is gone: their leases end now, so
    // the scheduler takes them over at once, each with a 'recovered' event.
    this.db.prepare(`UPDATE tasks SET lease_until = 0 WHERE status = ${RUNNING}`).run();
  }

  private prepare() {
    const db = this.db;
    return {
      getMeta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
      setMeta: db.prepare(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      ),
      getResource: db.prepare<[string], ResourceRow>('SELECT * FROM resources WHERE id = ?'),
      insertResource: db.prepare(
        'INSERT INTO resources (id, type, status, revision, modified, properties) VALUES (@id, @type, @status, @revision, @modified, @properties)',
      ),
      updateResourceIf: db.prepare(
        `UPDATE resources SET type = @type, status = @status, revision = @revision, modified = @modified, properties = @properties
         WHERE id = @id AND revision = @expected`,
      ),
      updateTask: db.prepare(
        `UPDATE tasks SET name = @name, description = @description, output = @output, status = @status, attempts = @attempts,
           next_run_at = @next_run_at, deadline_at = @deadline_at, phase = @phase, request = @request, updated_at = @updated_at,
           ended_at = @ended_at, lease_owner = @lease_owner, lease_until = @lease_until
         WHERE id = @id`,
      ),
      getTask: db.prepare<[string], TaskRow>('SELECT * FROM tasks WHERE id = ?'),
      taskByRequestId: db.prepare<[string], TaskRow>('SELECT * FROM tasks WHERE request_id = ?'),
      activeTask: db.prepare<[string], TaskRow>(
        `SELECT * FROM tasks WHERE resource_id = ? AND status IN ${ACTIVE} ORDER BY created_at, rowid LIMIT 1`,
      ),
      // The newest ? events (-1: all), oldest first. `LIMIT +?`, here and in every query of this
      // store: a bare `LIMIT ?` is prepared again by SQLite at each new value (see sqlite-attempt-writes).
      events: db.prepare<[string, number], TaskEvent>(
        `SELECT taskId, at, kind, message, attempt FROM (
           SELECT seq, task_id AS taskId, at, kind, message, attempt FROM task_events WHERE task_id = ?
           ORDER BY seq DESC LIMIT +?) ORDER BY seq`,
      ),
      nextScheduled: db.prepare<[], { at: number | null }>(
        `SELECT MIN(next_run_at) AS at FROM tasks WHERE status = ${SCHEDULED}`,
      ),
      nextLease: db.prepare<[], { at: number | null }>(
        `SELECT MIN(lease_until) AS at FROM tasks INDEXED BY tasks_leases WHERE status = ${RUNNING}`,
      ),
      link: db.prepare('INSERT OR IGNORE INTO links (from_id, relation, to_id) VALUES (@from, @relation, @to)'),
      unlink: db.prepare('DELETE FROM links WHERE from_id = @from AND relation = @relation AND to_id = @to'),
      linksFrom: db.prepare<[string], LinkRecord>(
        'SELECT from_id AS "from", relation, to_id AS "to" FROM links WHERE from_id = ? ORDER BY relation, to_id',
      ),
      linksThrough: db.prepare<[string, string], LinkRecord>(
        'SELECT from_id AS "from", relation, to_id AS "to" FROM links WHERE from_id = ? AND relation = ? ORDER BY to_id',
      ),
      // The ids as one JSON array parameter: one statement, however many there are.
      linksOfMany: db.prepare<[string], LinkRecord>(
        `SELECT from_id AS "from", relation, to_id AS "to" FROM links
         WHERE from_id IN (SELECT value FROM json_each(?)) ORDER BY from_id, relation, to_id`,
      ),
      subscriptionExists: db.prepare<[string], { id: string }>('SELECT id FROM subscriptions WHERE id = ?'),
      subscriptionCount: db.prepare<[string], { n: number }>(
        'SELECT COUNT(*) AS n FROM subscriptions WHERE subscriber_id = ?',
      ),
      insertSubscription: db.prepare(
        `INSERT OR IGNORE INTO subscriptions (${SUBSCRIPTION_COLUMNS})
         VALUES (@id, @subscriber_id, @event, @source_type, @source_id, @relation, @handler, @declared, @created_at)`,
      ),
      removeSubscription: db.prepare('DELETE FROM subscriptions WHERE subscriber_id = ? AND id = ?'),
      listSubscriptions: db.prepare<[string], SubscriptionRow>(
        `SELECT ${SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE subscriber_id = ? ORDER BY seq`,
      ),
      // Those naming the resource (through subscriptions_by_source; a type beside the id narrows it),
      // then those naming one of its types alone (subscriptions_by_type): two disjoint index lookups.
      subscribedEvents: db.prepare<[], { event: string }>('SELECT DISTINCT event FROM subscriptions'),
      matchingSubscriptions: db.prepare<[string, string, string, string, string], SubscriptionRow>(
        `SELECT ${SUBSCRIPTION_COLUMNS} FROM (
           SELECT seq, ${SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE source_id = ? AND event = ?
             AND (source_type IS NULL OR source_type IN (SELECT value FROM json_each(?)))
           UNION ALL
           SELECT seq, ${SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE source_id IS NULL AND event = ?
             AND source_type IN (SELECT value FROM json_each(?)))
         ORDER BY seq`,
      ),
    };
  }

  async close(): Promise<void> {
    // The writes sent to the thread are answered first (it takes them in order), then it ends.
    await this.writer?.close();
    this.writer = undefined;
    await this.checkpointer?.close();
    this.checkpointer = undefined;
    this.statements.clear();
    this.db?.close();
  }

  async getMeta(key: string): Promise<string | undefined> {
    return this.stmts.getMeta.get(key)?.value;
  }

  async setMeta(key: string, value: string): Promise<void> {
    this.stmts.setMeta.run(key, value);
  }

  async setMetaIfAbsent(key: string, value: string): Promise<string> {
    return this.db.transaction(() => {
      this.db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run(key, value);
      return (this.stmts.getMeta.get(key) as { value: string }).value;
    })();
  }

  async getResource(id: string): Promise<ResourceRecord | undefined> {
    const row = this.stmts.getResource.get(id);
    return row ? resourceOf(row) : undefined;
  }

  async listResources(query: ResourceQuery): Promise<{ items: ResourceRecord[]; total: number }> {
    const { where, orderBy, values } = compileResourceQuery('sqlite', query, 'links');
    // One read transaction: the page and its total from the same snapshot.
    return this.db.transaction(() => {
      const rows = this.statement(
        `SELECT ${RESOURCE_COLUMNS} FROM resources ${where} ${orderBy} LIMIT +? OFFSET ?`,
      ).all(...values, query.limit ?? -1, query.offset ?? 0) as ResourceRow[];
      // No count when the caller needs none (a keyset walk: counting every match at every page).
      const total = query.total === false ? NOT_COUNTED : this.total(query, where, values);
      return { items: rows.map(resourceOf), total };
    })();
  }

  /** How many resources a query matches: from the per-type counts when it filters by type alone. */
  private total(query: ResourceQuery, where: string, values: unknown[]): number {
    const types = typesOnlyFilter(query);
    if (types === undefined)
      return (this.statement(`SELECT COUNT(*) AS n FROM resources ${where}`).get(...values) as { n: number }).n;
    if (types === 'all')
      return (this.statement('SELECT COALESCE(SUM(n), 0) AS n FROM resource_counts').get() as { n: number }).n;
    if (types.length === 0) return 0;
    const sql = `SELECT COALESCE(SUM(n), 0) AS n FROM resource_counts WHERE type IN (${types.map(() => '?').join(', ')})`;
    return (this.statement(sql).get(...types) as { n: number }).n;
  }

  /**
   * An index on (type, value at the path) per path: `eq` on one type is an index lookup, and a sort
   * of one type reads the index in order (rowid, last in every SQLite index, keeps ties in creation
   * order). Made once; IF NOT EXISTS makes a second start cheap.
   */
  async ensurePropertyIndexes(paths: readonly (readonly string[])[]): Promise<void> {
    this.db.transaction(() => {
      for (const path of paths)
        this.db.exec(
          `CREATE INDEX IF NOT EXISTS ${propertyIndexName(path)} ON resources(type, ${sqliteValueExpression(path)})`,
        );
    })();
    // The planner's statistics, so that it weighs these indexes against resources_by_type by the data.
    this.db.exec('PRAGMA optimize');
  }

  /** A prepared statement, kept: the queries of a list are made of few distinct shapes. */
  private statement(sql: string): Database.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      if (this.statements.size >= 200) this.statements.clear();
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  async putResource(
    resource: ResourceRecord,
    expectedRevision?: number,
    followUps: readonly NewTask[] = [],
  ): Promise<boolean> {
    if (followUps.length === 0) return this.writeResource(resource, expectedRevision);
    return this.db.transaction((): boolean => this.writeResource(resource, expectedRevision, followUps)).immediate();
  }

  /** Writes the resource, and its follow-ups if it was written (in the caller's transaction, if any). */
  private writeResource(
    resource: ResourceRecord,
    expectedRevision?: number,
    followUps: readonly NewTask[] = [],
  ): boolean {
    if (expectedRevision === undefined) this.writes.within.upsertResource(resourceValues(resource));
    else if (this.stmts.updateResourceIf.run({ ...resourceRow(resource), expected: expectedRevision }).changes !== 1)
      return false;
    this.addFollowUps(followUps);
    return true;
  }

  async deleteResource(id: string): Promise<void> {
    this.db.transaction(() => this.writes.within.removeResource(id)).immediate();
  }

  /** Tasks created with another write (in its transaction); one whose request id is taken is left out. */
  private addFollowUps(followUps: readonly NewTask[]): void {
    this.writes.within.addFollowUps(followUps.map((f) => ({ task: taskValues(f.task), event: f.event })));
  }

  async createResourceWithTask(
    resource: ResourceRecord,
    task: TaskRecord,
    event: TaskEvent,
    links: LinkRecord[],
    subscriptions: readonly SubscriptionRecord[] = [],
  ): Promise<CreateResult> {
    return this.db
      .transaction((): CreateResult => {
        const duplicate = this.duplicateOf(task);
        if (duplicate) return duplicate;
        this.stmts.insertResource.run(resourceRow(resource));
        for (const l of links) this.stmts.link.run({ from: l.from, relation: l.relation, to: l.to });
        for (const sub of subscriptions) this.insertSubscription(sub);
        this.writes.within.insertTask(taskValues(task));
        this.writes.within.insertEvent(event);
        return { created: true };
      })
      .immediate();
  }

  async createTaskUnlessBusy(task: TaskRecord, event: TaskEvent, resource: ResourceRecord): Promise<CreateResult> {
    return this.db
      .transaction((): CreateResult => {
        const duplicate = this.duplicateOf(task);
        if (duplicate) return duplicate;
        const busy = this.stmts.activeTask.get(task.resourceId);
        if (busy) return { created: false, reason: 'busy', existing: taskOf(busy) };
        this.writes.within.upsertResource(resourceValues(resource));
        this.writes.within.insertTask(taskValues(task));
        this.writes.within.insertEvent(event);
        return { created: true };
      })
      .immediate();
  }

  async createTask(task: TaskRecord, event: TaskEvent): Promise<CreateResult> {
    return this.db
      .transaction((): CreateResult => {
        const duplicate = this.duplicateOf(task);
        if (duplicate) return duplicate;
        this.writes.within.insertTask(taskValues(task));
        this.writes.within.insertEvent(event);
        return { created: true };
      })
      .immediate();
  }

  private duplicateOf(task: TaskRecord): CreateResult | undefined {
    if (task.requestId === null) return undefined;
    const row = this.stmts.taskByRequestId.get(task.requestId);
    return row ? { created: false, reason: 'duplicate', existing: taskOf(row) } : undefined;
  }

  async findTaskByRequestId(requestId: string): Promise<TaskRecord | undefined> {
    const row = this.stmts.taskByRequestId.get(requestId);
    return row ? taskOf(row) : undefined;
  }

  async getTask(id: string): Promise<TaskRecord | undefined> {
    const row = this.stmts.getTask.get(id);
    return row ? taskOf(row) : undefined;
  }

  async listTasks(query: TaskQuery): Promise<TaskRecord[]> {
    const args: unknown[] = [];
    const where = taskFilter(query, SQLITE_DIALECT, args);
    const rows = this.db
      .prepare(`SELECT * FROM tasks ${where} ORDER BY created_at, rowid LIMIT +? OFFSET ?`)
      .all(...args, query.limit ?? -1, query.offset ?? 0) as TaskRow[];
    return rows.map(taskOf);
  }

  async countTasks(query: TaskQuery): Promise<number> {
    const args: unknown[] = [];
    const where = taskFilter(query, SQLITE_DIALECT, args);
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM tasks ${where}`).get(...args) as { n: number }).n;
  }

  async taskEvents(taskId: string, limit?: number): Promise<TaskEvent[]> {
    return this.stmts.events.all(taskId, limit ?? -1);
  }

  async activeTask(resourceId: string): Promise<TaskRecord | undefined> {
    const row = this.stmts.activeTask.get(resourceId);
    return row ? taskOf(row) : undefined;
  }

  /** With the writer thread running: the scheduler may run attempts while a batch is written. */
  get writesOffEventLoop(): boolean {
    return this.writer !== undefined && !this.writer.broken;
  }

  async claimDueTasks(now: number, limit: number, owner: string, leaseUntil: number): Promise<TaskRecord[]> {
    if (limit <= 0) return [];
    return (await this.write(owner, [], { now, limit, leaseUntil })).claimed;
  }

  async completeAttempts(owner: string, outcomes: readonly AttemptOutcome[]): Promise<boolean[]> {
    return (await this.write(owner, outcomes, undefined)).applied;
  }

  async completeAttemptsAndClaim(
    owner: string,
    outcomes: readonly AttemptOutcome[],
    claim: { readonly now: number; readonly limit: number; readonly leaseUntil: number },
  ): Promise<CompletedAndClaimed> {
    // One commit, synced as configured, for the outcomes and the claims that fill their slots.
    return this.write(owner, outcomes, claim);
  }

  /** Outcomes and a claim in one transaction: on the writer thread if there is one, else here. */
  private async write(
    owner: string,
    outcomes: readonly AttemptOutcome[],
    claim: { readonly now: number; readonly limit: number; readonly leaseUntil: number } | undefined,
  ): Promise<CompletedAndClaimed> {
    const batch = outcomeBatch(outcomes);
    if (this.writer?.broken) {
      // The thread failed (it says why in its rejection): this connection writes from now on.
      this.writer = undefined;
    }
    const done = this.writer
      ? await this.writer.run(owner, batch, claim)
      : this.writes.completeAndClaim(owner, batch, claim);
    const claimed: TaskRecord[] = [];
    // Each claimed task's values, then its row's creation order (see AttemptWritesResult).
    for (let at = 0; at < done.claimed.length; at += TASK_COLUMN_NAMES.length + 1)
      claimed.push(taskOfValues(done.claimed, at));
    const resources = new Map<string, ResourceRecord>();
    for (let at = 0; at < done.resources.length; at += RESOURCE_COLUMN_NAMES.length) {
      const resource = resourceOfValues(done.resources, at);
      resources.set(resource.id, resource);
    }
    return { applied: done.applied, claimed, resources };
  }

  async transitionTask(task: TaskRecord, from: readonly TaskStatus[], event: TaskEvent): Promise<boolean> {
    return this.db
      .transaction(() => {
        const row = this.stmts.getTask.get(task.id);
        if (!row || !from.includes(row.status as TaskStatus)) return false;
        // Only one active task per resource: a rerun waits for nothing else to be under way.
        if (task.status === TaskStatus.scheduled || task.status === TaskStatus.running) {
          const busy = this.stmts.activeTask.get(task.resourceId);
          if (busy && busy.id !== task.id) return false;
        }
        this.stmts.updateTask.run(taskRow(task));
        this.writes.within.addEvent(event);
        return true;
      })
      .immediate();
  }

  async nextWakeUp(): Promise<number | undefined> {
    const a = this.stmts.nextScheduled.get()?.at ?? undefined;
    const b = this.stmts.nextLease.get()?.at ?? undefined;
    if (a === undefined) return b ?? undefined;
    return b === undefined ? a : Math.min(a, b);
  }

  async link(link: LinkRecord): Promise<void> {
    this.stmts.link.run(link);
  }

  async unlink(link: LinkRecord): Promise<void> {
    this.stmts.unlink.run(link);
  }

  async linksFrom(from: string, relation?: string): Promise<LinkRecord[]> {
    return relation === undefined ? this.stmts.linksFrom.all(from) : this.stmts.linksThrough.all(from, relation);
  }

  async linksOfMany(ids: readonly string[]): Promise<LinkRecord[]> {
    return ids.length === 0 ? [] : this.stmts.linksOfMany.all(JSON.stringify(ids));
  }

  async changeLinks(
    remove: readonly LinkRecord[],
    add: readonly LinkRecord[],
    followUps: readonly NewTask[] = [],
  ): Promise<void> {
    this.db
      .transaction(() => {
        for (const l of remove) this.stmts.unlink.run({ from: l.from, relation: l.relation, to: l.to });
        for (const l of add) this.stmts.link.run({ from: l.from, relation: l.relation, to: l.to });
        this.addFollowUps(followUps);
      })
      .immediate();
  }

  async addSubscription(subscription: SubscriptionRecord, maxPerSubscriber: number): Promise<boolean> {
    // IMMEDIATE: the count and the insert under the write lock, so two adds cannot both pass the count.
    return this.db
      .transaction((): boolean => {
        if (this.stmts.subscriptionExists.get(subscription.id)) return true;
        if ((this.stmts.subscriptionCount.get(subscription.subscriberId)?.n ?? 0) >= maxPerSubscriber) return false;
        this.insertSubscription(subscription);
        return true;
      })
      .immediate();
  }

  async removeSubscription(subscriberId: string, id: string): Promise<boolean> {
    return this.stmts.removeSubscription.run(subscriberId, id).changes === 1;
  }

  async listSubscriptions(subscriberId: string): Promise<SubscriptionRecord[]> {
    return this.stmts.listSubscriptions.all(subscriberId).map(subscriptionOf);
  }

  async matchingSubscriptions(
    event: string,
    sourceId: string,
    sourceTypes: readonly string[],
  ): Promise<SubscriptionRecord[]> {
    this.subscribedEvents ??= new Set(this.stmts.subscribedEvents.all().map((r) => r.event));
    if (!this.subscribedEvents.has(event)) return [];
    const types = JSON.stringify(sourceTypes);
    return this.stmts.matchingSubscriptions.all(sourceId, event, types, event, types).map(subscriptionOf);
  }

  /** Within a write transaction: a subscription, and its event among those subscribed to. */
  private insertSubscription(subscription: SubscriptionRecord): void {
    this.stmts.insertSubscription.run(subscriptionRow(subscription));
    this.subscribedEvents?.add(subscription.event);
  }
}

/** Outcomes as the flat array of values the writes take (see OutcomeBatch). */
function outcomeBatch(outcomes: readonly AttemptOutcome[]): OutcomeBatch {
  const v: OutcomeBatch = [];
  for (const outcome of outcomes) {
    taskValues(outcome.task, v);
    eventValues(outcome.event, v);
    const r = outcome.resource;
    if (r === undefined) v.push(OutcomeResource.none);
    else if ('delete' in r) v.push(OutcomeResource.deleted, r.delete);
    else {
      v.push(OutcomeResource.values);
      resourceValues(r, v);
    }
    const followUps = outcome.followUps ?? [];
    v.push(followUps.length);
    for (const f of followUps) eventValues(f.event, taskValues(f.task, v));
  }
  return v;
}
