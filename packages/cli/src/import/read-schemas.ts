/**
 * Reads what `apskit import` is given: `.schema` files, `.schema.gen` files as `aps build` writes
 * them (JSON after `//` comment lines), JSON arrays of schemas as a controller's `/aps/2/types`
 * answers, and folders of such files. Every file is read before anything is judged, so that one run
 * reports every unreadable file at once; an unreadable file is left out, and the others are read.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { jsonPath, type ImportProblems, type SchemaLocation } from './problems';

export interface SourceSchema extends SchemaLocation {
  /** Where the schema is, for messages: `schemas/vps.schema`, or `types.json[2]` in an array. */
  readonly origin: string;
  /** The schema as parsed: a JSON object (its shape is judged by the planner). */
  readonly json: Readonly<Record<string, unknown>>;
}

export interface ReadSchemas {
  /** Every file the arguments name, as messages show them, with an argument that names nothing. */
  readonly files: readonly string[];
  /** The schemas of the files that could be read, in file order. */
  readonly schemas: readonly SourceSchema[];
}

/** What a folder holds that `import` reads; other files (a README, a package.json) are skipped. */
const SCHEMA_FILE = /\.(schema|schema\.gen|json)$/;

/**
 * Reads every schema the arguments name. Problems (an unreadable file, malformed JSON, JSON that is
 * no schema) are errors in `problems`, each at its file and JSON path; such a file (or array item)
 * is left out.
 */
export function readSchemas(inputs: readonly string[], problems: ImportProblems, cwd = process.cwd()): ReadSchemas {
  const schemas: SourceSchema[] = [];
  const files: string[] = [];
  for (const input of inputFiles(inputs, problems, cwd)) {
    const file = input.path === undefined ? input.argument : displayPath(input.path, cwd);
    files.push(file);
    if (input.path === undefined) continue;
    const at = { origin: file, file, jsonPath: '$' };
    let text: string;
    try {
      text = readFileSync(input.path, 'utf8');
    } catch (e) {
      problems.error(at, '', `cannot be read: ${(e as Error).message}`);
      continue;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(withoutComments(text));
    } catch (e) {
      const scanned = scan(withoutComments(text));
      problems.error(at, scanned.path, `malformed JSON: ${jsonErrorText(e as Error, text)}`);
      continue;
    }
    if (input.inFolder && file.endsWith('.json') && !mayBeSchemas(parsed)) {
      // A package.json or tsconfig.json of a tree of packages: not counted among the files.
      problems.warning(at, '', 'skipped: a .json file of the folder with no schema in it (no "apsVersion", no "id")');
      files.pop();
      continue;
    }
    if (Array.isArray(parsed)) {
      parsed.forEach((item: unknown, i) => {
        const place = { origin: `${file}[${i}]`, file, jsonPath: jsonPath('$', [i]) };
        if (isObject(item)) schemas.push({ ...place, json: item });
        else problems.error(place, '', `is not an APS schema: expected a JSON object, found ${jsonKind(item)}`);
      });
      if (parsed.length === 0) problems.error(at, '', 'is an empty array: there is no schema to import');
    } else if (isObject(parsed)) {
      schemas.push({ ...at, json: parsed });
    } else {
      problems.error(
        at,
        '',
        `is not an APS schema: expected a JSON object, or an array of them as /aps/2/types answers, found ${jsonKind(parsed)}`,
      );
    }
  }
  return { files, schemas };
}

/** A file to read (`path`), or an argument that names nothing (no `path`: its problem is reported). */
interface InputFile {
  readonly argument: string;
  readonly path?: string;
  /** Found in a folder, rather than named. */
  readonly inFolder?: boolean;
}

/** Whether JSON is, or holds, something like a schema: what is judged as one, and refused if it is none. */
function mayBeSchemas(json: unknown): boolean {
  const likeSchema = (v: unknown): boolean => isObject(v) && ('apsVersion' in v || 'id' in v);
  return Array.isArray(json) ? json.length === 0 || json.some(likeSchema) : likeSchema(json);
}

