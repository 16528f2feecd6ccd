import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CliError } from '../cli-error';
import { planImport, type ImportPlan } from '../import/plan-schemas';
import { ImportProblems, locate, problemLine, type ImportProblem } from '../import/problems';
import { displayPath, readSchemas, type SourceSchema } from '../import/read-schemas';
import { verifyImport } from '../import/verify';
import { TYPE_KEYS } from '../import/vocabulary';
import { writeModules } from '../import/write-typescript';
import type { Output } from './schema';

export interface ImportOptions {
  out: string;
  /** Replace files the output folder already has. */
  force?: boolean;
  /** All or nothing: any error, and nothing is written (warnings do not count). */
  strict?: boolean;
}

/**
 * `apskit import <schemas…> --out <dir>`: writes one TypeScript module of declarations per APS
 * type, and an `index.ts` exporting them, such that `apskit schema <dir>` emits the same schemas.
 *
 * Every file it can: a schema that cannot be imported (malformed JSON, something declarations
 * cannot say) is named on stderr with its file, JSON path and reason, one line each, and left out;
 * the others are written, and the command ends with exit code 1 and a summary. A type that names a
 * left-out type (a relation, `implements`, a property's type) keeps naming it by its type ID, as
 * it names a type of another app: it emits the same schema. With `strict`, any error writes nothing.
 * Everything is read, planned and checked before the first file is written.
 */
export function importCommand(inputs: readonly string[], options: ImportOptions, io: Output): void {
  const problems = new ImportProblems();
  const read = readSchemas(inputs, problems);
  const copies = new Map<SourceSchema, SourceSchema>();
  const plan = planImportable(withoutCopies(read.schemas, copies), problems);
  const written = new Set(plan.modules.map((m) => m.origin));
  for (const [copy, original] of copies) {
    if (written.has(original.origin)) problems.warning(copy, '', `the same schema as ${original.origin}: written once`);
    else problems.error(copy, '', `the same schema as ${original.origin}, which was not imported`);
  }
  const files = writeModules(plan.modules);

  for (const p of inFileOrder(problems.all, read.files)) io.err(`${problemLine(p)}\n`);
  const failed = new Set(problems.errors.map((p) => p.file));
  const total = read.files.length;
  const ofFiles = `${failed.size} of ${total} ${total === 1 ? 'file' : 'files'}`;
  if (options.strict === true && failed.size > 0) {
    throw new CliError(`nothing was written (--strict): ${ofFiles} failed`);
  }

  const out = resolve(options.out);
  if (plan.modules.length > 0) {
    const existing = files.filter((f) => existsSync(join(out, f.file))).map((f) => f.file);
    if (existing.length > 0 && options.force !== true) {
      throw new CliError(
        `${displayPath(out)} already has ${existing.join(', ')}: nothing was written; pass --force to replace them`,
      );
    }
    for (const note of plan.notes) io.err(`note: ${note}\n`);
    mkdirSync(out, { recursive: true });
    for (const f of files) {
      const path = join(out, f.file);
      writeFileSync(path, f.text);
      io.out(`wrote ${displayPath(path)}\n`);
    }
  }

  const imported = `imported ${total - failed.size} of ${total} ${total === 1 ? 'file' : 'files'}`;
  if (failed.size === 0) {
    io.out(`${imported}\n`);
    return;
  }
  const inPart = [...failed].filter((file) =>
    read.schemas.some((s) => locate(s).file === file && written.has((copies.get(s) ?? s).origin)),
  );
  const their = inPart.length === 1 ? 'its' : 'their';
  const part = inPart.length > 0 ? ` (${inPart.join(', ')} in part: ${their} other schemas were written)` : '';
  throw new CliError(`${imported}; ${failed.size} failed${part}`);
}

/**
 * The schemas, each once: a schema that is a copy of an earlier one, the same JSON with its keys in
 * the same order (a package's `schemas/` and the controller's `/aps/2/types` dump of the same app,
 * without the dump's `aps`), goes to `copies` (copy → original) and shares the original's fate; it
 * would otherwise clash with it.
 */
function withoutCopies(sources: readonly SourceSchema[], copies: Map<SourceSchema, SourceSchema>): SourceSchema[] {
  const first = new Map<string, SourceSchema>();
  return sources.filter((s) => {
    const { aps: _aps, ...declared } = s.json;
    const key = JSON.stringify(declared);
    const original = first.get(key);
    if (original !== undefined) copies.set(s, original);
    else first.set(key, s);
    return original === undefined;
  });
}

/**
 * The plan of every schema that can be imported: those a problem refuses are left out, and the rest
 * planned again without them (so that what names a left-out type names it by its type ID), until
 * nothing more is refused. The refused schemas' problems, and the warnings of the rest, go to
 * `problems`.
 */
function planImportable(sources: readonly SourceSchema[], problems: ImportProblems): ImportPlan {
  let kept = [...sources];
  for (;;) {
    const round = new ImportProblems();
    const plan = planRound(kept, round);
    const failing = kept.filter((s) => round.refuses(s));
    if (plan !== undefined && failing.length === 0) {
      for (const p of round.all) problems.add(p);
      warnOfLeftOut(kept, sources, problems);
      return plan;
    }
    // A schema refused for what it says goes first: a type that only clashes with it may then be imported.
    const ownFault = failing.filter((s) => round.of(s).some((p) => p.level === 'error' && !isClash(p)));
    const refused = ownFault.length > 0 ? ownFault : failing;
    for (const s of refused) for (const p of round.of(s)) problems.add(p);
    kept = kept.filter((s) => !refused.includes(s));
    if (kept.length === 0) return { modules: [], notes: [] };
  }
}

