/**
 * Issue 15 #8: the controller's SQLite file holds `encrypted` values and buyers' data, so under the
 * usual umask 022 its data directory is made 0700 and the file, with the -wal and -shm files SQLite
 * keeps beside it, 0600 — for a new data directory, and for one an older APSKit left open. A
 * directory the user shares with other files is left alone, with a warning.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Controller, serveController, type RunningController } from '@apskit/controller';
import { services } from './fixtures/jobs';
import { api, eventually, PROVISIONABLE } from './fixtures/harness';

let root: string;
let previousUmask: number;
let running: RunningController | undefined;

beforeEach(() => {
  previousUmask = process.umask(0o022);
  root = mkdtempSync(join(tmpdir(), 'apskit-modes-'));
});

afterEach(async () => {
  await running?.close();
  running = undefined;
  process.umask(previousUmask);
  rmSync(root, { recursive: true, force: true });
});

function modeOf(path: string): string {
  return (statSync(path).mode & 0o777).toString(8);
}

/** Starts a controller on `dataDir` and provisions one resource through its API over 127.0.0.1. */
async function startAndProvision(dataDir: string): Promise<void> {
  const controller = new Controller({ app: { name: 'jobs-app', services }, dataDir, timeScale: 0.01, pollMs: 50 });
  running = await serveController(controller, { port: 0 });
  const created = await api(running.url, 'POST', '/aps/2/resources', { aps: { type: PROVISIONABLE } });
  expect(created.status).toBeLessThan(300);
  const id = (created.body as { aps: { id: string } }).aps.id;
  await eventually(
    async () => (await api(running!.url, 'GET', `/aps/2/resources/${id}`)).body?.aps?.status,
    (s) => s === 'aps:ready',
  );
}

function databaseModes(dataDir: string): Record<string, string> {
  const file = join(dataDir, 'apskit.sqlite');
  return {
    dir: modeOf(dataDir),
    file: modeOf(file),
    wal: modeOf(`${file}-wal`),
    shm: modeOf(`${file}-shm`),
  };
}

it('issue 15 #8: a new data directory is 0700 and the SQLite file, -wal and -shm are 0600 under umask 022', async () => {
  const dataDir = join(root, 'nested', 'data');
  await startAndProvision(dataDir);
  expect(databaseModes(dataDir)).toEqual({ dir: '700', file: '600', wal: '600', shm: '600' });
});

it('issue 15 #8: a data directory and database an older APSKit left readable by all are made private', async () => {
  const dataDir = join(root, 'old');
  mkdirSync(dataDir, { mode: 0o755 });
  chmodSync(dataDir, 0o755);
  const file = join(dataDir, 'apskit.sqlite');
  const old = new Database(file);
  old.pragma('journal_mode = WAL');
  old.exec('CREATE TABLE leftover (x)');
  old.close();
  chmodSync(file, 0o644);
  mkdirSync(join(dataDir, 'tls'));
  expect(modeOf(file)).toBe('644');

  await startAndProvision(dataDir);
  expect(databaseModes(dataDir)).toEqual({ dir: '700', file: '600', wal: '600', shm: '600' });
});

it('issue 15 #8: a directory shared with other files is left alone, with a warning, and the files are 0600', async () => {
  const dataDir = join(root, 'shared');
  mkdirSync(dataDir);
  chmodSync(dataDir, 0o755);
  writeFileSync(join(dataDir, 'notes.txt'), 'the user’s own file');
  const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => {});
  let warnings: string[];
  try {
    await startAndProvision(dataDir);
  } finally {
    warnings = emitWarning.mock.calls.map(([message]) => String(message));
    emitWarning.mockRestore();
  }
  expect(databaseModes(dataDir)).toEqual({ dir: '755', file: '600', wal: '600', shm: '600' });
  expect(warnings).toContainEqual(
    expect.stringMatching(new RegExp(`^The data directory ${dataDir} is open to other users \\(mode 755\\)`)),
  );
});
