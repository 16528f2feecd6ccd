/**
 * WAL checkpoints of the SQLite store on a thread of their own. SQLite's automatic checkpoint runs in
 * the commit that crosses 1,000 WAL pages, on the connection that commits: with better-sqlite3 that
 * is the event loop, which then copies those pages into the database file and syncs it before
 * anything else runs. Under the scheduler's load that stalled every task for tens to hundreds of ms
 * (bench:scheduler, issue 23: p99 lateness 304 ms at 1,000 re-polls/s with it, 27 ms without).
 *
 * Here the store's own connection checkpoints only past ten times that (a safety net); a second connection,
 * in a worker thread, runs a PASSIVE checkpoint every `everyMs`: it copies what is committed while
 * the store goes on committing. Writes that never pause would never let the WAL start over (it
 * grew to 500 MB in a few seconds of the benchmark), so past `restartFrames` the store's connection
 * copies what was committed during that copy (`catchUp`): a short stall, not the whole copy. Durability
 * is the commits', unchanged: each is in the WAL (synced with `synchronous = FULL`) before it returns;
 * a checkpoint only moves committed pages into the database file, with its own syncs.
 */
import { Worker } from 'node:worker_threads';

/** The worker: plain CommonJS (evaluated, so that it runs from sources under ts-jest as from dist). */
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = ' + workerData.synchronous);
parentPort.on('message', (message) => {
  if (message === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    // Copies what is committed, the store going on committing meanwhile.
    const [done] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ frames: done.log });
  } catch (e) {
    parentPort.postMessage(String(e && e.message));
  }
});
`;

export interface CheckpointerOptions {
  readonly file: string;
  readonly synchronous: 'FULL' | 'NORMAL';
  /** How often to checkpoint what has been committed since. */
  readonly everyMs?: number;
  /**
   * The WAL's size, in pages, past which `catchUp` is called after a checkpoint (by default SQLite's
   * automatic checkpoint size), so that the WAL does not grow while writes never pause.
   */
  readonly restartFrames?: number;
  /**
   * Run on the store's connection between two of its steps: a PASSIVE checkpoint there copies the
   * few frames committed during the thread's copy; with every frame copied, the next commit starts
   * the WAL over.
   */
  readonly catchUp: () => void;
  /** The checkpointer is gone (it failed): the store's connection should checkpoint again itself. */
  readonly onGone: (error: unknown) => void;
}

export class SqliteCheckpointer {
  private readonly worker: Worker;
  private readonly timer: NodeJS.Timeout;
  private busy = false;
  private closing = false;
  private readonly exited: Promise<void>;

  constructor(options: CheckpointerOptions) {
    const restartFrames = options.restartFrames ?? 1000;
    this.worker = new Worker(SOURCE, {
      eval: true,
      workerData: {
        file: options.file,
        synchronous: options.synchronous,
        driver: require.resolve('better-sqlite3'),
      },
    });
    // Neither the thread nor its timer keeps the process alive: the store's close ends them.
    this.worker.unref();
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.on('message', (message: { frames?: number }) => {
      this.busy = false;
      if ((message.frames ?? 0) >= restartFrames) {
        options.catchUp();
        // Writes come faster than every `everyMs` lets the WAL start over: the next one at once.
        this.tick();
      }
    });
    this.worker.once('error', (e: unknown) => {
      clearInterval(this.timer);
      if (!this.closing) options.onGone(e);
    });
    this.timer = setInterval(() => this.tick(), options.everyMs ?? 100);
    this.timer.unref();
  }

  private tick(): void {
    // One checkpoint at a time: a slow disk makes them longer, not more.
    if (this.busy || this.closing) return;
    this.busy = true;
    this.worker.postMessage('checkpoint');
  }

  /** Ends the thread (after a checkpoint under way); the store's close then checkpoints the rest. */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.timer);
    // Referenced again while it ends, or a process with nothing else to do would exit before it has.
    this.worker.ref();
    this.worker.postMessage('close');
    await this.exited;
  }
}
