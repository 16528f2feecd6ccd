/**
 * Migration 3 (event subscriptions, issue 19) on a database a version 2 APSKit made: it upgrades in
 * place, keeps what was there, and the store then keeps, matches and cascades subscriptions.
 */
import { Events } from '@apskit/core';
import { MIGRATIONS, migrate, PostgresStore } from '@apskit/store-postgres';
import { exampleSubscription } from '@apskit/store/testing';
import { requirePostgres, TEST_DATABASE_URL, uniqueName, withClient } from '@apskit/test-support/postgres';
import type { PoolClient } from 'pg';

const ready = requirePostgres('the event subscriptions migration');
const url = TEST_DATABASE_URL as string;

(ready ? describe : describe.skip)('migration 3: event subscriptions', () => {
  const schema = uniqueName('apskit_test_m3');
  afterAll(() => withClient(url, (c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)));

  it('upgrades a version 2 database, keeping its resources, and stores subscriptions after', async () => {
    await withClient(url, async (client) => {
      await migrate(
        client as unknown as PoolClient,
        schema,
        MIGRATIONS.filter((m) => m.version <= 2),
      );
      await client.query(
        `INSERT INTO "${schema}".resources (id, type, status, revision, modified, properties) VALUES
          ('r1', 't', 'aps:ready', 1, 0, '{"n": 1}')`,
      );
    });
    const store = new PostgresStore({ connectionString: url, schema, poolSize: 2 });
    await store.init();
    try {
      expect((await store.getResource('r1'))?.properties).toEqual({ n: 1 });
      const held = exampleSubscription('s1', 'r1', { declared: true, relation: 'users' });
      const naming = exampleSubscription('s2', 'r2', { sourceType: null, sourceId: 'r1', createdAt: 1.5 });
      expect(await store.addSubscription(held, 10)).toBe(true);
      expect(await store.addSubscription(naming, 10)).toBe(true);
      expect(await store.listSubscriptions('r1')).toEqual([held]);
      expect(await store.matchingSubscriptions(Events.changed, 'r1', ['t'])).toEqual([held, naming]);
      await store.deleteResource('r1');
      expect(await store.matchingSubscriptions(Events.changed, 'r1', ['t'])).toEqual([]);
      const versions = await withClient(url, (c) =>
        c.query<{ version: number }>(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`),
      );
      expect(versions.rows.map((r) => r.version)).toEqual([1, 2, 3]);
    } finally {
      await store.close();
    }
  });
});
