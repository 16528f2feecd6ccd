/**
 * The store's SQL, every table qualified with the schema. Each write that must be atomic on its own is
 * one statement (data-modifying CTEs), so that it costs one round trip and needs no transaction.
 */
import {
  EVENT_COLUMNS,
  RESOURCE_COLUMN_NAMES,
  RESOURCE_COLUMNS,
  SQL_ACTIVE_TASK_STATUSES,
  SqlTaskEventKind,
  SqlTaskStatus,
  SUBSCRIPTION_COLUMNS,
  TASK_COLUMN_NAMES,
  TASK_COLUMNS,
} from '@apskit/store';

const ACTIVE = SQL_ACTIVE_TASK_STATUSES;
const RUNNING = SqlTaskStatus.running;
const SCHEDULED = SqlTaskStatus.scheduled;

/** `$from, $from+1, …` for `count` parameters, each with its cast (so that INSERT … SELECT types them). */
function params(from: number, casts: readonly string[]): string {
  return casts.map((cast, i) => `$${from + i}::${cast}`).join(', ');
}

const T = 'text';
const MS = 'float8';
const TASK_CASTS = [T, T, T, T, T, T, T, T, T, 'int', MS, MS, T, 'json', MS, MS, MS, T, MS] as const;
const RESOURCE_CASTS = [T, T, T, 'int', MS, 'json'] as const;
const EVENT_CASTS = [T, MS, T, T, 'int'] as const;
const SUBSCRIPTION_CASTS = [T, T, T, T, T, T, T, 'int::boolean', MS] as const;

/** How claimed tasks are listed: due order, then creation order. */
const CLAIM_ORDER = 'COALESCE(next_run_at, 0), seq';
/** A claimed task's resource (`res`) beside the task's columns: each named `r_<column>`. */
const CLAIMED_RESOURCE_COLUMNS = RESOURCE_COLUMN_NAMES.map((c) => `res.${c} AS r_${c}`).join(', ');

/** The columns of a follow-up row of a JSON parameter (see rows.ts `followUpJson`), with their types. */
const FOLLOW_UP_RECORD = [
  'k int',
  'i int',
  ...TASK_COLUMN_NAMES.map((c, n) => `${c} ${TASK_CASTS[n]}`),
  'e_task_id text',
  'e_at float8',
  'e_kind text',
  'e_message text',
  'e_attempt int',
].join(', ');

export type Statements = ReturnType<typeof statements>;

