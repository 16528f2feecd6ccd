/**
 * A SQLite file of schema version 1 (issue 16: resources indexed by (type, id), no index of links by
 * target, no per-type counts) opens as version 3 with its resources and links, and resource queries
 * run on it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '@apskit/controller';

describe('SQLite schema versions 2 and 3 (resource queries)', () => {
  it('brings a version 1 file up, keeping resources and links, and queries them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'apskit-migrate-2-'));
    try {
      const file = join(dir, 'v1.sqlite');
      const old = new Database(file);
      old.exec(`
        CREATE TABLE resources (id TEXT PRIMARY KEY, type TEXT NOT NULL, status TEXT NOT NULL, revision INTEGER NOT NULL,
          modified INTEGER NOT NULL, properties TEXT NOT NULL);
        CREATE INDEX resources_by_type ON resources(type, id);
        CREATE TABLE links (from_id TEXT NOT NULL, relation TEXT NOT NULL, to_id TEXT NOT NULL,
          PRIMARY KEY (from_id, relation, to_id));
        CREATE TABLE tasks (
          id TEXT PRIMARY KEY, resource_id TEXT NOT NULL, operation TEXT NOT NULL, name TEXT NOT NULL,
          description TEXT NOT NULL, output TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL,
          next_run_at INTEGER, deadline_at INTEGER, phase TEXT NOT NULL, request TEXT NOT NULL,
          created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, ended_at INTEGER,
          lease_owner TEXT, lease_until INTEGER, request_id TEXT, request_hash TEXT);
        INSERT INTO resources VALUES ('b', 'T', 'aps:ready', 1, 0, '{"n":2}'), ('a', 'T', 'aps:ready', 1, 0, '{"n":1}');
        INSERT INTO links VALUES ('a', 'users', 'b');
        PRAGMA user_version = 1;`);
      old.close();
      const store = new SqliteStore(file);
      await store.init();
      const found = await store.listResources({
        where: {
          op: 'and',
          of: [
            { op: 'typeIn', types: ['T'] },
            { op: 'linkedWith', id: 'a' },
          ],
        },
      });
      expect(found).toMatchObject({ total: 1, items: [{ id: 'b', properties: { n: 2 } }] });
      // Creation order (rowid), not id order, with the new (type) index.
      const page = await store.listResources({ type: 'T' });
      expect({ ids: page.items.map((r) => r.id), total: page.total }).toEqual({ ids: ['b', 'a'], total: 2 });
      // The per-type counts start from the rows there were, and follow the writes after.
      await store.deleteResource('a');
      expect((await store.listResources({ type: 'T', limit: 1 })).total).toBe(1);
      await store.close();
      const check = new Database(file, { readonly: true });
      // 4 (event subscriptions) came later: see sqlite-subscriptions-migration.test.ts.
      expect(check.pragma('user_version', { simple: true })).toBe(5);
      const columns = check.prepare("SELECT name FROM pragma_index_info('resources_by_type')").all();
      expect(columns).toEqual([{ name: 'type' }]);
      check.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
