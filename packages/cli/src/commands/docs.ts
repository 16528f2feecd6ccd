import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildTypeModel, toReferenceMarkdown } from '@apskit/core';
import { CliError } from '../cli-error';
import { displayPath } from '../display-path';
import { loadModule } from '../load-module';
import type { Output } from './schema';

export interface DocsOptions {
  /** The folder to write into; default `docs/reference`. */
  out?: string;
  type?: string;
}

export const DEFAULT_DOCS_FOLDER = 'docs/reference';

/**
 * `apskit docs <module> [--out <dir>] [--type <name>]`: writes the reference page of each type the
 * module exports, `<name>.md`, into `--out`, and prints the paths written. The pages are made from
 * one model of all the types, so a page names the module's other types by their APS names.
 */
export function docsCommand(moduleSpec: string, options: DocsOptions, io: Output): string[] {
  const { file, types } = loadModule(moduleSpec);
  if (types.length === 0) throw new CliError(`No APS types found in ${file}: export classes declared with @ApsType()`);
  const model = buildTypeModel(types);
  let selected = model.types;
  if (options.type !== undefined) {
    const one = model.find(options.type);
    if (!one) {
      const names = model.types.map((t) => t.name).join(', ');
      throw new CliError(`No type "${options.type}" in ${file}; it has: ${names}`);
    }
    selected = [one];
  }
  const out = options.out ?? DEFAULT_DOCS_FOLDER;
  mkdirSync(out, { recursive: true });
  const written: string[] = [];
  for (const type of selected) {
    const path = join(out, `${type.name}.md`);
    writeFileSync(path, toReferenceMarkdown(type, { model }));
    io.out(`wrote ${displayPath(path)}\n`);
    written.push(path);
  }
  return written;
}
