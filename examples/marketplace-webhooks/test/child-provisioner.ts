/**
 * Runs `src/main.ts --provisioner-only` (what `npm start -- --provisioner-only` runs) in a child
 * process, as a real deployment runs it. Its '@apskit/*' imports are the built packages: `npm run
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

export function startChild(
  env: Readonly<Record<string, string>>,
  script = 'src/main.ts',
  args: readonly string[] = ['--provisioner-only'],
): ChildProvisioner {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', script, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      TS_NODE_PROJECT: join(ROOT, '../../tsconfig.json'),
      TS_NODE_FILES: 'false',
      ...env,
    },
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

/** Kills the child with SIGKILL (a crash: no clean-up runs) and waits until it is gone. */
export async function crash(p: ChildProvisioner): Promise<void> {
  p.child.kill('SIGKILL');
  await p.exited;
}

/** Stops the child if it still runs. */
export async function stop(p: ChildProvisioner | undefined): Promise<void> {
  if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  await p.exited;
}
