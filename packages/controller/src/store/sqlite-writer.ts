/**
 * The scheduler's writes on a thread of their own (issue 23). better-sqlite3 is synchronous: on the
 * store's connection every batch of outcomes and claims ran on the event loop, disk sync included
 * (0.65 to 0.8 ms on the benchmark machine), and nothing else ran meanwhile. Here a second connection,
 * in a worker thread, runs `attemptWrites` (the same module the store's connection runs): the event
 * loop sends a batch and goes on running attempts while the thread writes and syncs it.
 *
 * Durability is the commit's, unchanged: the thread answers once the transaction is committed, and
 * with `synchronous = FULL` a commit is on disk before it returns. Ordering with the store's own
 * writes is SQLite's: each connection's transactions are serialized by the database's write lock
 * (busy_timeout on both), and what one commits the other reads next.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AttemptWritesOptions, AttemptWritesResult, ClaimArgs, OutcomeBatch } from './sqlite-attempt-writes';

/**
 * The thread: plain CommonJS, evaluated, that loads `attemptWrites` (see writesModule).
 */
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const { attemptWrites } = require(workerData.module);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = ' + (workerData.options.durability === 'normal' ? 'NORMAL' : 'FULL'));
const writes = attemptWrites(db, workerData.options);
parentPort.postMessage({ ready: true });
parentPort.on('message', (m) => {
  if (m.kind === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    parentPort.postMessage({ id: m.id, result: writes.completeAndClaim(m.owner, m.outcomes, m.claim) });
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: e && e.message ? e.message : String(e) });
  }
});
`;

/**
 * Where the thread loads `attemptWrites` from: beside this file when it is compiled. From sources
 * (ts-jest), the package's build (`npm test` builds first); without one there is no thread, and the
 * store writes on its own connection (the same module, so the same statements).
 */
export function writesModule(): string | undefined {
  if (!__filename.endsWith('.ts')) return join(__dirname, 'sqlite-attempt-writes.js');
  const built = join(__dirname, '../../dist/store/sqlite-attempt-writes.js');
  return existsSync(built) ? built : undefined;
}

interface Pending {
  resolve(result: AttemptWritesResult): void;
  reject(error: Error): void;
}

type Reply = { id: number; result: AttemptWritesResult } | { id: number; error: string } | { ready: true };

export class SqliteWriter {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | undefined;
  private readonly exited: Promise<void>;
  /**
   * Resolves once the thread has opened the database and prepared its statements (the store's init
   * waits for it: a claim sent before would wait in the thread's queue while its lease runs), or
   * rejects if it could not.
   */
  readonly ready: Promise<void>;

  constructor(file: string, options: AttemptWritesOptions, module: string) {
    this.worker = new Worker(SOURCE, {
      eval: true,
      // Not the process's preloads (-r ts-node/register, an APM agent...): the thread runs only this.
      execArgv: [],
      workerData: { file, options, driver: require.resolve('better-sqlite3'), module },
    });
    // The thread does not keep the process alive by itself: a request under way does (see run).
    this.worker.unref();
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    let onReady: () => void = () => {};
    this.ready = new Promise<void>((resolve, reject) => {
      onReady = resolve;
      this.worker.once('error', reject);
      this.worker.once('exit', () => reject(this.failure ?? new Error('the SQLite writer thread exited')));
    });
    // Whoever does not wait for it must not see an unhandled rejection (the store reads `broken`).
    this.ready.catch(() => {});
    this.worker.on('message', (reply: Reply) => {
      if ('ready' in reply) return onReady();
      const pending = this.pending.get(reply.id);
      if (!pending) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) this.worker.unref();
      if ('error' in reply) pending.reject(new Error(reply.error));
      else pending.resolve(reply.result);
    });
    this.worker.once('error', (e: Error) => this.fail(e));
    this.worker.once('exit', (code) => this.fail(new Error(`the SQLite writer thread exited (code ${code})`)));
  }

  /** Whether the thread is gone (it failed): the store then writes on its own connection. */
  get broken(): boolean {
    return this.failure !== undefined;
  }

  run(owner: string, outcomes: Readonly<OutcomeBatch>, claim: ClaimArgs | undefined): Promise<AttemptWritesResult> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<AttemptWritesResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Referenced while a write is under way, so that the process waits for its answer.
      this.worker.ref();
      this.worker.postMessage({ id, owner, outcomes, claim });
    });
  }

  /** Ends the thread once the writes sent have been answered (the thread takes them in order). */
  async close(): Promise<void> {
    if (this.failure) return;
    this.failure = new Error('the SQLite store is closed');
    this.worker.ref();
    this.worker.postMessage({ kind: 'close' });
    await this.exited;
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }
}
