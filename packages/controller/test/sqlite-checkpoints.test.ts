/**
 * Issue 23: the SQLite store checkpoints its WAL on a worker thread, so that no commit on the event
 * loop copies 1,000 pages into the database file. What a user would notice if that went wrong: a WAL
 * that only grows while writes never pause (it reached 500 MB in seconds of the scheduler benchmark
 * before the store's connection caught up after each checkpoint), or steps missing from the file.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '@apskit/controller';
import type { ResourceRecord } from '@apskit/store';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'apskit-checkpoints-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function resource(i: number): ResourceRecord {
  return {
    id: `r${i}`,
    type: 'http://apskit.dev/test/thing/1.0',
    status: 'aps:ready',
    revision: 1,
    modified: i,
    // About a page of its own per write.
    properties: { i, text: 'x'.repeat(3000) },
  };
}

const walSize = (file: string): number => {
  try {
    return statSync(`${file}-wal`).size;
  } catch {
    return 0;
  }
};

test('the WAL stays bounded under writes that never pause for long, and every write is in the file', async () => {
  const file = join(dir, 'apskit.sqlite');
  const store = new SqliteStore(file, { durability: 'normal' });
  await store.init();
  let largest = 0;
  let written = 0;
  // Batches of writes with a turn of the event loop between them, as a busy controller does: 40,000
  // writes of a page or more each, 160 MB of WAL frames at least.
  while (written < 40_000) {
    for (let k = 0; k < 50; k++) await store.putResource(resource(written++));
    largest = Math.max(largest, walSize(file));
    await new Promise((resolve) => setImmediate(resolve));
  }
  await store.close();
  // The WAL was started over after the checkpoints: it never held more than a fraction of that (its
  // size is the thread's checkpoints' lag, or at worst the store's own safety net of 10,000 pages).
  expect(largest).toBeLessThan(64 * 1024 * 1024);

  const reopened = new SqliteStore(file);
  await reopened.init();
  expect((await reopened.getResource(`r${written - 1}`))?.properties.i).toBe(written - 1);
  expect((await reopened.listResources({})).total).toBe(written);
  await reopened.close();
});
