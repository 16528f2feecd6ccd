/**
 * The controller's store on PostgreSQL, for several controller processes on one database. Every Store
 * method is one transaction (most are one statement), committed before its promise resolves.
 *
 * What differs from the SQLite store, which one process owns: nothing is reset on open. Tasks that are
 * running belong to processes that may well be alive; a dead process's tasks are found by their
 * leases running out, and the claim hands them to a live process with a 'recovered' event.
 */
import { Pool, type PoolClient, type PoolConfig, type QueryResultRow } from 'pg';
import { TaskStatus } from '@apskit/core';
import {
  compileResourceQuery,
  eventValues,
  postgresValueExpressions,
  propertyIndexName,
  typesOnlyFilter,
  RESOURCE_COLUMNS,
  maxEventsPerTaskOf,
  NOT_COUNTED,
  POSTGRES_DIALECT,
  RECOVERED_MESSAGE,
  resourceValues,
  subscriptionOf,
  subscriptionValues,
  taskFilter,
  taskUpdateValues,
  taskValues,
  TASK_COLUMN_NAMES,
  type AttemptOutcome,
  type CompletedAndClaimed,
  type CreateResult,
  type LinkRecord,
  type NewTask,
  type ResourceQuery,
  type ResourceRecord,
  type Store,
  type SubscriptionRecord,
  type SubscriptionRow,
  type TaskEvent,
  type TaskQuery,
  type TaskRecord,
} from '@apskit/store';
import { migrate, quoteSchema } from './migrations';
import {
  followUpJson,
  outcomeFollowUpsJson,
  outcomeJson,
  resourceOf,
  resourceOfValues,
  subscriptionsJson,
  taskOf,
  taskOfValues,
  type PgResourceRow,
  type PgTaskRow,
} from './rows';
import { statements, type Statements } from './statements';

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database`; or give `pool` settings instead (or as well). */
  connectionString?: string;
  /** The schema the tables live in, created if missing. Default `apskit`. */
  schema?: string;
  /** Connections this process keeps open at most. Default 10. */
  poolSize?: number;
  /** Any other node-postgres pool settings (ssl, timeouts, …). */
  pool?: PoolConfig;
  /** Events kept per task, the newest ones. Default DEFAULT_MAX_TASK_EVENTS (100). */
  maxEventsPerTask?: number;
}

/** Thrown inside a transaction to undo it when a request id turned out to be taken meanwhile. */
class RequestIdTaken extends Error {}

/** Whether two outcomes of a batch touch the same task or resource (see completeAttempts). */
function overlapping(outcomes: readonly AttemptOutcome[]): boolean {
  const resources = outcomes.flatMap((o) =>
    o.resource ? ['delete' in o.resource ? o.resource.delete : o.resource.id] : [],
  );
  return new Set(outcomes.map((o) => o.task.id)).size < outcomes.length || new Set(resources).size < resources.length;
}

/**
 * Claimed tasks and their resources from rows read as arrays: from index `at` of each, the task's
 * columns (TASK_COLUMN_NAMES), its `seq` and `was`, then its resource's (null if it has none).
 */
function claimedOf(
  rows: readonly (readonly unknown[])[],
  at: number,
): { claimed: TaskRecord[]; resources: Map<string, ResourceRecord> } {
  const resourceAt = at + TASK_COLUMN_NAMES.length + 2;
  const claimed: TaskRecord[] = [];
  const resources = new Map<string, ResourceRecord>();
  for (const row of rows) {
    claimed.push(taskOfValues(row, at));
    if (row[resourceAt] !== null) {
      const resource = resourceOfValues(row, resourceAt);
      resources.set(resource.id, resource);
    }
  }
  return { claimed, resources };
}

export class PostgresStore implements Store {
  readonly schema: string;
  private readonly sql: Statements;
  private pool: Pool | undefined;
  /** Claims and wake-ups; see init for why they have connections of their own. */
  private claimPool: Pool | undefined;
  private readonly maxEventsPerTask: number;

  constructor(private readonly options: PostgresStoreOptions) {
    this.schema = options.schema ?? 'apskit';
    this.maxEventsPerTask = maxEventsPerTaskOf(options.maxEventsPerTask);
    this.sql = statements(quoteSchema(this.schema));
  }

  /** Connects and applies the migrations this database lacks (safe with several processes at once). */
  async init(): Promise<void> {
    if (this.pool) return;
    const pool = this.openPool(this.options.poolSize ?? this.options.pool?.max ?? 10);
    try {
      const client = await pool.connect();
      try {
        await migrate(client, this.schema);
      } finally {
        client.release();
      }
    } catch (e) {
      await pool.end();
      throw e;
    }
    this.pool = pool;
    // Claims commit without waiting for the disk (synchronous_commit off). That is safe: a claim
    // that a crash of the server loses leaves its task as it was (due, or held under the old lease),
    // to be claimed again; and whatever follows a claim (an attempt's outcome, committed with a
    // sync) flushes the log up to it, claim included, so no durable outcome rests on a lost claim.
    // It is what lets a process claim as often as tasks end without paying a disk sync each time.
    this.claimPool = this.openPool(2, '-c synchronous_commit=off');
  }

  private openPool(max: number, serverOptions?: string): Pool {
    const settings = this.options.pool ?? {};
    const pool = new Pool({
      application_name: 'apskit-controller',
      ...settings,
      connectionString: this.options.connectionString ?? settings.connectionString,
      max,
      options: [settings.options, serverOptions].filter(Boolean).join(' ') || undefined,
    });
    // An idle connection that breaks (the server restarted) must not crash the process: the pool
    // drops it and the next query opens another.
    pool.on('error', (e) => console.error('apskit store-postgres: idle connection error:', e.message));
    return pool;
  }

  /** Closes the connections; `init` opens new ones (a controller may be started again after a stop). */
  async close(): Promise<void> {
    const pools = [this.pool, this.claimPool];
    this.pool = undefined;
    this.claimPool = undefined;
    await Promise.all(pools.map((p) => p?.end()));
  }

  private get db(): Pool {
    if (!this.pool) throw new Error('PostgresStore: call init() before using the store');
    return this.pool;
  }

  private async rows<R extends QueryResultRow>(text: string, values: unknown[] = [], name?: string): Promise<R[]> {
    return (await this.db.query<R>({ text, values, name })).rows;
  }

  /** Runs `fn` in one transaction on one connection; a connection that failed mid-way is discarded. */
  private async transaction<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.db.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (e) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw e;
    } finally {
      client.release(broken);
    }
  }

  /**
   * Serializes the writers that decide whether a resource may get another active task, across
   * processes: the lock is keyed by the resource's id, so it works before any row exists to lock.
   */
  private async lockResource(client: PoolClient, resourceId: string): Promise<void> {
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
      `apskit:${this.schema}:resource:${resourceId}`,
    ]);
  }

  async getMeta(key: string): Promise<string | undefined> {
    return (await this.rows<{ value: string }>(this.sql.getMeta, [key]))[0]?.value;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.db.query(this.sql.setMeta, [key, value]);
  }

  async setMetaIfAbsent(key: string, value: string): Promise<string> {
    await this.db.query(this.sql.setMetaIfAbsent, [key, value]);
    return (await this.getMeta(key)) as string;
  }

  async getResource(id: string): Promise<ResourceRecord | undefined> {
    const row = (await this.rows<PgResourceRow>(this.sql.getResource, [id], 'apskit_get_resource'))[0];
    return row && resourceOf(row);
  }

  async listResources(query: ResourceQuery): Promise<{ items: ResourceRecord[]; total: number }> {
    const { where, orderBy, values } = compileResourceQuery('postgres', query, this.sql.linksTable);
    const n = values.length;
    // The page and its total at once, on two connections. LIMIT NULL is no limit.
    const [rows, total] = await Promise.all([
      this.rows<PgResourceRow>(
        `SELECT ${RESOURCE_COLUMNS} FROM ${this.sql.resourcesTable} ${where} ${orderBy} LIMIT $${n + 1} OFFSET $${n + 2}`,
        [...values, query.limit ?? null, query.offset ?? 0],
      ),
      // No count when the caller needs none (a keyset walk: counting every match at every page).
      query.total === false ? NOT_COUNTED : this.total(query, where, values),
    ]);
    return { items: rows.map(resourceOf), total };
  }

  /** How many resources a query matches: from the per-type counts when it filters by type alone. */
  private async total(query: ResourceQuery, where: string, values: unknown[]): Promise<number> {
    const types = typesOnlyFilter(query);
    if (types !== undefined && types !== 'all' && types.length === 0) return 0;
    const [{ total }] =
      types === undefined
        ? await this.rows<{ total: number }>(
            `SELECT count(*)::int AS total FROM ${this.sql.resourcesTable} ${where}`,
            values,
          )
        : types === 'all'
          ? await this.rows<{ total: number }>(`SELECT COALESCE(sum(n), 0)::int AS total FROM ${this.sql.countsTable}`)
          : await this.rows<{ total: number }>(
              `SELECT COALESCE(sum(n), 0)::int AS total FROM ${this.sql.countsTable} WHERE type = ANY($1::text[])`,
              [types],
            );
    return total;
  }

  /**
   * An index on (type, number, text, seq) of the value at each path (see @apskit/store's
   * resource-query): `eq` on one type is an index lookup, and a sort of one type reads the index in
   * order, ties in creation order. Under an advisory lock, so that processes starting at once do not
   * race to make the same index; IF NOT EXISTS makes a second start cheap. CREATE INDEX holds off
   * writes to resources while it runs: on a large table, the first start after a new property does.
   */
  async ensurePropertyIndexes(paths: readonly (readonly string[])[]): Promise<void> {
    if (paths.length === 0) return;
    await this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`apskit:indexes:${this.schema}`]);
      for (const path of paths) {
        const { number, text } = postgresValueExpressions(path);
        await client.query(
          `CREATE INDEX IF NOT EXISTS ${propertyIndexName(path)} ON ${this.sql.resourcesTable}
             (type, (${number}) NULLS FIRST, (${text}) NULLS FIRST, seq)`,
        );
      }
    });
  }

  async putResource(
    resource: ResourceRecord,
    expectedRevision?: number,
    followUps: readonly NewTask[] = [],
  ): Promise<boolean> {
    if (followUps.length === 0) return this.writeResource(this.db, resource, expectedRevision);
    return this.transaction(async (client) => {
      if (!(await this.writeResource(client, resource, expectedRevision))) return false;
      await this.insertFollowUps(client, followUps);
      return true;
    });
  }

  private async writeResource(
    db: Pool | PoolClient,
    resource: ResourceRecord,
    expectedRevision: number | undefined,
  ): Promise<boolean> {
    if (expectedRevision === undefined) {
      await db.query(this.sql.upsertResource, resourceValues(resource));
      return true;
    }
    const result = await db.query(this.sql.updateResourceIf, [...resourceValues(resource), expectedRevision]);
    return result.rowCount === 1;
  }

  /** Tasks created with another write, in its transaction; one whose request id is taken is left out. */
  private async insertFollowUps(client: PoolClient, followUps: readonly NewTask[]): Promise<void> {
    await client.query(this.sql.insertFollowUps, [JSON.stringify(followUps.map((f, k) => followUpJson(f, k)))]);
  }

  async deleteResource(id: string): Promise<void> {
    await this.db.query(this.sql.deleteResource, [id]);
  }

  async createResourceWithTask(
    resource: ResourceRecord,
    task: TaskRecord,
    event: TaskEvent,
    links: LinkRecord[],
    subscriptions: readonly SubscriptionRecord[] = [],
  ): Promise<CreateResult> {
    // One statement: the task, its event, the resource, its links and subscriptions, or nothing if
    // the request id is taken.
    const withSubscriptions = subscriptions.length > 0;
    const withLinks = links.length > 0 || withSubscriptions;
    const values: unknown[] = [...taskValues(task), ...eventValues(event), ...resourceValues(resource)];
    if (withLinks)
      values.push(
        links.map((l) => l.from),
        links.map((l) => l.relation),
        links.map((l) => l.to),
      );
    if (withSubscriptions) values.push(subscriptionsJson(subscriptions));
    const [{ n }] = await this.rows<{ n: number }>(
      this.sql.createTask('insert', withLinks, withSubscriptions),
      values,
      withSubscriptions
        ? 'apskit_create_resource_subscriptions'
        : withLinks
          ? 'apskit_create_resource_links'
          : 'apskit_create_resource',
    );
    return n === 1 ? { created: true } : this.duplicate(task);
  }

  async createTaskUnlessBusy(task: TaskRecord, event: TaskEvent, resource: ResourceRecord): Promise<CreateResult> {
    try {
      return await this.transaction(async (client): Promise<CreateResult> => {
        await this.lockResource(client, task.resourceId);
        if (task.requestId !== null) {
          const taken = (await client.query<PgTaskRow>(this.sql.taskByRequestId, [task.requestId])).rows[0];
          if (taken) return { created: false, reason: 'duplicate', existing: taskOf(taken) };
        }
        const busy = (await client.query<PgTaskRow>(this.sql.activeTask, [task.resourceId])).rows[0];
        if (busy) return { created: false, reason: 'busy', existing: taskOf(busy) };
        const values = [...taskValues(task), ...eventValues(event), ...resourceValues(resource)];
        const { n } = (await client.query<{ n: number }>(this.sql.createTask('upsert', false), values)).rows[0];
        if (n !== 1) throw new RequestIdTaken();
        return { created: true };
      });
    } catch (e) {
      if (e instanceof RequestIdTaken) return this.duplicate(task);
      throw e;
    }
  }

  async createTask(task: TaskRecord, event: TaskEvent): Promise<CreateResult> {
    const values = [...taskValues(task), ...eventValues(event)];
    const [{ n }] = await this.rows<{ n: number }>(this.sql.createTask('none', false), values, 'apskit_create_task');
    return n === 1 ? { created: true } : this.duplicate(task);
  }

  /** The task that holds `task`'s request id (committed: ON CONFLICT waited for its transaction). */
  private async duplicate(task: TaskRecord): Promise<CreateResult> {
    const existing = task.requestId === null ? undefined : await this.findTaskByRequestId(task.requestId);
    if (!existing) throw new Error(`Task ${task.id} was not created, and no task has its request id`);
    return { created: false, reason: 'duplicate', existing };
  }

  async findTaskByRequestId(requestId: string): Promise<TaskRecord | undefined> {
    const row = (await this.rows<PgTaskRow>(this.sql.taskByRequestId, [requestId]))[0];
    return row && taskOf(row);
  }

  async getTask(id: string): Promise<TaskRecord | undefined> {
    const row = (await this.rows<PgTaskRow>(this.sql.getTask, [id], 'apskit_get_task'))[0];
    return row && taskOf(row);
  }

  async listTasks(query: TaskQuery): Promise<TaskRecord[]> {
    // LIMIT NULL is no limit.
    const values: unknown[] = [query.limit ?? null, query.offset ?? 0];
    const where = taskFilter(query, POSTGRES_DIALECT, values);
    return (await this.rows<PgTaskRow>(this.sql.listTasks(where), values)).map(taskOf);
  }

  async countTasks(query: TaskQuery): Promise<number> {
    const values: unknown[] = [];
    const where = taskFilter(query, POSTGRES_DIALECT, values);
    return (await this.rows<{ n: number }>(this.sql.countTasks(where), values))[0].n;
  }

  async taskEvents(taskId: string, limit?: number): Promise<TaskEvent[]> {
    return this.rows<TaskEvent & QueryResultRow>(this.sql.events, [taskId, limit ?? null]);
  }

  async activeTask(resourceId: string): Promise<TaskRecord | undefined> {
    const row = (await this.rows<PgTaskRow>(this.sql.activeTask, [resourceId]))[0];
    return row && taskOf(row);
  }

  async claimDueTasks(now: number, limit: number, owner: string, leaseUntil: number): Promise<TaskRecord[]> {
    if (limit <= 0) return [];
    const { rows } = await (this.claimPool ?? this.db).query<PgTaskRow>({
      name: 'apskit_claim',
      text: this.sql.claim,
      values: [now, limit, owner, leaseUntil, RECOVERED_MESSAGE],
    });
    return rows.map(taskOf);
  }

  async completeAttempts(owner: string, outcomes: readonly AttemptOutcome[]): Promise<boolean[]> {
    if (outcomes.length === 0) return [];
    // One statement for the batch: one round trip and one disk sync for all (group commit). It
    // applies all outcomes against one snapshot, which is right unless two of them touch the same
    // task or resource (no runner makes such a batch; the contract allows it): those go one by one,
    // in order, in one transaction.
    if (!overlapping(outcomes)) return this.completeBatch(this.db, owner, outcomes, 0);
    return this.transaction((client) => this.completeOneByOne(client, owner, outcomes));
  }

  private async completeOneByOne(
    client: PoolClient,
    owner: string,
    outcomes: readonly AttemptOutcome[],
  ): Promise<boolean[]> {
    const applied: boolean[] = [];
    for (const [i, outcome] of outcomes.entries())
      applied.push(...(await this.completeBatch(client, owner, [outcome], i)));
    return applied;
  }

  /**
   * The outcomes and the claim that fills the slots they free, in one statement (`completeAndClaim`:
   * one round trip, one commit), each claimed task with its resource as that statement read it, so
   * that its attempt needs no read of its own. The claim sees the database as it was before the
   * outcomes (see the statement). A claim alone goes on the claim connections (no disk sync, as
   * claimDueTasks); outcomes that overlap go one by one, then the claim, in one transaction.
   */
  async completeAttemptsAndClaim(
    owner: string,
    outcomes: readonly AttemptOutcome[],
    claim: { readonly now: number; readonly limit: number; readonly leaseUntil: number },
  ): Promise<CompletedAndClaimed> {
    // A negative LIMIT is an error to PostgreSQL; the contract's claim of none is no claim.
    const limit = Math.max(0, claim.limit);
    const claimValues = [claim.now, limit, owner, claim.leaseUntil, RECOVERED_MESSAGE];
    if (outcomes.length === 0) {
      if (limit === 0) return { applied: [], claimed: [] };
      const { rows } = await (this.claimPool ?? this.db).query<unknown[]>({
        name: 'apskit_claim_with_resources',
        text: this.sql.claimWithResources,
        values: claimValues,
        rowMode: 'array',
      });
      return { applied: [], ...claimedOf(rows, 0) };
    }
    if (overlapping(outcomes))
      return this.transaction(async (client) => {
        const applied = await this.completeOneByOne(client, owner, outcomes);
        const { rows } = await client.query<unknown[]>({
          text: this.sql.claimWithResources,
          values: claimValues,
          rowMode: 'array',
        });
        return { applied, ...claimedOf(rows, 0) };
      });
    const { rows } = await this.db.query<unknown[]>({
      name: 'apskit_complete_and_claim',
      text: this.sql.completeAndClaim,
      values: [...this.completeValues(owner, outcomes, 0), claim.now, limit, claim.leaseUntil, RECOVERED_MESSAGE],
      rowMode: 'array',
    });
    const applied = outcomes.map(() => false);
    for (const i of (rows[0][0] as number[] | null) ?? []) applied[i] = true;
    // The claimed tasks follow `applied` in each row; a row of nulls if none were claimed.
    return { applied, ...claimedOf(rows[0][1] === null ? [] : rows, 1) };
  }

  private async completeBatch(
    db: Pool | PoolClient,
    owner: string,
    outcomes: readonly AttemptOutcome[],
    offset: number,
  ): Promise<boolean[]> {
    const { rows } = await db.query<{ i: number }>({
      name: 'apskit_complete',
      text: this.sql.complete,
      values: this.completeValues(owner, outcomes, offset),
    });
    const applied = outcomes.map(() => false);
    for (const { i } of rows) applied[i - offset] = true;
    return applied;
  }

  /** $1-$4 of `complete` (and of `completeAndClaim`): the outcomes numbered from `offset`. */
  private completeValues(owner: string, outcomes: readonly AttemptOutcome[], offset: number): unknown[] {
    return [
      JSON.stringify(outcomes.map((o, i) => outcomeJson(o, offset + i))),
      owner,
      this.maxEventsPerTask - 1,
      outcomeFollowUpsJson(outcomes, offset),
    ];
  }

  async transitionTask(task: TaskRecord, from: readonly TaskStatus[], event: TaskEvent): Promise<boolean> {
    const active = task.status === TaskStatus.scheduled || task.status === TaskStatus.running;
    return this.transaction(async (client) => {
      // Only one active task per resource: a rerun waits for nothing else to be under way.
      if (active) await this.lockResource(client, task.resourceId);
      const current = (await client.query<{ status: TaskStatus }>(this.sql.lockTask, [task.id])).rows[0];
      if (!current || !from.includes(current.status)) return false;
      if (active && (await client.query(this.sql.otherActiveTask, [task.resourceId, task.id])).rowCount) return false;
      await client.query(this.sql.updateTask, [task.id, ...taskUpdateValues(task)]);
      await client.query(this.sql.insertEvent, eventValues(event));
      await client.query(this.sql.pruneEvents, [task.id, this.maxEventsPerTask]);
      return true;
    });
  }

  async nextWakeUp(): Promise<number | undefined> {
    const { rows } = await (this.claimPool ?? this.db).query<{ at: number | null }>({
      name: 'apskit_next_wake_up',
      text: this.sql.nextWakeUp,
    });
    const at = rows[0].at;
    return at ?? undefined;
  }

  async link(link: LinkRecord): Promise<void> {
    await this.db.query(this.sql.link, [link.from, link.relation, link.to]);
  }

  async unlink(link: LinkRecord): Promise<void> {
    await this.db.query(this.sql.unlink, [link.from, link.relation, link.to]);
  }

  async linksFrom(from: string, relation?: string): Promise<LinkRecord[]> {
    return relation === undefined
      ? this.rows<LinkRecord & QueryResultRow>(this.sql.linksFrom, [from])
      : this.rows<LinkRecord & QueryResultRow>(this.sql.linksThrough, [from, relation]);
  }

  async linksOfMany(ids: readonly string[]): Promise<LinkRecord[]> {
    return ids.length === 0 ? [] : this.rows<LinkRecord & QueryResultRow>(this.sql.linksOfMany, [ids]);
  }

  async changeLinks(
    remove: readonly LinkRecord[],
    add: readonly LinkRecord[],
    followUps: readonly NewTask[] = [],
  ): Promise<void> {
    const columns = (links: readonly LinkRecord[]) => [
      links.map((l) => l.from),
      links.map((l) => l.relation),
      links.map((l) => l.to),
    ];
    const values = [...columns(remove), ...columns(add)];
    if (followUps.length === 0) {
      if (remove.length > 0 || add.length > 0) await this.db.query(this.sql.changeLinks, values);
      return;
    }
    await this.transaction(async (client) => {
      await client.query(this.sql.changeLinks, values);
      await this.insertFollowUps(client, followUps);
    });
  }

  async addSubscription(subscription: SubscriptionRecord, maxPerSubscriber: number): Promise<boolean> {
    return this.transaction(async (client) => {
      // The count and the insert under a lock keyed by the subscriber, across processes: two adds
      // with one place left cannot both count it free (READ COMMITTED sees what committed before).
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `apskit:${this.schema}:subscriptions:${subscription.subscriberId}`,
      ]);
      if ((await client.query(this.sql.subscriptionExists, [subscription.id])).rowCount) return true;
      const { n } = (await client.query<{ n: number }>(this.sql.subscriptionCount, [subscription.subscriberId]))
        .rows[0];
      if (n >= maxPerSubscriber) return false;
      await client.query(this.sql.insertSubscription, subscriptionValues(subscription));
      return true;
    });
  }

  async removeSubscription(subscriberId: string, id: string): Promise<boolean> {
    return ((await this.db.query(this.sql.removeSubscription, [subscriberId, id])).rowCount ?? 0) === 1;
  }

  async listSubscriptions(subscriberId: string): Promise<SubscriptionRecord[]> {
    return (await this.rows<SubscriptionRow & QueryResultRow>(this.sql.listSubscriptions, [subscriberId])).map(
      subscriptionOf,
    );
  }

  async matchingSubscriptions(
    event: string,
    sourceId: string,
    sourceTypes: readonly string[],
  ): Promise<SubscriptionRecord[]> {
    const rows = await this.rows<SubscriptionRow & QueryResultRow>(
      this.sql.matchingSubscriptions,
      [event, sourceId, sourceTypes],
      'apskit_matching_subscriptions',
    );
    return rows.map(subscriptionOf);
  }
}
