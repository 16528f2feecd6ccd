/**
 * The Store contract (@apskit/store/testing), run against the stores this package ships: the
 * controller relies on exactly these semantics for leases, exactly-once completion and the
 * one-active-task rule. PostgreSQL runs it in packages/store-postgres/test/store-contract.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore, SqliteStore } from '@apskit/controller';
import { runStoreContract } from '@apskit/store/testing';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

runStoreContract('memory', () => new MemoryStore());
runStoreContract('sqlite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'apskit-store-'));
  dirs.push(dir);
  return new SqliteStore(join(dir, 'db.sqlite'));
});
