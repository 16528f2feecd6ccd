/**
 * Migration 2 (resources counted per type) on a database a version 1 APSKit made: the counts start
 * from the resources it holds, and the totals of queries by type follow the writes after.
 */
import { MIGRATIONS, migrate, PostgresStore } from '@apskit/store-postgres';
import { requirePostgres, TEST_DATABASE_URL, uniqueName, withClient } from '@apskit/test-support/postgres';
import type { PoolClient } from 'pg';

const ready = requirePostgres('the per-type counts migration');
const url = TEST_DATABASE_URL as string;

(ready ? describe : describe.skip)('migration 2: resources counted per type', () => {
  const schema = uniqueName('apskit_test_m2');
  afterAll(() => withClient(url, (c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)));

  it('counts the resources of a version 1 database, then follows the writes', async () => {
    await withClient(url, async (client) => {
      await migrate(
        client as unknown as PoolClient,
        schema,
        MIGRATIONS.filter((m) => m.version === 1),
      );
      await client.query(
        `INSERT INTO "${schema}".resources (id, type, status, revision, modified, properties) VALUES
          ('r1', 'T', 'aps:ready', 1, 0, '{"quota": 10}'), ('r2', 'T', 'aps:ready', 1, 0, '{"quota": 5}'),
          ('r3', 'U', 'aps:ready', 1, 0, '{}')`,
      );
    });
    const store = new PostgresStore({ connectionString: url, schema, poolSize: 2 });
    await store.init();
    try {
      const total = async (type?: string) => (await store.listResources({ type, limit: 1 })).total;
      expect([await total(), await total('T'), await total('U')]).toEqual([3, 2, 1]);
      await store.deleteResource('r1');
      await store.putResource({ id: 'r4', type: 'U', status: 'aps:ready', revision: 1, modified: 0, properties: {} });
      expect([await total(), await total('T'), await total('U')]).toEqual([3, 1, 2]);
    } finally {
      await store.close();
    }
  });
});
