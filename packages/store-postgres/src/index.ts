/**
 * @apskit/store-postgres: the controller's store on PostgreSQL, so that several controller processes
 * share one database. `new Controller({ store: new PostgresStore({ connectionString }) })`, or set
 * APSKIT_DATABASE_URL and the controller picks it up by itself.
 */
export { PostgresStore, type PostgresStoreOptions } from './postgres-store';
export { MIGRATIONS, migrate, type Migration } from './migrations';
/** The store's SQL, for tools that EXPLAIN it against a database (bench:scale); not for writing to a store. */
export { statements, type Statements } from './statements';
