/**
 * The SQLite store's tables, made if missing, and the numbered steps that bring a file made by an
 * older APSKit up to them. Its layout is the one @apskit/store's row mapping reads and writes.
 */
import type Database from 'better-sqlite3';
import { SqlTaskStatus } from '@apskit/store';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS resources (
  id TEXT PRIMARY KEY, type TEXT NOT NULL, status TEXT NOT NULL, revision INTEGER NOT NULL,
  modified INTEGER NOT NULL, properties TEXT NOT NULL);
-- (type) is (type, rowid): one type's resources in creation order, as lists page them.
CREATE INDEX IF NOT EXISTS resources_by_type ON resources(type);
CREATE TABLE IF NOT EXISTS links (
  from_id TEXT NOT NULL, relation TEXT NOT NULL, to_id TEXT NOT NULL, PRIMARY KEY (from_id, relation, to_id));
CREATE INDEX IF NOT EXISTS links_by_to ON links(to_id);
CREATE TABLE IF NOT EXISTS tasks (
  id TEXT PRIMARY KEY, resource_id TEXT NOT NULL, operation TEXT NOT NULL, name TEXT NOT NULL,
  description TEXT NOT NULL, output TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL,
  next_run_at INTEGER, deadline_at INTEGER, phase TEXT NOT NULL, request TEXT NOT NULL,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, ended_at INTEGER,
  lease_owner TEXT, lease_until INTEGER);
CREATE INDEX IF NOT EXISTS tasks_due ON tasks(status, next_run_at);
-- (resource_id) alone, not (resource_id, status): the status changes at every claim and outcome,
-- and an index holding it was one more page written per step (see tasksByResourceWithoutStatus).
CREATE INDEX IF NOT EXISTS tasks_by_resource ON tasks(resource_id);
CREATE TABLE IF NOT EXISTS task_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, task_id TEXT NOT NULL, at INTEGER NOT NULL, kind TEXT NOT NULL,
  message TEXT NOT NULL, attempt INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS task_events_by_task ON task_events(task_id, seq);
`;

/** Creates what is missing, then migrates. */
export function createSchema(db: Database.Database): void {
  db.exec(SCHEMA);
  migrate(db);
  tasksByResourceWithoutStatus(db);
}

/**
 * A file made before issue 23 indexes tasks by (resource_id, status). Every claim and every
 * attempt's outcome changes a task's status, so that index had an entry moved, on a page of its
 * own (resource ids are random), twice per re-poll: a quarter of the pages a re-poll wrote to the
 * WAL. A resource has a handful of tasks, so its active one is found as fast through (resource_id).
 * The layout is the same either way (no numbered step: user_version stays), so this is done
 * whenever the index still has its old shape.
 */
function tasksByResourceWithoutStatus(db: Database.Database): void {
  const columns = db.prepare('PRAGMA index_info(tasks_by_resource)').all() as Array<{ name: string }>;
  if (columns.length === 1) return;
  db.transaction(() => {
    db.exec('DROP INDEX tasks_by_resource');
    db.exec('CREATE INDEX tasks_by_resource ON tasks(resource_id)');
  })();
}

/** Brings a file made by an older APSKit up to this schema, one numbered step at a time. */
function migrate(db: Database.Database): void {
  const version = (db.pragma('user_version', { simple: true }) as number) ?? 0;
  const columns = new Set((db.prepare('PRAGMA table_info(tasks)').all() as Array<{ name: string }>).map((c) => c.name));
  db.transaction(() => {
    if (version < 1) {
      // 1: request ids on tasks.
      if (!columns.has('request_id')) db.exec('ALTER TABLE tasks ADD COLUMN request_id TEXT');
      if (!columns.has('request_hash')) db.exec('ALTER TABLE tasks ADD COLUMN request_hash TEXT');
      db.exec(
        'CREATE UNIQUE INDEX IF NOT EXISTS tasks_by_request_id ON tasks(request_id) WHERE request_id IS NOT NULL',
      );
      db.pragma('user_version = 1');
    }
    if (version < 2) {
      // 2: resource queries. Lists of a type page in creation order through (type, rowid), where
      // version 1 indexed (type, id); linkedWith reads links by their target (links_by_to, above).
      db.exec('DROP INDEX IF EXISTS resources_by_type');
      db.exec('CREATE INDEX resources_by_type ON resources(type)');
      db.pragma('user_version = 2');
    }
    if (version < 3) {
      // 3: resources counted per type, in the writes' own transactions (triggers): the total of a
      // page of one type is then one row, not a count of the type's resources.
      db.exec(`
        CREATE TABLE resource_counts (type TEXT PRIMARY KEY, n INTEGER NOT NULL);
        INSERT INTO resource_counts (type, n) SELECT type, count(*) FROM resources GROUP BY type;
        CREATE TRIGGER resources_counted_in AFTER INSERT ON resources BEGIN
          INSERT INTO resource_counts (type, n) VALUES (NEW.type, 1) ON CONFLICT(type) DO UPDATE SET n = n + 1;
        END;
        CREATE TRIGGER resources_counted_out AFTER DELETE ON resources BEGIN
          UPDATE resource_counts SET n = n - 1 WHERE type = OLD.type;
        END;
        CREATE TRIGGER resources_counted_moved AFTER UPDATE OF type ON resources WHEN OLD.type IS NOT NEW.type BEGIN
          UPDATE resource_counts SET n = n - 1 WHERE type = OLD.type;
          INSERT INTO resource_counts (type, n) VALUES (NEW.type, 1) ON CONFLICT(type) DO UPDATE SET n = n + 1;
        END;`);
      db.pragma('user_version = 3');
    }
    if (version < 4) {
      // 4: event subscriptions (issue 19), until then one JSON list per subscriber in meta. Matching
      // the subscriptions of a change runs on every change: (source_id, event) answers those naming
      // the resource (and finds a deleted resource's as source), (event, source_type) those naming a
      // type alone; (subscriber_id, seq) lists a subscriber's in creation order (seq).
      db.exec(`
        CREATE TABLE subscriptions (
          seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, subscriber_id TEXT NOT NULL,
          event TEXT NOT NULL, source_type TEXT, source_id TEXT, relation TEXT, handler TEXT NOT NULL,
          declared INTEGER NOT NULL, created_at INTEGER NOT NULL);
        CREATE INDEX subscriptions_by_subscriber ON subscriptions(subscriber_id, seq);
        CREATE INDEX subscriptions_by_source ON subscriptions(source_id, event);
        CREATE INDEX subscriptions_by_type ON subscriptions(event, source_type) WHERE source_id IS NULL;`);
      db.pragma('user_version = 4');
    }
    if (version < 5) {
      // 5: running tasks by the end of their lease (issue 23). Every claim first takes the tasks
      // whose runner died (lease ended): through tasks_due that read every running task's row, on
      // each claim; this index holds the running tasks alone, so the look is one index probe.
      db.exec(`CREATE INDEX IF NOT EXISTS tasks_leases ON tasks(lease_until) WHERE status = ${SqlTaskStatus.running}`);
      db.pragma('user_version = 5');
    }
  })();
}