export function statements(s: string) {
  const tasks = `${s}.tasks`;
  const resources = `${s}.resources`;
  const links = `${s}.links`;
  const events = `${s}.task_events`;
  const subscriptions = `${s}.subscriptions`;
  const upsertResourceTail = `ON CONFLICT (id) DO UPDATE SET type = excluded.type, status = excluded.status,
    revision = excluded.revision, modified = excluded.modified, properties = excluded.properties`;

  /**
   * CTEs that create the follow-up tasks of the JSON array parameter `param` (see rows.ts
   * `followUpJson`) whose rows meet `filter`, each with its first event, in their order (`k`); one
   * whose request id a task has already is left out, with its event.
   */
  const followUpsCtes = (param: string, filter: string): string => `
    fu AS (
      SELECT * FROM json_to_recordset(${param}::json) AS f(${FOLLOW_UP_RECORD}) WHERE ${filter}
    ), ft AS (
      INSERT INTO ${tasks} (${TASK_COLUMNS}) SELECT ${TASK_COLUMNS} FROM fu ORDER BY k
      ON CONFLICT (request_id) WHERE request_id IS NOT NULL DO NOTHING
      RETURNING id
    ), fe AS (
      INSERT INTO ${events} (${EVENT_COLUMNS})
      SELECT e_task_id, e_at, e_kind, e_message, e_attempt FROM fu JOIN ft USING (id) ORDER BY k
    )`;

  /**
   * A new task ($1-$19) with its first event ($20-$24), and optionally its resource ($25-$30),
   * links ($31-$33 as arrays) and event subscriptions ($34, a JSON array of rows): all or nothing,
   * and nothing when a task already has the request id. Subscriptions come with links (empty ones if
   * need be), so that their parameter's number is fixed.
   */
  const createTask = (
    resource: 'none' | 'insert' | 'upsert',
    withLinks: boolean,
    withSubscriptions = false,
  ): string => `
    WITH t AS (
      INSERT INTO ${tasks} (${TASK_COLUMNS}) VALUES (${params(1, TASK_CASTS)})
      ON CONFLICT (request_id) WHERE request_id IS NOT NULL DO NOTHING
      RETURNING id
    ), e AS (
      INSERT INTO ${events} (${EVENT_COLUMNS}) SELECT ${params(20, EVENT_CASTS)} FROM t
    )${
      resource === 'none'
        ? ''
        : `, r AS (
      INSERT INTO ${resources} (${RESOURCE_COLUMNS}) SELECT ${params(25, RESOURCE_CASTS)} FROM t
      ${resource === 'upsert' ? upsertResourceTail : ''}
    )`
    }${
      withLinks
        ? `, l AS (
      INSERT INTO ${links} (from_id, relation, to_id)
      SELECT f, rel, x FROM t, unnest($31::text[], $32::text[], $33::text[]) AS n(f, rel, x)
      ON CONFLICT DO NOTHING
    )`
        : ''
    }${
      withSubscriptions
        ? `, s AS (
      INSERT INTO ${subscriptions} (${SUBSCRIPTION_COLUMNS})
      SELECT x.id, x.subscriber_id, x.event, x.source_type, x.source_id, x.relation, x.handler, x.declared <> 0,
        x.created_at
      FROM t, json_to_recordset($34::json) AS x(ord int, id text, subscriber_id text, event text, source_type text,
        source_id text, relation text, handler text, declared int, created_at float8)
      ORDER BY x.ord
      ON CONFLICT (id) DO NOTHING
    )`
        : ''
    }
    SELECT count(*)::int AS n FROM t`;

  /**
   * Attempts' outcomes in one statement, so one commit: $1 is a JSON array of them (see
   * `outcomeJson`), $2 the runner. Each is applied only while $2 still holds its task, and its event
   * and its resource (written or deleted) with it; the answer lists the indexes of those applied.
   * $3 is how many of a task's existing events to keep beside the new one (maxEventsPerTask - 1: the
   * statement's snapshot does not see the event it inserts); older ones are deleted. $4 is a JSON
   * array of the outcomes' follow-up tasks (`i` the outcome's index): created for the applied ones.
   * A resource deleted takes its links and its event subscriptions (as subscriber and as source).
   * The deleted ids are an array (ARRAY(SELECT …), computed once), compared with `= ANY`: each side of an OR is then an
   * index lookup (a BitmapOr), where `IN (SELECT …) OR IN (SELECT …)` read the whole of links and
   * subscriptions on every batch, deletion or not (bench:scale's EXPLAIN at a million rows).
   */
  const completeCtes = `
    WITH input AS (
      SELECT * FROM json_to_recordset($1::json) AS x(
        i int, id text, name text, description text, output text, status text, attempts int,
        next_run_at float8, deadline_at float8, phase text, request json, updated_at float8, ended_at float8,
        lease_owner text, lease_until float8,
        e_task_id text, e_at float8, e_kind text, e_message text, e_attempt int,
        r text, r_id text, r_type text, r_status text, r_revision int, r_modified float8, r_properties json)
    ), u AS (
      UPDATE ${tasks} t SET name = x.name, description = x.description, output = x.output, status = x.status,
        attempts = x.attempts, next_run_at = x.next_run_at, deadline_at = x.deadline_at, phase = x.phase,
        request = x.request, updated_at = x.updated_at, ended_at = x.ended_at, lease_owner = x.lease_owner,
        lease_until = x.lease_until
      FROM input x
      WHERE t.id = x.id AND t.status = ${RUNNING} AND t.lease_owner = $2
      RETURNING x.i
    ), applied AS (
      SELECT input.* FROM input JOIN u USING (i)
    ), e AS (
      INSERT INTO ${events} (${EVENT_COLUMNS})
      SELECT e_task_id, e_at, e_kind, e_message, e_attempt FROM applied ORDER BY i
    ), r AS (
      INSERT INTO ${resources} (${RESOURCE_COLUMNS})
      SELECT r_id, r_type, r_status, r_revision, r_modified, r_properties FROM applied WHERE r = 'put' ORDER BY i
      ${upsertResourceTail}
    ), gone AS (
      SELECT r_id AS id FROM applied WHERE r = 'delete'
    ), d AS (
      DELETE FROM ${resources} WHERE id = ANY(ARRAY(SELECT id FROM gone))
    ), dl AS (
      DELETE FROM ${links} WHERE from_id = ANY(ARRAY(SELECT id FROM gone)) OR to_id = ANY(ARRAY(SELECT id FROM gone))
    ), ds AS (
      DELETE FROM ${subscriptions}
      WHERE subscriber_id = ANY(ARRAY(SELECT id FROM gone)) OR source_id = ANY(ARRAY(SELECT id FROM gone))
    ),${followUpsCtes('$4', 'f.i IN (SELECT i FROM u)')}, pruned AS (
      DELETE FROM ${events} ev USING (SELECT DISTINCT e_task_id AS task_id FROM applied) a
      WHERE ev.task_id = a.task_id AND ev.seq <= (
        SELECT x.seq FROM ${events} x WHERE x.task_id = a.task_id ORDER BY x.seq DESC OFFSET $3::int LIMIT 1)
    )`;
  const complete = `${completeCtes}
    SELECT i FROM u`;

  /**
   * The queue: due tasks locked with SKIP LOCKED, so that processes claiming at once each get other
   * ones; a row that another claimer took meanwhile is re-checked against the WHERE after its lock,
   * so no task is claimed twice. Tasks whose runner's lease ran out come first, then scheduled ones in
   * due order, each read in index order (no sort of the whole backlog, however long it is). A task
   * taken over gets its 'recovered' event in the same statement. The CTEs `expired`, `scheduled`,
   * `due`, `claimed` (the tasks' rows, with `seq` and `was`, the status they had) and `recovered`,
   * with the parameters named by `p` (a statement with outcomes numbers them after its own).
   */
  const claimCtes = (p: {
    readonly now: string;
    readonly limit: string;
    readonly owner: string;
    readonly leaseUntil: string;
    readonly message: string;
  }): string => `
      expired AS (
        SELECT id, status AS was FROM ${tasks} WHERE status = ${RUNNING} AND lease_until < ${p.now}
        ORDER BY lease_until LIMIT ${p.limit}
        FOR UPDATE SKIP LOCKED
      ), scheduled AS (
        SELECT id, status AS was FROM ${tasks} WHERE status = ${SCHEDULED} AND next_run_at <= ${p.now}
        ORDER BY next_run_at LIMIT ${p.limit}
        FOR UPDATE SKIP LOCKED
      ), due AS (
        SELECT id, was FROM expired UNION ALL SELECT id, was FROM scheduled LIMIT ${p.limit}
      ), claimed AS (
        UPDATE ${tasks} t SET status = ${RUNNING}, attempts = t.attempts + 1, lease_owner = ${p.owner},
          lease_until = ${p.leaseUntil}, updated_at = ${p.now}
        FROM due WHERE t.id = due.id
        RETURNING ${TASK_COLUMN_NAMES.map((c) => `t.${c}`).join(', ')}, t.seq, due.was
      ), recovered AS (
        INSERT INTO ${events} (${EVENT_COLUMNS})
        SELECT id, ${p.now}, ${SqlTaskEventKind.recovered}, ${p.message}, attempts - 1 FROM claimed WHERE was = ${RUNNING}
      )`;

  /** The claim on its own: $1 now, $2 limit, $3 owner, $4 lease end, $5 the recovered event's message. */
  const claimAlone = claimCtes({ now: '$1', limit: '$2', owner: '$3', leaseUntil: '$4', message: '$5' });

  return {
    resourcesTable: resources,
    countsTable: `${s}.resource_counts`,
    linksTable: links,
    getMeta: `SELECT value FROM ${s}.meta WHERE key = $1`,
    setMeta: `INSERT INTO ${s}.meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    setMetaIfAbsent: `INSERT INTO ${s}.meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`,

    getResource: `SELECT ${RESOURCE_COLUMNS} FROM ${resources} WHERE id = $1`,
    upsertResource: `INSERT INTO ${resources} (${RESOURCE_COLUMNS}) VALUES (${params(1, RESOURCE_CASTS)}) ${upsertResourceTail}`,
    updateResourceIf: `UPDATE ${resources} SET type = $2, status = $3, revision = $4, modified = $5, properties = $6::json
      WHERE id = $1 AND revision = $7`,
    deleteResource: `WITH gone AS (DELETE FROM ${resources} WHERE id = $1),
      gs AS (DELETE FROM ${subscriptions} WHERE subscriber_id = $1 OR source_id = $1)
      DELETE FROM ${links} WHERE from_id = $1 OR to_id = $1`,
    /** The follow-up tasks of $1 (a JSON array, see rows.ts `followUpJson`), in a write's transaction. */
    insertFollowUps: `WITH ${followUpsCtes('$1', 'true')} SELECT count(*)::int AS n FROM ft`,

    createTask,
    complete,
    getTask: `SELECT ${TASK_COLUMNS} FROM ${tasks} WHERE id = $1`,
    taskByRequestId: `SELECT ${TASK_COLUMNS} FROM ${tasks} WHERE request_id = $1`,
    activeTask: `SELECT ${TASK_COLUMNS} FROM ${tasks} WHERE resource_id = $1 AND status IN ${ACTIVE}
      ORDER BY created_at, seq LIMIT 1`,
    /** Another active task of the resource than $2 (a rerun may not start beside it). */
    otherActiveTask: `SELECT id FROM ${tasks} WHERE resource_id = $1 AND status IN ${ACTIVE} AND id <> $2 LIMIT 1`,
    /** $1 limit (NULL: none), $2 offset, then the filters' values. */
    listTasks: (where: string) =>
      `SELECT ${TASK_COLUMNS} FROM ${tasks} ${where} ORDER BY created_at, seq LIMIT $1 OFFSET $2`,
    countTasks: (where: string) => `SELECT count(*)::int AS n FROM ${tasks} ${where}`,
    lockTask: `SELECT status FROM ${tasks} WHERE id = $1 FOR UPDATE`,
    updateTask: `UPDATE ${tasks} SET name = $2, description = $3, output = $4, status = $5, attempts = $6,
      next_run_at = $7, deadline_at = $8, phase = $9, request = $10::json, updated_at = $11, ended_at = $12,
      lease_owner = $13, lease_until = $14 WHERE id = $1`,
    insertEvent: `INSERT INTO ${events} (${EVENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5)`,
    /** The newest $2 events of task $1 (NULL: all), oldest first. */
    events: `SELECT "taskId", at, kind, message, attempt FROM (
      SELECT seq, task_id AS "taskId", at, kind, message, attempt FROM ${events} WHERE task_id = $1
      ORDER BY seq DESC LIMIT $2) newest ORDER BY seq`,
    /** Drops task $1's events older than its newest $2. */
    pruneEvents: `DELETE FROM ${events} WHERE task_id = $1 AND seq <= (
      SELECT seq FROM ${events} WHERE task_id = $1 ORDER BY seq DESC OFFSET $2::int LIMIT 1)`,

    claim: `WITH ${claimAlone}
      SELECT * FROM claimed ORDER BY ${CLAIM_ORDER}`,
    /** The claim ($1-$5 as in `claim`), each task with its resource's columns (`r_id`…; null if none). */
    claimWithResources: `WITH ${claimAlone}
      SELECT claimed.*, ${CLAIMED_RESOURCE_COLUMNS}
      FROM claimed LEFT JOIN ${resources} res ON res.id = claimed.resource_id
      ORDER BY ${CLAIM_ORDER}`,
    /**
     * A batch of outcomes ($1-$4 as in `complete`) and a claim ($5 now, $6 limit, $7 lease end, $8 the
     * recovered event's message; the owner is $2), in one statement: one round trip and one commit.
     * Its parts share one snapshot, so the claim does not see what the outcomes change: a task an
     * outcome makes due again, or a follow-up it creates, waits for the next claim. A row both would
     * write (a task of ours whose lease ran out) is written by one of them only (PostgreSQL skips a
     * row the same statement changed already): its outcome counts as not applied if the claim took
     * it over first. One row at least: `applied`, the indexes of the outcomes applied, on every row,
     * and the claimed tasks with their resources (none: a row of nulls beside `applied`).
     */
    completeAndClaim: `${completeCtes}, ${claimCtes({ now: '$5', limit: '$6', owner: '$2', leaseUntil: '$7', message: '$8' })}
      SELECT a.applied, c.* FROM (SELECT array_agg(i) AS applied FROM u) a
      LEFT JOIN (
        SELECT claimed.*, ${CLAIMED_RESOURCE_COLUMNS}
        FROM claimed LEFT JOIN ${resources} res ON res.id = claimed.resource_id
      ) c ON true
      ORDER BY COALESCE(c.next_run_at, 0), c.seq`,
    nextWakeUp: `SELECT LEAST(
      (SELECT min(next_run_at) FROM ${tasks} WHERE status = ${SCHEDULED}),
      (SELECT min(lease_until) FROM ${tasks} WHERE status = ${RUNNING})) AS at`,

    link: `INSERT INTO ${links} (from_id, relation, to_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
    unlink: `DELETE FROM ${links} WHERE from_id = $1 AND relation = $2 AND to_id = $3`,
    // COLLATE "C": the same order whatever the database's locale (and as SQLite sorts).
    linksFrom: `SELECT from_id AS "from", relation, to_id AS "to" FROM ${links} WHERE from_id = $1
      ORDER BY relation COLLATE "C", to_id COLLATE "C"`,
    linksThrough: `SELECT from_id AS "from", relation, to_id AS "to" FROM ${links} WHERE from_id = $1 AND relation = $2
      ORDER BY to_id COLLATE "C"`,
    linksOfMany: `SELECT from_id AS "from", relation, to_id AS "to" FROM ${links} WHERE from_id = ANY($1::text[])
      ORDER BY from_id COLLATE "C", relation COLLATE "C", to_id COLLATE "C"`,
    /**
     * Removes the links $1-$3 (arrays of from, relation, to) and adds $4-$6, in one statement. The
     * statement's parts see one snapshot, so a link in both lists is left out of the delete (the
     * insert would find it still there and do nothing, and the delete would then take it away).
     */
    changeLinks: `WITH gone AS (
        DELETE FROM ${links} l USING unnest($1::text[], $2::text[], $3::text[]) AS r(f, rel, t)
        WHERE l.from_id = r.f AND l.relation = r.rel AND l.to_id = r.t
          AND NOT EXISTS (SELECT 1 FROM unnest($4::text[], $5::text[], $6::text[]) AS a(f, rel, t)
                          WHERE a.f = r.f AND a.rel = r.rel AND a.t = r.t)
      )
      INSERT INTO ${links} (from_id, relation, to_id)
      SELECT DISTINCT f, rel, t FROM unnest($4::text[], $5::text[], $6::text[]) AS a(f, rel, t)
      ON CONFLICT DO NOTHING`,

    /** Whether subscription $1 is stored (adding it again is a no-op). */
    subscriptionExists: `SELECT 1 FROM ${subscriptions} WHERE id = $1`,
    subscriptionCount: `SELECT count(*)::int AS n FROM ${subscriptions} WHERE subscriber_id = $1`,
    insertSubscription: `INSERT INTO ${subscriptions} (${SUBSCRIPTION_COLUMNS}) VALUES (${params(1, SUBSCRIPTION_CASTS)})
      ON CONFLICT (id) DO NOTHING`,
    removeSubscription: `DELETE FROM ${subscriptions} WHERE subscriber_id = $1 AND id = $2`,
    listSubscriptions: `SELECT ${SUBSCRIPTION_COLUMNS} FROM ${subscriptions} WHERE subscriber_id = $1 ORDER BY seq`,
    /**
     * $1 event, $2 source id, $3 its types: those naming the resource (a type beside the id narrows
     * it), then those naming one of the types alone; two disjoint index lookups, in creation order.
     */
    matchingSubscriptions: `SELECT ${SUBSCRIPTION_COLUMNS} FROM (
        SELECT seq, ${SUBSCRIPTION_COLUMNS} FROM ${subscriptions} WHERE source_id = $2 AND event = $1
          AND (source_type IS NULL OR source_type = ANY($3::text[]))
        UNION ALL
        SELECT seq, ${SUBSCRIPTION_COLUMNS} FROM ${subscriptions} WHERE source_id IS NULL AND event = $1
          AND source_type = ANY($3::text[])
      ) matching ORDER BY seq`,
  };
}