/** Two types that would have one name in the output: the later one is refused. */
function isClash(problem: ImportProblem): boolean {
  return problem.message.startsWith('name clash: ');
}

/**
 * A warning at each place an imported schema names a type that was left out (in a relation,
 * `implements` or a `type`): it is declared by its type ID, and becomes a class reference once both
 * are imported together.
 */
function warnOfLeftOut(kept: readonly SourceSchema[], all: readonly SourceSchema[], problems: ImportProblems): void {
  const leftOut = new Map<string, SourceSchema>();
  for (const s of all) if (!kept.includes(s) && typeof s.json.id === 'string') leftOut.set(s.json.id, s);
  // A type ID that a kept schema declares too (a clash) is imported: what names it names that one.
  for (const s of kept) if (typeof s.json.id === 'string') leftOut.delete(s.json.id);
  if (leftOut.size === 0) return;
  const walk = (source: SourceSchema, value: unknown, path: Array<string | number>, key?: string | number): void => {
    if (typeof value === 'string') {
      const target = leftOut.get(value);
      const names = key === 'type' || (typeof key === 'number' && path[path.length - 2] === 'implements');
      if (target && names) {
        problems.warning(
          source,
          path,
          `names the type ${value} of ${target.origin}, which was not imported: declared by its type ID ` +
            'until both are imported together',
        );
      }
    } else if (Array.isArray(value)) {
      value.forEach((v: unknown, i) => walk(source, v, [...path, i], i));
    } else if (typeof value === 'object' && value !== null) {
      for (const [k, v] of Object.entries(value)) walk(source, v, [...path, k], k);
    }
  };
  for (const s of kept) walk(s, s.json, []);
}

/**
 * Plans and verifies `sources`, each problem to the schema it is about.
 *
 * Adapter, until plan-schemas.ts and verify.ts report through `ImportProblems` (see
 * /work/notes/import-api.md): today they throw one CliError listing every problem as
 * `  - <origin>: <Type>.<path>: <reason>`, which is read back here, line by line.
 */
function planRound(sources: readonly SourceSchema[], round: ImportProblems): ImportPlan | undefined {
  const error = (s: SourceSchema, path: string, reason: string): void => round.error(s, path, reason);
  let plan: ImportPlan;
  try {
    plan = planImport(sources);
  } catch (e) {
    return refused(e, (line) => attribute(line, sources, true, error));
  }
  try {
    verifyImport(plan.modules);
  } catch (e) {
    // A declaration mistake names `Class.member`, which is no place in the schema.
    return refused(e, (line) => attribute(line, sources, false, error));
  }
  // The planner's warnings are notes `<origin>: <Type>.<path>: warning: <reason>`: problem lines too.
  const notes = plan.notes.filter(
    (note) =>
      !attribute(note, sources, true, (s, path, reason) => {
        if (!reason.startsWith('warning: ')) return false;
        round.warning(s, path, reason.slice('warning: '.length));
        return true;
      }),
  );
  return { ...plan, notes };
}

/** Records the problems a CliError lists (`  - <line>` each) through `take`; rethrows what it cannot. */
function refused(e: unknown, take: (line: string) => boolean): undefined {
  if (!(e instanceof CliError)) throw e;
  const lines = e.message
    .split('\n')
    .filter((line) => line.startsWith('  - '))
    .map((line) => line.slice(4));
  const taken = lines.map(take);
  // A problem of no schema would leave every schema importable, and the loop endless.
  if (lines.length === 0 || taken.some((ok) => !ok)) throw e;
  return undefined;
}

/**
 * Gives `line` (`<origin>: <Type>.<path>: <reason>`) to `record` with the schema it names (the last
 * one, for a name clash between two); whether it was taken. `schemaPaths`: `<Type>.<path>` is a
 * place in the schema (the planner's lines), else only when it starts with a section of a type.
 */
function attribute(
  line: string,
  sources: readonly SourceSchema[],
  schemaPaths: boolean,
  record: (source: SourceSchema, path: string, reason: string) => boolean | void,
): boolean {
  const named = sources.filter((s) => new RegExp(`(^|[ (])${escape(s.origin)}($|[:) ])`).test(line));
  const source = named[named.length - 1];
  if (source === undefined) return false;
  if (!line.startsWith(`${source.origin}: `)) return record(source, '', line) !== false;
  const rest = line.slice(source.origin.length + 2);
  const name = typeof source.json.name === 'string' ? source.json.name : undefined;
  const member = name === undefined ? null : new RegExp(`^${escape(name)}\\.([^:]+): (.*)$`, 's').exec(rest);
  const path = member?.[1] as string;
  if (member && (schemaPaths || TYPE_KEYS.includes(/^[^.[]*/.exec(path)?.[0] as string))) {
    return record(source, path, member[2] as string) !== false;
  }
  if (member) return record(source, '', rest) !== false;
  if (name !== undefined && rest.startsWith(`${name}: `))
    return record(source, '', rest.slice(name.length + 2)) !== false;
  return record(source, '', rest) !== false;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The problems file by file, in the order the files were read; in each file, as found. */
function inFileOrder(problems: readonly ImportProblem[], files: readonly string[]): ImportProblem[] {
  const index = (p: ImportProblem): number => {
    const i = files.indexOf(p.file);
    return i < 0 ? files.length : i;
  };
  return [...problems].sort((a, b) => index(a) - index(b));
}
