/**
 * A SQLite file of schema version 3 (before issue 19: no subscriptions table) opens as version 4,
 * keeping what it held, and stores, lists, matches and cascades event subscriptions through the
 * new table's indexes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Events, TaskEventKind } from '@apskit/core';
import { SqliteStore } from '@apskit/controller';
import { exampleEvent, exampleResource, exampleSubscription, exampleTask } from '@apskit/store/testing';

describe('SQLite schema version 4 (event subscriptions)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'apskit-migrate-4-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A version 3 file: today's layout without what version 4 added, holding a resource and its task. */
  async function version3File(): Promise<string> {
    const file = join(dir, 'v3.sqlite');
    const store = new SqliteStore(file);
    await store.init();
    await store.createResourceWithTask(
      exampleResource('r1'),
      exampleTask('t1', 'r1'),
      exampleEvent('t1', TaskEventKind.created),
      [{ from: 'r1', relation: 'users', to: 'u1' }],
    );
    await store.close();
    const db = new Database(file);
    db.exec('DROP TABLE subscriptions');
    db.pragma('user_version = 3');
    db.close();
    return file;
  }

  it('brings a version 3 file up, keeping its resources, links and tasks', async () => {
    const file = await version3File();
    const store = new SqliteStore(file);
    await store.init();
    try {
      expect((await store.getResource('r1'))?.properties).toEqual({ n: 1 });
      expect((await store.linksFrom('r1')).map((l) => l.to)).toEqual(['u1']);
      expect((await store.getTask('t1'))?.resourceId).toBe('r1');
      const sub = exampleSubscription('s1', 'r1', { sourceType: null, sourceId: 'r2' });
      expect(await store.addSubscription(sub, 10)).toBe(true);
      expect(await store.listSubscriptions('r1')).toEqual([sub]);
      expect(await store.matchingSubscriptions(Events.changed, 'r2', ['t'])).toEqual([sub]);
      await store.deleteResource('r2');
      expect(await store.listSubscriptions('r1')).toEqual([]);
    } finally {
      await store.close();
    }
    const check = new Database(file, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(5);
    check.close();
  });

  it('matches, lists and cascades through indexes, not scans', async () => {
    const file = await version3File();
    const store = new SqliteStore(file);
    await store.init();
    await store.close();
    const db = new Database(file, { readonly: true });
    try {
      const plan = (sql: string, ...args: unknown[]): string =>
        (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as Array<{ detail: string }>)
          .map((r) => r.detail)
          .join('\n');
      const bySource = plan('SELECT * FROM subscriptions WHERE source_id = ? AND event = ?', 'r', 'e');
      expect(bySource).toContain('USING INDEX subscriptions_by_source');
      const byType = plan(
        'SELECT * FROM subscriptions WHERE source_id IS NULL AND event = ? AND source_type IN (?, ?)',
        'e',
        'a',
        'b',
      );
      expect(byType).toContain('USING INDEX subscriptions_by_type');
      const list = plan('SELECT * FROM subscriptions WHERE subscriber_id = ? ORDER BY seq', 'x');
      expect(list).toContain('USING INDEX subscriptions_by_subscriber');
      expect(list).not.toContain('TEMP B-TREE');
    } finally {
      db.close();
    }
  });
});
