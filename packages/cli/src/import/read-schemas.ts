/**
 * Reads what `apskit import` is given: `.schema` files, `.schema.gen` files as `aps build` writes
 * them (JSON after `//` comment lines), JSON arrays of schemas as a controller's `/aps/2/types`
 * answers, and folders of such files. Every file is read before anything is judged, so that one run
 * reports every unreadable file at once.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';

export interface SourceSchema {
  /** Where the schema is, for messages: `schemas/vps.schema`, or `types.json[2]` in an array. */
  readonly origin: string;
  /** The schema as parsed: a JSON object (its shape is judged by the planner). */
  readonly json: Readonly<Record<string, unknown>>;
}

/** What a folder holds that `import` reads; other files (a README, a package.json) are skipped. */
const SCHEMA_FILE = /\.(schema|schema\.gen|json)$/;

/**
 * Reads every schema the arguments name. Problems (an unreadable file, malformed JSON, JSON that is
 * no schema) are added to `problems`, one line each, and the file is left out.
 */
export function readSchemas(inputs: readonly string[], problems: string[], cwd = process.cwd()): SourceSchema[] {
  const schemas: SourceSchema[] = [];
  for (const file of inputFiles(inputs, problems, cwd)) {
    const origin = displayPath(file, cwd);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      problems.push(`${origin}: cannot be read: ${(e as Error).message}`);
      continue;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(withoutComments(text));
    } catch (e) {
      problems.push(`${origin}: malformed JSON: ${jsonErrorText(e as Error, text)}`);
      continue;
    }
    if (Array.isArray(parsed)) {
      parsed.forEach((item: unknown, i) => {
        if (isObject(item)) schemas.push({ origin: `${origin}[${i}]`, json: item });
        else problems.push(`${origin}[${i}]: is not an APS schema: expected a JSON object, found ${jsonKind(item)}`);
      });
      if (parsed.length === 0) problems.push(`${origin}: is an empty array: there is no schema to import`);
    } else if (isObject(parsed)) {
      schemas.push({ origin, json: parsed });
    } else {
      problems.push(
        `${origin}: is not an APS schema: expected a JSON object, or an array of them as /aps/2/types answers, found ${jsonKind(parsed)}`,
      );
    }
  }
  return schemas;
}

/** The files the arguments name, a folder's schema files in name order. */
function inputFiles(inputs: readonly string[], problems: string[], cwd: string): string[] {
  const files: string[] = [];
  for (const input of inputs) {
    const path = resolve(cwd, input);
    if (!existsSync(path)) {
      problems.push(`${input}: no such file or folder`);
    } else if (statSync(path).isDirectory()) {
      const found = readdirSync(path)
        .filter((name) => SCHEMA_FILE.test(name) && statSync(join(path, name)).isFile())
        .sort()
        .map((name) => join(path, name));
      if (found.length === 0) problems.push(`${input}: the folder has no .schema, .schema.gen or .json files`);
      files.push(...found);
    } else {
      files.push(path);
    }
  }
  // A file named twice (itself, and through its folder) is read once.
  return [...new Set(files)];
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
  const position = positioned ? Number(positioned[2]) : errorOffset(json);
  // V8 quotes the whole text in some messages: say what is where instead.
  const found = position < json.length ? JSON.stringify(json.charAt(position)) : 'the end of the text';
  const message = positioned ? (positioned[1] as string) : `Unexpected ${found}`;
  const before = json.slice(0, position).split('\n');
  return `${message} (line ${before.length}, column ${(before[before.length - 1] as string).length + 1})`;
}

/** Where JSON text stops being JSON, for the messages that V8 gives no position. */
function errorOffset(text: string): number {
  let i = 0;
  const space = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text.charAt(i))) i++;
  };
  const expect = (c: string): void => {
    if (text.charAt(i) !== c) throw i;
    i++;
  };
  const string = (): void => {
    expect('"');
    while (text.charAt(i) !== '"') {
      if (i >= text.length || text.charCodeAt(i) < 0x20) throw i;
      i += text.charAt(i) === '\\' ? 2 : 1;
    }
    i++;
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
      for (;;) {
        if (c === '{') {
          space();
          string();
          space();
          expect(':');
        }
        value();
        space();
        if (text.charAt(i) === close) {
          i++;
          return;
        }
        expect(',');
      }
    }
    if (c === '"') return string();
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i));
    if (!literal) throw i;
    i += literal[0].length;
  };
  try {
    value();
    space();
    return i;
  } catch (at) {
    return typeof at === 'number' ? at : text.length;
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
