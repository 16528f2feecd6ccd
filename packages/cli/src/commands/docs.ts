import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toReferenceMarkdown } from '@apskit/core';
import { displayPath } from '../display-path';
import { selectTypes } from '../select-types';
import { renamedNote, typeFileNames } from '../type-file-names';
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
  const { model, selected } = selectTypes(moduleSpec, options.type);
  const out = options.out ?? DEFAULT_DOCS_FOLDER;
  mkdirSync(out, { recursive: true });
  const written: string[] = [];
  const files = typeFileNames(selected, '.md');
  for (const type of selected) {
    const file = files.get(type) as string;
    const path = join(out, file);
    writeFileSync(path, toReferenceMarkdown(type, { model }));
    io.out(`wrote ${displayPath(path)}${renamedNote(type, file, '.md')}\n`);
    written.push(path);
  }
  return written;
}
