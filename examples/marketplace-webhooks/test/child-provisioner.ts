/**
 * Runs `src/main.ts --provisioner-only` in a child process, as a real deployment runs it: through
 * `npm start -w @apskit/example-marketplace-webhooks -- --provisioner-only` itself, or with node
 * directly (a script of the test's own). Its '@apskit/*' imports are the built packages: `npm run
 * build` first, as `npm test` does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = join(__dirname, '..');

export interface ChildProvisioner {
  readonly child: ChildProcess;
  /** Every line it printed so far. */
  readonly lines: string[];
  /** Its webhook URL, once it says it is serving. */
  readonly webhookUrl: Promise<string>;
  /** Its controller API, on 127.0.0.1. */
  readonly controllerUrl: Promise<string>;
  /** Resolves with the first line (printed so far or later) that `match` accepts. */
  line(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Its exit code, once it exits. */
  readonly exited: Promise<number | null>;
  stderr(): string;
}

/** What `npm start -w … -- --provisioner-only` runs, or a script run with node and ts-node. */
export type How = { readonly npm: true } | { readonly script: string };

export function startChild(env: Readonly<Record<string, string>>, how: How = { npm: true }): ChildProvisioner {
  const options = {
    stdio: ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'],
    // Its own process group, so that stopping it reaches the node process under npm too.
    detached: true,
    env: { ...process.env, TS_NODE_FILES: 'false', ...env },
  };
  const child =
    'npm' in how
      ? spawn('npm', ['start', '-w', '@apskit/example-marketplace-webhooks', '--', '--provisioner-only'], {
          ...options,
          cwd: join(ROOT, '../..'),
        })
      : spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', how.script, '--provisioner-only'], {
          ...options,
          cwd: ROOT,
          env: { ...options.env, TS_NODE_PROJECT: join(ROOT, '../../tsconfig.json') },
        });
  const lines: string[] = [];
  const waiters = new Set<(line: string) => void>();
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  createInterface({ input: child.stdout! }).on('line', (l) => {
    lines.push(l);
    for (const w of waiters) w(l);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const line = (match: (line: string) => boolean, timeoutMs = 20_000): Promise<string> => {
    const seen = lines.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`no line matched within ${timeoutMs} ms; printed:\n${lines.join('\n')}\n${err}`));
      }, timeoutMs);
      const waiter = (l: string): void => {
        if (!match(l)) return;
        clearTimeout(timer);
        waiters.delete(waiter);
        resolve(l);
      };
      waiters.add(waiter);
      void exited.then((code) => {
        if (!waiters.has(waiter)) return;
        clearTimeout(timer);
        waiters.delete(waiter);
        reject(
          new Error(`the provisioner exited (${code}) before printing the line; it said:\n${lines.join('\n')}\n${err}`),
        );
      });
    });
  };
  const field = (name: string): Promise<string> => {
    const value = line((l) => l.trimStart().startsWith(`${name}:`)).then((l) => l.slice(l.indexOf(':') + 1).trim());
    value.catch(() => undefined); // a child that is meant to fail never prints it: only an awaited one rejects
    return value;
  };
  return {
    child,
    lines,
    webhookUrl: field('webhooks'),
    controllerUrl: field('controller API and console'),
    line,
    exited,
    stderr: () => err,
  };
}

/** Sends `signal` to the child's process group (the one this test started). */
function signalGroup(p: ChildProvisioner, signal: NodeJS.Signals): void {
  try {
    process.kill(-(p.child.pid as number), signal);
  } catch {
    // already gone
  }
}

/** Kills the child with SIGKILL (a crash: no clean-up runs) and waits until it is gone. */
export async function crash(p: ChildProvisioner): Promise<void> {
  signalGroup(p, 'SIGKILL');
  await p.exited;
}

/** Stops the child if it still runs. */
export async function stop(p: ChildProvisioner | undefined): Promise<void> {
  if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
  signalGroup(p, 'SIGTERM');
  await p.exited;
}
