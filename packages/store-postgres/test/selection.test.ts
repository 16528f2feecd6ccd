/**
 * The controller picks its store from its configuration: PostgreSQL when a database URL is given
 * (`databaseUrl`, then APSKIT_DATABASE_URL), SQLite otherwise, and always the store it is handed. No
 * database is needed: a store connects only when the controller starts.
 */
import { ApsType, CoreTypes, Property } from '@apskit/core';
import { Controller, MemoryStore, SqliteStore } from '@apskit/controller';
import { PostgresStore } from '@apskit/store-postgres';

@ApsType({ name: 'thing', id: 'http://apskit.test/selection/thing/1.0', implements: [CoreTypes.resource] })
class Thing {
  @Property()
  name?: string;
}

const app = { name: 'selection', services: { things: Thing } };

describe('the default store', () => {
  const saved = process.env.APSKIT_DATABASE_URL;
  afterEach(() => {
    if (saved === undefined) delete process.env.APSKIT_DATABASE_URL;
    else process.env.APSKIT_DATABASE_URL = saved;
  });

  it('is SQLite without a database URL', () => {
    delete process.env.APSKIT_DATABASE_URL;
    expect(new Controller({ app })['store']).toBeInstanceOf(SqliteStore);
  });

  it('is PostgreSQL with APSKIT_DATABASE_URL, or with the databaseUrl option first', () => {
    process.env.APSKIT_DATABASE_URL = 'postgres://apskit@127.0.0.1:1/from_env';
    expect(new Controller({ app })['store']).toBeInstanceOf(PostgresStore);
    delete process.env.APSKIT_DATABASE_URL;
    expect(new Controller({ app, databaseUrl: 'postgresql://apskit@127.0.0.1:1/x' })['store']).toBeInstanceOf(
      PostgresStore,
    );
  });

  it('is the store the options give, whatever the environment says', () => {
    process.env.APSKIT_DATABASE_URL = 'postgres://apskit@127.0.0.1:1/from_env';
    const store = new MemoryStore();
    expect(new Controller({ app, store })['store']).toBe(store);
  });

  it('refuses a URL of another database', () => {
    expect(() => new Controller({ app, databaseUrl: 'mysql://root@127.0.0.1/x' })).toThrow(/postgres:\/\//);
  });
});
