/**
 * The Store contract (@apskit/store/testing) on PostgreSQL, each test on a fresh schema, when
 * APSKIT_TEST_DATABASE_URL is set; otherwise a notice and a skip.
 */
import { runStoreContract } from '@apskit/store/testing';
import { postgresStores } from './fixtures/database';

const postgres = postgresStores('the store contract');
if (postgres) runStoreContract('postgres', () => postgres.newStore());
afterAll(() => postgres?.dropAll());
