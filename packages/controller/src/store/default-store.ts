/**
 * The store a controller gets when its options name none: PostgreSQL when a database URL is given
 * (`databaseUrl`, then APSKIT_DATABASE_URL), so that several processes share one database; else
 * SQLite at `<dataDir>/apskit.sqlite`, which one process owns.
 */
import { join } from 'node:path';
import { SqliteStore } from './sqlite-store';
import type { Store } from '@apskit/store';

export interface DefaultStoreOptions {
  databaseUrl?: string;
  dataDir?: string;
  /** Events kept per task (the store's `maxEventsPerTask`). */
  maxTaskEvents?: number;
}

interface PostgresModule {
  PostgresStore: new (options: { connectionString: string; maxEventsPerTask?: number }) => Store;
}

export function defaultStore(options: DefaultStoreOptions): Store {
  const url = options.databaseUrl || process.env.APSKIT_DATABASE_URL || undefined;
  if (url === undefined)
    return new SqliteStore(join(options.dataDir ?? process.env.APSKIT_DATA_DIR ?? '.apskit', 'apskit.sqlite'), {
      maxEventsPerTask: options.maxTaskEvents,
    });
  if (!/^postgres(ql)?:\/\//.test(url))
    throw new Error(`The database URL must be postgres://… (PostgreSQL is the only database server APSKit uses)`);
  return new (loadPostgres().PostgresStore)({ connectionString: url, maxEventsPerTask: options.maxTaskEvents });
}

/**
 * @apskit/store-postgres is loaded only when a database URL asks for it, with require rather than
 * import: it is an optional peer of this package (both depend on @apskit/store, neither on the
 * other), so an app on SQLite needs neither it nor pg installed.
 */
function loadPostgres(): PostgresModule {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy and optional, see above
    return require('@apskit/store-postgres') as PostgresModule;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && String(e).includes('@apskit/store-postgres'))
      throw new Error(
        'A PostgreSQL database URL is set: install @apskit/store-postgres (npm i @apskit/store-postgres)',
      );
    throw e;
  }
}
