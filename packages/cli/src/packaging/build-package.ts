/**
 * Builds an APS package from an app: APP-META.xml, one schema per service (the same text as
 * `apskit schema` prints), and the files the app lists, zipped as `<name>-<version>-<release>.app.zip`.
 * Everything is checked before the zip is made, so a broken package is never written.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import JSZip from 'jszip';
import { buildTypeModel, type ApsApp } from '@apskit/core';
import { CliError } from '../cli-error';
import { schemaText } from '../schema-text';
import { appMetaXml } from './app-meta';
import { APP_META, validatePackage } from './validate-package';

/** Where the builder writes the license when the app gives it as text. */
export const LICENSE_TEXT_FILE = 'LICENSE.txt';

export interface BuiltPackage {
  /** `<name>-<version>-<release>.app.zip`. */
  readonly fileName: string;
  /** Package path → content, in the zip's order. */
  readonly files: ReadonlyMap<string, Buffer>;
  readonly zip: Buffer;
}

export interface BuildOptions {
  /** The package folder, which listed files are relative to. */
  readonly root: string;
  /** The `packaged` timestamp and the zip entries' dates (fixed, for reproducible packages). */
  readonly packaged: Date;
}

/** The package's file name: the app name with anything but letters, digits, `.`, `_`, `-` as `-`. */
export function packageFileName(app: ApsApp): string {
  const name = app.name.trim().replace(/[^A-Za-z0-9._-]+/g, '-');
  return `${name}-${app.version}-${app.release}.app.zip`;
}

export async function buildPackage(app: ApsApp, options: BuildOptions): Promise<BuiltPackage> {
  // Declaration mistakes surface here as a DeclarationError naming each class and member.
  const model = buildTypeModel(Object.values(app.services));
  const files = new Map<string, Buffer>();
  const origin = new Map<string, string>();
  const add = (path: string, content: Buffer, what: string): void => {
    const earlier = origin.get(path);
    if (earlier !== undefined) throw new CliError(`Cannot build the package: "${path}" is both ${earlier} and ${what}`);
    files.set(path, content);
    origin.set(path, what);
  };

  const schemas = new Map<string, string>();
  for (const [service, cls] of Object.entries(app.services)) {
    const path = `schemas/${service}.schema`;
    schemas.set(service, path);
    add(path, Buffer.from(schemaText(model.get(cls))), `the schema of service "${service}"`);
  }

  const listed: Array<[path: string, field: string]> = [
    ...(app.icon !== undefined ? [[app.icon, 'icon'] as [string, string]] : []),
    ...(app.license?.file !== undefined ? [[app.license.file, 'license.file'] as [string, string]] : []),
    ...app.files.ui.map((p, i): [string, string] => [p, `files.ui[${i}]`]),
    ...app.files.i18n.map((p, i): [string, string] => [p, `files.i18n[${i}]`]),
  ];
  const missing = listed.filter(([path]) => !isFile(join(options.root, path)));
  if (missing.length > 0) {
    throw new CliError(
      `Cannot build the package of ${app.name}: ${missing.length === 1 ? 'a file' : 'files'} the app lists ` +
        `${missing.length === 1 ? 'is' : 'are'} missing from ${options.root}:\n` +
        missing.map(([path, field]) => `  - ${path} (${field})`).join('\n'),
    );
  }
  for (const [path, field] of listed) add(path, readFileSync(join(options.root, path)), field);

  let licenseFile = app.license?.file;
  if (app.license?.text !== undefined) {
    licenseFile = LICENSE_TEXT_FILE;
    add(LICENSE_TEXT_FILE, Buffer.from(`${app.license.text.trimEnd()}\n`), 'license.text');
  }

  const xml = appMetaXml(app, model, { schemas, licenseFile, packaged: options.packaged });
  // APP-META.xml first: it is what a reader of the zip looks for.
  const ordered = new Map<string, Buffer>([[APP_META, Buffer.from(xml)], ...files]);

  const problems = validatePackage(ordered, Object.keys(app.services));
  if (problems.length > 0) {
    throw new CliError(`The package of ${app.name} does not validate:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }

  const zip = new JSZip();
  for (const [path, content] of ordered) zip.file(path, content, { date: options.packaged, createFolders: false });
  const bytes = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', platform: 'UNIX' });
  return { fileName: packageFileName(app), files: ordered, zip: bytes };
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
