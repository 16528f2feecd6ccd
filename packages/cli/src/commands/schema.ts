import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { displayPath } from '../display-path';
import { schemaText } from '../schema-text';
import { selectTypes } from '../select-types';
import { renamedNote, typeFileNames } from '../type-file-names';

export interface SchemaOptions {
  type?: string;
  out?: string;
}

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

/**
 * `apskit schema <module> [--type <name>] [--out <dir>]`: prints the APS schema of each type the
 * module exports (one JSON document after another, as jq reads them), or of the one `--type`
 * names, or writes `<name>.schema` files into `--out` (`<name>-2.schema`… for a name that several
 * types have: see typeFileNames).
 */
export function schemaCommand(moduleSpec: string, options: SchemaOptions, io: Output): void {
  const { selected } = selectTypes(moduleSpec, options.type);
  if (options.out === undefined) {
    io.out(selected.map(schemaText).join(''));
    return;
  }
  mkdirSync(options.out, { recursive: true });
  const files = typeFileNames(selected, '.schema');
  for (const type of selected) {
    const file = files.get(type) as string;
    const path = join(options.out, file);
    writeFileSync(path, schemaText(type));
    io.out(`wrote ${displayPath(path)}${renamedNote(type, file, '.schema')}\n`);
  }
}
