/** Running the built `apskit` command, and prettier, in processes of their own, from the repository root. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../../../..');
const BIN = join(ROOT, 'packages/cli/bin/apskit.js');

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function apskit(...args: string[]): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A new folder under the repository's tmp/ (which git ignores): generated modules there resolve
 * @apskit/core as an app's would.
 */
export function tempFolder(prefix: string): string {
  mkdirSync(join(ROOT, 'tmp'), { recursive: true });
  return mkdtempSync(join(ROOT, 'tmp', prefix));
}

/**
 * prettier's own check with the repository's settings, in a process of its own (prettier loads ES
 * modules, which jest's module sandbox does not). `--ignore-path` leaves out .gitignore, which
 * ignores tmp/.
 */
export function prettierCheck(folder: string): Run {
  const bin = join(dirname(require.resolve('prettier')), 'bin/prettier.cjs');
  const args = [bin, '--check', '--log-level', 'warn', '--ignore-path', '.prettierignore', folder];
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A stream of pretty-printed JSON documents, as `apskit schema` prints several types. */
export function documents<T = Record<string, unknown>>(text: string): T[] {
  return text
    .split(/\n(?=\{)/)
    .filter((d) => d.trim() !== '')
    .map((d) => JSON.parse(d) as T);
}
