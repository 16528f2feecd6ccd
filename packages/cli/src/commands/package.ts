import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CliError } from '../cli-error';
import { displayPath } from '../display-path';
import { loadApp } from '../load-app';
import { buildPackage } from '../packaging/build-package';
import type { Output } from './schema';

export interface PackageOptions {
  out?: string;
}

/**
 * `apskit package <module> [--out <dir>]`: builds the app's importable APS package,
 * `<name>-<version>-<release>.app.zip`, into `--out` (default: the working folder) and lists what it
 * holds. Returns the path written.
 */
export async function packageCommand(moduleSpec: string, options: PackageOptions, io: Output): Promise<string> {
  const { app, root } = loadApp(moduleSpec);
  const built = await buildPackage(app, { root, packaged: packagedDate() });
  const dir = resolve(options.out ?? '.');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, built.fileName);
  writeFileSync(path, built.zip);
  io.out(`wrote ${displayPath(path)} (${built.zip.length} bytes)\n`);
  for (const [file, content] of built.files) io.out(`  ${file} (${content.length} bytes)\n`);
  return path;
}

/**
 * Now, or SOURCE_DATE_EPOCH (seconds) when it is set: the reproducible-builds convention, with which
 * the same declarations give the same package, byte for byte.
 */
function packagedDate(): Date {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  if (epoch === undefined || epoch === '') return new Date();
  if (!/^\d+$/.test(epoch)) throw new CliError(`SOURCE_DATE_EPOCH must be a number of seconds, not "${epoch}"`);
  return new Date(Number(epoch) * 1000);
}
