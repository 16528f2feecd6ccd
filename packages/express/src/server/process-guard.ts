/**
 * The net under the servers APSKit starts. Every reply path of the endpoint handles its own failures;
 * this catches what still slips through (a promise an app method forgot to await, a throw in a timer
 * it set) so that one bad request cannot stop a process serving everyone else. Node's default for
 * both is to exit. The guard logs them at `error` and keeps running.
 *
 * It is installed once per process however many servers hold it, and removed when the last one lets
 * go (`close()`), so a process that stops serving gets Node's defaults back. Opt out with
 * `listen({ processGuard: false })` (a supervisor that restarts on crash may prefer the exit).
 */
import type { Logger } from 'pino';

type Log = (obj: object, msg: string) => void;

interface Installed {
  /** The loggers of the holders, latest last: the latest one still held is written to. */
  readonly logs: Log[];
  readonly onRejection: (reason: unknown) => void;
  readonly onException: (error: Error, origin: string) => void;
}

let installed: Installed | undefined;

const consoleLog: Log = (obj, msg) => {
  console.error(`apskit: ${msg}`, (obj as { err?: unknown }).err);
};

/**
 * Holds the process guard until the returned function is called (once; later calls do nothing).
 * `logger` receives what the guard catches; without one it goes to the console.
 */
export function guardProcess(logger?: Logger | false): () => void {
  const log: Log = logger ? (obj, msg) => logger.error(obj, msg) : consoleLog;
  if (!installed) {
    const logs: Log[] = [];
    const write = (obj: object, msg: string): void => {
      try {
        (logs[logs.length - 1] ?? consoleLog)(obj, msg);
      } catch {
        // A logger that throws must not turn the net into a crash.
      }
    };
    installed = {
      logs,
      onRejection: (reason) => write({ err: reason }, 'unhandled promise rejection (the process keeps running)'),
      onException: (error, origin) => write({ err: error, origin }, 'uncaught exception (the process keeps running)'),
    };
    process.on('unhandledRejection', installed.onRejection);
    process.on('uncaughtException', installed.onException);
  }
  const held = installed;
  held.logs.push(log);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const i = held.logs.lastIndexOf(log);
    if (i >= 0) held.logs.splice(i, 1);
    if (held.logs.length === 0 && installed === held) {
      process.off('unhandledRejection', held.onRejection);
      process.off('uncaughtException', held.onException);
      installed = undefined;
    }
  };
}

/** Whether the guard is installed now (for tests and diagnostics). */
export function processGuarded(): boolean {
  return installed !== undefined;
}
