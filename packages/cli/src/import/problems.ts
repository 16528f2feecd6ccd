/**
 * What `apskit import` has to say about its input, one problem each: the file, the JSON path of the
 * place in it (`$.operations.resize.response.items`, or `$[2].relations.disk` in a JSON array of
 * schemas), the reason, and whether the schema is refused (`error`) or imported exactly but worth a
 * look (`warning`). An error fails the schema it is in, and only that schema: the others are written.
 */

export type ProblemLevel = 'error' | 'warning';

export interface ImportProblem {
  /** The file as `import` shows it (relative to the working folder), or the argument naming it. */
  readonly file: string;
  /** From the file's root: `$` (the whole file), `$.relations.disk.type`, `$[2].operations.resize`. */
  readonly jsonPath: string;
  readonly message: string;
  readonly level: ProblemLevel;
}

/**
 * Where one schema is: its file, and the JSON path of the schema in the file (`$`, or `$[2]` for the
 * third schema of a `/aps/2/types` answer). `SourceSchema` is one. Without `file` the schema's
 * `origin` is its file, and without `jsonPath` it is the whole file (`$`), as for schemas a test
 * makes in memory.
 */
export interface SchemaLocation {
  /** How messages name the schema: `schemas/vps.schema`, `types.json[2]`. */
  readonly origin: string;
  readonly file?: string;
  readonly jsonPath?: string;
}

/** The file and JSON path of a schema. */
export function locate(at: SchemaLocation): { readonly file: string; readonly jsonPath: string } {
  return { file: at.file ?? at.origin, jsonPath: at.jsonPath ?? '$' };
}

/**
 * A place below a schema: a dotted path as the planner writes it (`operations.resize.response`,
 * `implements[0]`), or the keys one by one (for a key that has a dot or bracket in it). `''` or `[]`
 * is the schema itself.
 */
export type PlacePath = string | readonly (string | number)[];

/** The problems of one import, in the order found. */
export class ImportProblems {
  private readonly list: ImportProblem[] = [];

  /** Refuses the schema at `at`: nothing is written for it. */
  error(at: SchemaLocation, path: PlacePath, message: string): void {
    const { file, jsonPath: base } = locate(at);
    this.add({ file, jsonPath: jsonPath(base, path), message, level: 'error' });
  }

  /** The schema is imported (and emitted back as it is), but says something unusual. */
  warning(at: SchemaLocation, path: PlacePath, message: string): void {
    const { file, jsonPath: base } = locate(at);
    this.add({ file, jsonPath: jsonPath(base, path), message, level: 'warning' });
  }

  add(problem: ImportProblem): void {
    this.list.push(problem);
  }

  get all(): readonly ImportProblem[] {
    return this.list;
  }

  get errors(): readonly ImportProblem[] {
    return this.list.filter((p) => p.level === 'error');
  }

  /** The problems of the schema at `at` (anything below it, in its file). */
  of(at: SchemaLocation): readonly ImportProblem[] {
    const { file, jsonPath: base } = locate(at);
    return this.list.filter((p) => p.file === file && isWithin(p.jsonPath, base));
  }

  /** Whether the schema at `at` is refused: an error at it or below it. */
  refuses(at: SchemaLocation): boolean {
    return this.of(at).some((p) => p.level === 'error');
  }
}

/** `base` followed by `path`: `jsonPath('$[2]', 'operations.resize')` is `$[2].operations.resize`. */
export function jsonPath(base: string, path: PlacePath = []): string {
  const keys = typeof path === 'string' ? dottedKeys(path) : path;
  return base + keys.map(pathStep).join('');
}

/** `implements[0]` is `['implements', 0]`, `relations.disk.type` is `['relations', 'disk', 'type']`. */
function dottedKeys(path: string): Array<string | number> {
  return [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : (m[1] as string)));
}

/** `.name` for a key that is a name, `["odd key"]` for one that is not, `[2]` for an index. */
function pathStep(key: string | number): string {
  if (typeof key === 'number') return `[${key}]`;
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** Whether `path` is `base` or below it (`$[2].x` is within `$[2]`, `$[20]` is not). */
function isWithin(path: string, base: string): boolean {
  return path === base || (path.startsWith(base) && /^[.[]/.test(path.slice(base.length)));
}

/** One line of stderr: `schemas/vps.schema: $.operations.resize.response.items: error: …`. */
export function problemLine(problem: ImportProblem): string {
  // One line each, whatever the reason holds: a script reads the lines one by one.
  const message = problem.message.replace(/\s*\n\s*/g, ' ');
  return `${problem.file}: ${problem.jsonPath}: ${problem.level}: ${message}`;
}