/** The files the arguments name, a folder's schema files (and its folders') in name order. */
function inputFiles(inputs: readonly string[], problems: ImportProblems, cwd: string): InputFile[] {
  const files: InputFile[] = [];
  const seen = new Set<string>();
  const add = (argument: string, path: string, inFolder: boolean): void => {
    // A file named twice (itself, and through its folder) is read once.
    if (!seen.has(path)) files.push({ argument, path, inFolder });
    seen.add(path);
  };
  for (const input of inputs) {
    const path = resolve(cwd, input);
    const at = { origin: input, file: input, jsonPath: '$' };
    if (!existsSync(path)) {
      problems.error(at, '', 'no such file or folder');
      files.push({ argument: input });
    } else if (statSync(path).isDirectory()) {
      const found = schemaFiles(path);
      if (found.length === 0) {
        problems.error(at, '', 'the folder has no .schema, .schema.gen or .json files');
        files.push({ argument: input });
      }
      for (const file of found) add(input, file, true);
    } else {
      add(input, path, false);
    }
  }
  return files;
}

/**
 * A folder's schema files, and those of its folders, in name order, a folder's files before its
 * folders'. An APS package keeps its `.schema` and `.schema.gen` files in its `schemas/` folder
 * (https://docs.cloudblue.com/cbc/sdk/7.4/concepts/project/develop/types), so a package, or a tree
 * of them, is imported by naming its folder. Hidden folders and `node_modules` hold no app's schemas.
 */
function schemaFiles(folder: string): string[] {
  const entries = readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  const files = entries.filter((e) => e.isFile() && SCHEMA_FILE.test(e.name)).map((e) => join(folder, e.name));
  const folders = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules');
  return [...files, ...folders.flatMap((e) => schemaFiles(join(folder, e.name)))];
}

/**
 * The JSON of a `.schema.gen` file: `aps build` puts `//` comment lines before it. A JSON string
 * cannot hold a line break, so a line that starts with `//` is always a comment; it is blanked, not
 * removed, so that positions in error messages stay true.
 */
function withoutComments(text: string): string {
  return text.replace(/^\uFEFF/, '').replace(/^[ \t]*\/\/.*$/gm, '');
}

/** JSON.parse's message, without the copy of the text V8 puts in it, and with a line and column. */
function jsonErrorText(error: Error, text: string): string {
  // Positions are in the text without comments, whose lines are the file's lines.
  const json = withoutComments(text);
  const positioned = /^(.*?) in JSON at position (\d+)/s.exec(error.message);
  const position = positioned ? Number(positioned[2]) : scan(json).offset;
  // V8 quotes the whole text in some messages: say what is where instead.
  const found = position < json.length ? JSON.stringify(json.charAt(position)) : 'the end of the text';
  const message = positioned ? (positioned[1] as string) : `Unexpected ${found}`;
  const before = json.slice(0, position).split('\n');
  return `${message} (line ${before.length}, column ${(before[before.length - 1] as string).length + 1})`;
}

/**
 * Where JSON text stops being JSON: the offset, for the messages V8 gives no position, and the JSON
 * path of the value being read there (`$.operations.resize.response`; after a member's value, that
 * member), so that a broken file is named like a refused schema.
 */
function scan(text: string): { offset: number; path: Array<string | number> } {
  const path: Array<string | number> = [];
  let i = 0;
  const space = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text.charAt(i))) i++;
  };
  const expect = (c: string): void => {
    if (text.charAt(i) !== c) throw i;
    i++;
  };
  const string = (): string => {
    const start = i;
    expect('"');
    while (text.charAt(i) !== '"') {
      if (i >= text.length || text.charCodeAt(i) < 0x20) throw i;
      i += text.charAt(i) === '\\' ? 2 : 1;
    }
    i++;
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      throw start; // a bad escape
    }
  };
  const value = (): void => {
    space();
    const c = text.charAt(i);
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      space();
      if (text.charAt(i) === close) {
        i++;
        return;
      }
      for (let index = 0; ; index++) {
        if (c === '{') {
          space();
          const key = string();
          path.push(key);
          space();
          expect(':');
        } else {
          path.push(index);
        }
        value();
        space();
        if (text.charAt(i) === close) {
          path.pop();
          i++;
          return;
        }
        expect(',');
        path.pop();
      }
    }
    if (c === '"') {
      string();
      return;
    }
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i));
    if (!literal) throw i;
    i += literal[0].length;
  };
  try {
    value();
    space();
    return { offset: i, path };
  } catch (at) {
    return { offset: typeof at === 'number' ? at : text.length, path };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function jsonKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `${typeof value === 'string' ? 'a string' : typeof value === 'number' ? 'a number' : 'a boolean'} (${JSON.stringify(value)})`;
}

/** Relative to the working folder when the file is below it, else as given. */
export function displayPath(path: string, cwd = process.cwd()): string {
  const rel = relative(cwd, path);
  return rel === '' || isAbsolute(rel) ? path : rel;
}
