/**
 * The store's schema, as numbered steps. `migrate` applies the steps a database lacks, in order, in
 * one transaction under an advisory lock: several controller processes that start at once against a
 * new database serialize here, and the first one to get the lock creates the tables for all.
 */
import type { PoolClient } from 'pg';
import { SQL_TASK_STATUS_CHECK, SqlTaskStatus } from '@apskit/store';

export interface Migration {
  readonly version: number;
  readonly description: string;
  /** The SQL of the step; `s` is the quoted schema name, to qualify every table with. */
  sql(s: string): string;
}

/**
 * The statuses are spelled by @apskit/core; the SQL is made from them. A migration that has run on a
 * database must not change, so test/migrations.test.ts pins the task statuses version 1 was made
 * with: a new status fails that test until a migration of its own widens the CHECK.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'resources, links, tasks with request ids and leases, task events, meta',
    sql: (s) => `
      CREATE TABLE ${s}.meta (key text PRIMARY KEY, value text NOT NULL);

      -- seq keeps the insertion order, which listResources pages by (as SQLite's rowid does).
      CREATE TABLE ${s}.resources (
        id text PRIMARY KEY,
        seq bigserial NOT NULL,
        type text NOT NULL,
        status text NOT NULL,
        revision integer NOT NULL,
        modified double precision NOT NULL,
        properties json NOT NULL
      );
      CREATE INDEX resources_by_type ON ${s}.resources (type, seq);
      CREATE INDEX resources_by_seq ON ${s}.resources (seq);

      CREATE TABLE ${s}.links (
        from_id text NOT NULL,
        relation text NOT NULL,
        to_id text NOT NULL,
        PRIMARY KEY (from_id, relation, to_id)
      );
      CREATE INDEX links_by_to ON ${s}.links (to_id);

      -- Times are epoch milliseconds, as in the records: double precision, JavaScript's own numbers, since
      -- a scaled retry time need not be a whole millisecond. No foreign keys: the controller decides what
      -- records mean, and a key share lock on a task would make claimers skip it for nothing.
      CREATE TABLE ${s}.tasks (
        id text PRIMARY KEY,
        seq bigserial NOT NULL,
        resource_id text NOT NULL,
        request_id text,
        request_hash text,
        operation text NOT NULL,
        name text NOT NULL,
        description text NOT NULL,
        output text NOT NULL,
        status text NOT NULL CHECK (${SQL_TASK_STATUS_CHECK}),
        attempts integer NOT NULL,
        next_run_at double precision,
        deadline_at double precision,
        phase text NOT NULL,
        request json NOT NULL,
        created_at double precision NOT NULL,
        updated_at double precision NOT NULL,
        ended_at double precision,
        lease_owner text,
        lease_until double precision
      );
      CREATE UNIQUE INDEX tasks_by_request_id ON ${s}.tasks (request_id) WHERE request_id IS NOT NULL;
      -- The claim and the wake-up read only these two small partial indexes, however many tasks ended.
      CREATE INDEX tasks_scheduled ON ${s}.tasks (next_run_at) WHERE status = ${SqlTaskStatus.scheduled};
      CREATE INDEX tasks_running ON ${s}.tasks (lease_until) WHERE status = ${SqlTaskStatus.running};
      CREATE INDEX tasks_by_resource ON ${s}.tasks (resource_id, status);
      CREATE INDEX tasks_by_created ON ${s}.tasks (created_at, seq);

      CREATE TABLE ${s}.task_events (
        seq bigserial PRIMARY KEY,
        task_id text NOT NULL,
        at double precision NOT NULL,
        kind text NOT NULL,
        message text NOT NULL,
        attempt integer NOT NULL
      );
      CREATE INDEX task_events_by_task ON ${s}.task_events (task_id, seq);
    `,
  },
  {
    version: 2,
    description: 'resources counted per type, for the totals of resource queries',
    // The total of a page of one type is then a sum of a few rows, not a count of the type's rows.
    // The triggers count in the writes' own transactions. Each connection adds to a shard of its
    // own (its backend pid modulo 16), so that processes writing resources of one type at once do
    // not queue on one counter row; a shard may go below zero, the sum of a type's shards is right.
    // CREATE TRIGGER locks out writes to resources until the counts are filled and committed.
    sql: (s) => `
      CREATE TABLE ${s}.resource_counts (
        type text NOT NULL,
        shard integer NOT NULL,
        n bigint NOT NULL,
        PRIMARY KEY (type, shard)
      );
      CREATE FUNCTION ${s}.count_resources() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'INSERT' THEN
          INSERT INTO ${s}.resource_counts AS c (type, shard, n) VALUES (OLD.type, pg_backend_pid() % 16, -1)
          ON CONFLICT (type, shard) DO UPDATE SET n = c.n - 1;
        END IF;
        IF TG_OP <> 'DELETE' THEN
          INSERT INTO ${s}.resource_counts AS c (type, shard, n) VALUES (NEW.type, pg_backend_pid() % 16, 1)
          ON CONFLICT (type, shard) DO UPDATE SET n = c.n + 1;
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER resources_counted AFTER INSERT OR DELETE ON ${s}.resources
        FOR EACH ROW EXECUTE FUNCTION ${s}.count_resources();
      CREATE TRIGGER resources_counted_moved AFTER UPDATE OF type ON ${s}.resources
        FOR EACH ROW WHEN (OLD.type IS DISTINCT FROM NEW.type) EXECUTE FUNCTION ${s}.count_resources();
      INSERT INTO ${s}.resource_counts (type, shard, n) SELECT type, 0, count(*) FROM ${s}.resources GROUP BY type;
    `,
  },
  {
    version: 3,
    description: 'event subscriptions',
    // Matching the subscriptions of a change runs on every change: (source_id, event) answers those
    // naming the resource (and finds a deleted resource's as source), (event, source_type) those
    // naming a type alone; (subscriber_id, seq) lists a subscriber's in creation order (seq).
    sql: (s) => `
      CREATE TABLE ${s}.subscriptions (
        id text PRIMARY KEY,
        seq bigserial NOT NULL,
        subscriber_id text NOT NULL,
        event text NOT NULL,
        source_type text,
        source_id text,
        relation text,
        handler text NOT NULL,
        declared boolean NOT NULL,
        created_at double precision NOT NULL
      );
      CREATE INDEX subscriptions_by_subscriber ON ${s}.subscriptions (subscriber_id, seq);
      CREATE INDEX subscriptions_by_source ON ${s}.subscriptions (source_id, event);
      CREATE INDEX subscriptions_by_type ON ${s}.subscriptions (event, source_type) WHERE source_id IS NULL;
    `,
  },
];

/** Quotes a schema name for SQL; only plain names are accepted, so nothing odd reaches a statement. */
export function quoteSchema(schema: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema))
    throw new Error(`Invalid PostgreSQL schema name "${schema}": use letters, digits and _ only`);
  return `"${schema}"`;
}

/**
 * Brings `schema` up to the latest version; returns the versions it applied (none when another
 * process got there first). Refuses a database that a newer APSKit migrated past what it knows.
 */
export async function migrate(
  client: PoolClient,
  schema: string,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  const s = quoteSchema(schema);
  const applied: number[] = [];
  await client.query('BEGIN');
  try {
    // Held to the end of the transaction; keyed by schema, so that schemas migrate independently.
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`apskit:migrate:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (
         version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const done = new Set(
      (await client.query<{ version: number }>(`SELECT version FROM ${s}.schema_migrations`)).rows.map(
        (r) => r.version,
      ),
    );
    const latest = Math.max(0, ...migrations.map((m) => m.version));
    const newer = [...done].filter((v) => v > latest);
    if (newer.length > 0)
      throw new Error(
        `The APSKit schema "${schema}" is at version ${Math.max(...newer)}, newer than this @apskit/store-postgres knows (${latest}): upgrade APSKit`,
      );
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(m.version)) continue;
      await client.query(m.sql(s));
      await client.query(`INSERT INTO ${s}.schema_migrations (version, description) VALUES ($1, $2)`, [
        m.version,
        m.description,
      ]);
      applied.push(m.version);
    }
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  }
  return applied;
}
