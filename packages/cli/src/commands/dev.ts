/**
 * `apskit dev [module]`: the module's types served by the embedded controller and its console on one
 * port, reloaded when their files change. Each version of the module runs in a child process of its
 * own (dev/dev-child.ts), so every reload loads the files afresh, with nothing left of the last one
 * (module caches, decorator metadata, timers); resources and tasks stay in the store (the SQLite file
 * under the data folder, or APSKIT_DATABASE_URL). A new version is loaded and checked before the one
 * serving is stopped: a declaration error is printed, and the last good version keeps serving.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { CliError } from '../cli-error';
import { displayPath } from '../display-path';
import { packageFolderOf } from '../load-app';
import { resolveModuleFile } from '../load-module';
import type { ChildMessage, DevServeConfig, ServeCommand } from '../dev/messages';
import { watchTree, type TreeWatcher } from '../dev/watch-tree';
import type { Output } from './schema';
import { aborted, processSignals, type ProcessSignals } from '../process-signals';

export interface DevOptions {
  /** Default PORT, then 3000; 0 picks a free port (kept across reloads). */
  port?: string;
  /** Default APSKIT_DATA_DIR, then `.apskit` in the working folder. */
  dataDir?: string;
  /** Default APSKIT_TIME_SCALE, then 1. */
  timeScale?: string;
  /** An APS endpoint running elsewhere: then only the controller and its console are served. */
  endpointUrl?: string;
  /** Milliseconds of quiet after a change before reloading. Default 200. */
  debounceMs?: number;
}

export const DEFAULT_DEV_PORT = 3000;
/** How long a version may take to load its module, and a stopping one to finish its task attempts. */
const LOAD_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

type ChildEvent = ChildMessage | { readonly kind: 'exit'; readonly code: number | null } | { readonly kind: 'timeout' };

interface Version {
  readonly child: ChildProcess;
  readonly url: string;
  /** Set when the supervisor stops it, so that its exit is not reported as a crash. */
  stopping: boolean;
}

/** Runs until SIGINT or SIGTERM (or `stop`), then stops the serving version and resolves. */
export async function devCommand(
  moduleSpec: string | undefined,
  options: DevOptions,
  io: Output,
  stop?: AbortSignal,
): Promise<void> {
  const signals = stop ? undefined : processSignals();
  try {
    const config = devConfig(moduleSpec ?? '.', options);
    const supervisor = new Supervisor(config, io);
    const root = packageFolderOf(config.moduleFile);
    await supervisor.reload([]);
    const watcher: TreeWatcher = watchTree(root, {
      ignore: [config.dataDir],
      debounceMs: options.debounceMs,
      onChange: (files) => void supervisor.reload(files),
    });
    io.out(
      `apskit dev: watching ${displayPath(root) || '.'} for changes: a saved file reloads the types; ` +
        'resources and tasks stay in the store. Ctrl-C stops.\n',
    );
    await aborted(stop ?? (signals as ProcessSignals).signal);
    watcher.close();
    await supervisor.close();
    io.out('apskit dev: stopped\n');
  } finally {
    signals?.dispose();
  }
}

/** The options as one child configuration, checked before anything starts. */
export function devConfig(moduleSpec: string, options: DevOptions, cwd = process.cwd()): DevServeConfig {
  const moduleFile = resolveModuleFile(moduleSpec, cwd);
  const port = portOf(options.port ?? process.env.PORT);
  const timeScaleText = options.timeScale ?? process.env.APSKIT_TIME_SCALE;
  const timeScale = timeScaleText === undefined || timeScaleText === '' ? undefined : Number(timeScaleText);
  if (timeScale !== undefined && !(timeScale > 0))
    throw new CliError(
      `The time scale (--time-scale or APSKIT_TIME_SCALE) must be a positive number (0.01 turns 30 s into 300 ms), not "${timeScaleText}"`,
    );
  const endpointUrl = options.endpointUrl === undefined ? undefined : endpointUrlOf(options.endpointUrl);
  const dataDir = resolve(cwd, options.dataDir ?? (process.env.APSKIT_DATA_DIR || '.apskit'));
  return {
    moduleFile,
    fallbackName: packageName(packageFolderOf(moduleFile)),
    host: '127.0.0.1',
    port,
    dataDir,
    timeScale,
    endpointUrl,
  };
}

