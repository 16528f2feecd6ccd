/**
 * Bulk rows for the scale benchmarks (bench:scale, the usage sync at a million resources): resources
 * and scheduled tasks made by the database itself (generate_series, INSERT … SELECT), so that a
 * million rows take seconds, not the hours of a million store calls. The rows are those the store
 * writes (same columns, statuses from @apskit/core), so that the controller reads them as its own.
 */
import type { Client } from 'pg';
import { SqlResourceStatus, SqlTaskEventKind, SqlTaskStatus, sqlText } from '@apskit/store';

export interface SeedOptions {
  /** A schema PostgresStore.init() has made. */
  readonly schema: string;
  /** Rows in resources, ids `r<i>` zero-padded (see resourceId), i from 0, of type `type`. */
  readonly resources: number;
  readonly type: string;
  /** SQL json expression of the row number column i (a bigint from 0); default '{}'. */
  readonly properties?: (i: string) => string;
  /**
   * Scheduled tasks, task i (`t<i>`, see taskId) on resource i modulo `resources`, due evenly from
   * `dueFrom` to `dueTo` (epoch ms, both included), each with its 'created' event. Their resources
   * are `aps:provisioning`, the others `aps:ready`. `operation` defaults to 'provision'.
   */
  readonly tasks?: {
    readonly count: number;
    readonly dueFrom: number;
    readonly dueTo: number;
    readonly operation?: string;
  };
}

/** Digits of a seeded id's number: ids sort as their numbers up to 10 million rows. */
export const ID_DIGITS = 7;

/** The id of seeded resource `i`. */
export function resourceId(i: number): string {
  return `r${String(i).padStart(ID_DIGITS, '0')}`;
}

/** The id of seeded task `i`. */
export function taskId(i: number): string {
  return `t${String(i).padStart(ID_DIGITS, '0')}`;
}

/** The schema name quoted, as the store quotes it; only plain names, so nothing odd reaches SQL. */
function quoteSchema(schema: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) throw new Error(`seed: invalid schema name "${schema}"`);
  return `"${schema}"`;
}

/**
 * Inserts the rows in one transaction. The per-row trigger that keeps resource_counts is switched off
 * meanwhile (a million trigger calls would take longer than the insert) and the count added at once;
 * ALTER TABLE locks the table, so seed a schema nothing else writes to yet. The tables are analyzed
 * afterwards, so that the planner knows their size when the benchmark starts.
 */
export async function seed(client: Client, options: SeedOptions): Promise<void> {
  const s = quoteSchema(options.schema);
  const n = options.resources;
  const tasks = options.tasks;
  const taskCount = tasks?.count ?? 0;
  if (taskCount > 0 && n === 0) throw new Error('seed: tasks need resources to work on');
  const properties = options.properties?.('i') ?? `'{}'`;
  const type = sqlText(options.type);
  const now = Date.now();
  const id = (prefix: string, i: string) => `'${prefix}' || lpad(${i}::text, ${ID_DIGITS}, '0')`;

  await client.query('BEGIN');
  try {
    // A benchmark's fixture: nothing is lost if the server crashes before it is on disk.
    await client.query('SET LOCAL synchronous_commit = off');
    await client.query(`ALTER TABLE ${s}.resources DISABLE TRIGGER resources_counted`);
    await client.query(
      `INSERT INTO ${s}.resources (id, type, status, revision, modified, properties)
       SELECT ${id('r', 'i')}, ${type},
         CASE WHEN i < $1 THEN ${SqlResourceStatus.provisioning} ELSE ${SqlResourceStatus.ready} END,
         1, $2::float8, (${properties})::json
       FROM generate_series(0::bigint, $3::bigint - 1) AS i`,
      [taskCount, now, n],
    );
    await client.query(`ALTER TABLE ${s}.resources ENABLE TRIGGER resources_counted`);
    await client.query(
      `INSERT INTO ${s}.resource_counts AS c (type, shard, n) VALUES ($1, 0, $2)
       ON CONFLICT (type, shard) DO UPDATE SET n = c.n + excluded.n`,
      [options.type, n],
    );
    if (tasks && taskCount > 0) {
      const step = taskCount > 1 ? (tasks.dueTo - tasks.dueFrom) / (taskCount - 1) : 0;
      await client.query(
        `INSERT INTO ${s}.tasks (id, resource_id, request_id, request_hash, operation, name, description, output,
           status, attempts, next_run_at, deadline_at, phase, request, created_at, updated_at, ended_at,
           lease_owner, lease_until)
         SELECT ${id('t', 'i')}, ${id('r', `(i % $1)`)}, NULL, NULL, $2, 'Provisioning for bench:scale',
           'queued', 'queued', ${SqlTaskStatus.scheduled}, 1, $3::float8 + i * $4::float8, NULL, 'async',
           '{"method":"POST","path":"/bench/"}'::json, $5::float8, $5::float8, NULL, NULL, NULL
         FROM generate_series(0::bigint, $6::bigint - 1) AS i`,
        [n, tasks.operation ?? 'provision', tasks.dueFrom, step, now, taskCount],
      );
      await client.query(
        `INSERT INTO ${s}.task_events (task_id, at, kind, message, attempt)
         SELECT ${id('t', 'i')}, $1::float8, ${SqlTaskEventKind.created}, 'created', 0
         FROM generate_series(0::bigint, $2::bigint - 1) AS i`,
        [now, taskCount],
      );
    }
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  }
  await client.query(`ANALYZE ${s}.resources, ${s}.resource_counts, ${s}.tasks, ${s}.task_events`);
}
