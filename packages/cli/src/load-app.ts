/**
 * Finds the application a module exports (`export const app = defineApp({...})`), for the commands
 * that need the whole app and not only its types: `apskit package` and `apskit deploy`.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isApsApp, type ApsApp } from '@apskit/core';
import { CliError } from './cli-error';
import { loadModule } from './load-module';

export interface LoadedApp {
  /** The file that was loaded. */
  readonly file: string;
  /** The package folder: the nearest folder holding a package.json, where listed files are read from. */
  readonly root: string;
  readonly app: ApsApp;
}

export function loadApp(spec: string, cwd = process.cwd()): LoadedApp {
  const { file, exports } = loadModule(spec, cwd);
  const app = appOf(exports);
  if (!app) {
    throw new CliError(
      `No APS app found in ${file}: export one made with defineApp(), as in ` +
        '`export const app = defineApp({ id, name, version, release, ..., services })`',
    );
  }
  return { file, root: packageFolderOf(file), app };
}

function appOf(exports: unknown): ApsApp | undefined {
  if (isApsApp(exports)) return exports;
  if (typeof exports !== 'object' || exports === null) return undefined;
  const record = exports as Record<string, unknown>;
  // `app` is the documented name; any other export made by defineApp will do when it is the only one.
  if (isApsApp(record.app)) return record.app;
  const apps = [...new Set(Object.values(record).filter(isApsApp))];
  if (apps.length > 1) {
    const names = Object.entries(record)
      .filter(([, v]) => isApsApp(v))
      .map(([k]) => k);
    throw new CliError(`The module exports several apps (${names.join(', ')}): export the one to use as \`app\``);
  }
  return apps[0];
}

/** The nearest folder at or above the file's that holds a package.json; the file's own folder without one. */
export function packageFolderOf(file: string): string {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return dirname(file);
  }
}
