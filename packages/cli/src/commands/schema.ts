import { mkdirSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { buildTypeModel, toApsSchema, type ApsTypeModel } from '@apskit/core';
import { CliError } from '../cli-error';
import { loadModule } from '../load-module';

export interface SchemaOptions {
  type?: string;
  out?: string;
}

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

/** The text of a `.schema` file: the schema as APS publishes it, with a final newline. */
export function schemaText(type: ApsTypeModel): string {
  return `${JSON.stringify(toApsSchema(type), null, 2)}\n`;
}

/**
 * `apskit schema <module> [--type <name>] [--out <dir>]`: prints the APS schema of each type the
 * module exports (one JSON document after another, as jq reads them), or of the one `--type`
 * names, or writes `<name>.schema` files into `--out`.
 */
export function schemaCommand(moduleSpec: string, options: SchemaOptions, io: Output): void {
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
  if (options.out === undefined) {
    io.out(selected.map(schemaText).join(''));
    return;
  }
  mkdirSync(options.out, { recursive: true });
  for (const type of selected) {
    const path = join(options.out, `${type.name}.schema`);
    writeFileSync(path, schemaText(type));
    io.out(`wrote ${displayPath(path)}\n`);
  }
}

/** Relative to the working folder when the file is below it, absolute otherwise. */
function displayPath(path: string): string {
  const rel = relative(process.cwd(), resolve(path));
  return rel.startsWith('..') || isAbsolute(rel) ? resolve(path) : rel;
}