function portOf(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_DEV_PORT;
  const port = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(port >= 0 && port <= 65535))
    throw new CliError(
      `The port (--port or PORT) must be a number from 0 to 65535 (0 picks a free one), not "${value}"`,
    );
  return port;
}

function endpointUrlOf(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliError(`--endpoint-url must be the endpoint's http:// or https:// URL, not "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new CliError(`--endpoint-url must be an http:// or https:// URL, not "${value}"`);
  return url.href;
}

function packageName(folder: string): string {
  const file = join(folder, 'package.json');
  try {
    const name = (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name;
    if (typeof name === 'string' && name !== '') return name.replace(/^@[^/]+\//, '');
  } catch {
    // no package.json, or not JSON: the folder's name will do
  }
  return basename(folder);
}

/** The compiled child; from the sources (a test run through ts-jest), the TypeScript one through ts-node. */
function childEntry(): { file: string; execArgv: string[] } {
  const js = join(__dirname, '../dev/dev-child.js');
  if (existsSync(js)) return { file: js, execArgv: [] };
  return { file: join(__dirname, '../dev/dev-child.ts'), execArgv: ['-r', 'ts-node/register/transpile-only'] };
}

/** Starts versions, one at a time, and swaps the serving one for a new one that loaded. */
class Supervisor {
  private serving: Version | undefined;
  private loading: ChildProcess | undefined;
  private busy = false;
  private queued: string[] | undefined;
  private closed = false;
  private first = true;

  constructor(
    private config: DevServeConfig,
    private readonly io: Output,
  ) {}

  /** Loads the module afresh and serves it; a change during a reload is taken up right after it. */
  async reload(files: readonly string[]): Promise<void> {
    if (this.busy) {
      this.queued = [...(this.queued ?? []), ...files];
      return;
    }
    this.busy = true;
    try {
      let next: readonly string[] | undefined = files;
      while (next && !this.closed) {
        await this.swap(next);
        next = this.queued;
        this.queued = undefined;
      }
    } finally {
      this.busy = false;
    }
  }

  private async swap(files: readonly string[]): Promise<void> {
    const changed = files.length > 0 ? ` after a change to ${[...new Set(files)].join(', ')}` : '';
    const { file, execArgv } = childEntry();
    const child = fork(file, [JSON.stringify(this.config)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: [...process.execArgv, ...execArgv],
    });
    this.loading = child;
    const events = childEvents(child);
    const loaded = await events.next(LOAD_TIMEOUT_MS);
    if (loaded.kind !== 'loaded') {
      this.loading = undefined;
      await stopChild(child);
      this.reportFailure(loaded, changed);
      return;
    }
    if (this.closed) {
      this.loading = undefined;
      await stopChild(child);
      return;
    }
    // The version serving now lets the port and the store go; its task attempts end first.
    if (this.serving) {
      const old = this.serving;
      this.serving = undefined;
      old.stopping = true;
      await stopChild(old.child);
    }
    if (this.closed) {
      // Stopped (Ctrl-C) while the old version was stopping: close() has stopped this one too.
      await stopChild(child);
      return;
    }
    // The callback takes a send error (the child just died): its exit is the next event.
    child.send({ kind: 'serve' } satisfies ServeCommand, () => undefined);
    const started = await events.next(LOAD_TIMEOUT_MS);
    this.loading = undefined;
    if (this.closed) {
      await stopChild(child);
      return;
    }
    if (started.kind !== 'serving') {
      await stopChild(child);
      this.reportFailure(started, changed);
      return;
    }
    const version: Version = { child, url: started.url, stopping: false };
    this.serving = version;
    child.once('exit', (code) => {
      if (version.stopping || this.closed) return;
      if (this.serving === version) this.serving = undefined;
      this.io.err(`apskit dev: the served version exited (code ${String(code)}); save a file to start it again\n`);
    });
    // A reload listens where the first version did, also when that one picked a free port.
    this.config = { ...this.config, port: Number(new URL(started.url).port) };
    if (this.first) this.printBanner(started);
    else
      this.io.out(
        `apskit dev: reloaded${changed}: ${Object.keys(started.services).length} service(s) at ${started.url}\n`,
      );
    this.first = false;
  }

  private reportFailure(event: ChildEvent, changed: string): void {
    const what =
      event.kind === 'failed'
        ? event.message
        : event.kind === 'timeout'
          ? `the module did not load within ${LOAD_TIMEOUT_MS / 1000} s`
          : event.kind === 'exit'
            ? `the module's process exited (code ${String(event.code)}) before it served`
            : `unexpected message ${event.kind}`;
    // One write: a reader of the pipe (an editor, a test) sees the failure and what is served together.
    this.io.err(
      `apskit dev: ${displayPath(this.config.moduleFile)}${changed}: ${what}\n` +
        (this.serving
          ? `apskit dev: still serving the last good version at ${this.serving.url}; save a fix to reload\n`
          : 'apskit dev: nothing is served until the module loads; save a fix to try again\n'),
    );
  }

  private printBanner(s: Extract<ChildMessage, { kind: 'serving' }>): void {
    const { config } = this;
    const where = process.env.APSKIT_DATABASE_URL
      ? 'PostgreSQL (APSKIT_DATABASE_URL)'
      : `${displayPath(config.dataDir)}/apskit.sqlite`;
    const services = Object.entries(s.services);
    const lines = [
      `APSKit controller for APS application ${s.appName} at ${s.url}`,
      `  console:          ${s.consoleUrl}   (open it in a browser: resources and tasks, live)`,
      `  ${s.auth}`,
      `  application instance ${s.instanceId}, globals ${s.globalsId ?? '(none)'}`,
      `  data in ${where}; time scale ${s.timeScale}`,
      config.endpointUrl
        ? `  endpoint:         ${config.endpointUrl} (running elsewhere: only the controller and console are served here)`
        : `  endpoint:         in this process, the services of ${displayPath(config.moduleFile)}`,
      ...services.map(([name, id]) => `  service ${name}: ${id}`),
    ];
    const last = services[services.length - 1];
    if (last)
      lines.push(
        '',
        `  provision one (service ${last[0]}):`,
        `    curl -s -X POST ${s.url}/aps/2/resources -H 'Content-Type: application/json' -d '{"aps":{"type":"${last[1]}"}}'`,
      );
    lines.push(
      `  tasks:            curl -s ${s.url}/apskit/tasks`,
      `  resources:        curl -s ${s.url}/aps/2/resources`,
    );
    this.io.out(`${lines.join('\n')}\n`);
  }

  /** Stops the version loading and the one serving (gracefully: its task attempts end first). */
  async close(): Promise<void> {
    this.closed = true;
    const loading = this.loading;
    this.loading = undefined;
    const serving = this.serving;
    this.serving = undefined;
    if (serving) serving.stopping = true;
    await Promise.all([loading && stopChild(loading), serving && stopChild(serving.child)]);
  }
}

/** The child's messages and exit, one at a time, each wait bounded. */
function childEvents(child: ChildProcess): { next(timeoutMs: number): Promise<ChildEvent> } {
  const queue: ChildEvent[] = [];
  let waiter: ((e: ChildEvent) => void) | undefined;
  const push = (e: ChildEvent): void => {
    if (waiter) {
      const w = waiter;
      waiter = undefined;
      w(e);
    } else queue.push(e);
  };
  child.on('message', (m: ChildMessage) => push(m));
  child.once('exit', (code) => push({ kind: 'exit', code }));
  // A child that could not be started (or signalled) says so here; without a listener it would crash the command.
  child.on('error', (e) => push({ kind: 'failed', phase: 'load', message: e.message }));
  return {
    next: (timeoutMs) => {
      const ready = queue.shift();
      if (ready) return Promise.resolve(ready);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiter = undefined;
          resolve({ kind: 'timeout' });
        }, timeoutMs);
        waiter = (e) => {
          clearTimeout(timer);
          resolve(e);
        };
      });
    },
  };
}

/** SIGTERM, and SIGKILL if it has not exited within STOP_TIMEOUT_MS; resolves once it has exited. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
