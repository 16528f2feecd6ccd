/**
 * The published corpus (fixtures/published: real APS 2 schemas from public packages, SOURCES.md says
 * whence) through `apskit import` then `apskit schema`, as users run them and as
 * import-roundtrip.test.ts drives them: the built command, in processes of its own. Each re-emitted
 * schema is compared with its source, deep-equal with key order (the source is a file: its order is
 * what its author published).
 *
 * A library for import-published.test.ts, and a script that prints the report (and writes it to a
 * file when given a path): `npx ts-node -T packages/cli/test/helpers/published-corpus.ts [report.txt]`.
 * It runs the compiled CLI, so build first (`npx tsc -b tsconfig.build.json`).
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { apskit, documents, ROOT, tempFolder, type Run } from './cli';

export const PUBLISHED = 'packages/cli/test/fixtures/published';

/** What `apskit import` reads in a folder. */
const SCHEMA_FILE = /\.(schema|schema\.gen|json)$/;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = { [key: string]: Json };

export interface CorpusSchema {
  /** The file, relative to the repository root. */
  readonly file: string;
  /** Its index in a file that holds an array of schemas (a controller's type dump), else undefined. */
  readonly index?: number;
  /** The schema as published, the controller's `aps` object aside. */
  readonly schema: Schema;
}

export interface Failure {
  readonly file: string;
  readonly index?: number;
  /** Where the emitted schema first differs from the source (a JSON path), or `import` / `schema`. */
  readonly at: string;
  readonly reason: string;
}

export interface CorpusReport {
  readonly schemas: number;
  readonly files: number;
  readonly failures: readonly Failure[];
  /** Files whose every schema came back equal. */
  readonly passedFiles: number;
}

/** Every schema file of the corpus, relative to the repository root, sorted. */
export function corpusFiles(root = join(ROOT, PUBLISHED)): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const path = join(dir, e.name);
      if (e.isDirectory()) return walk(path);
      return SCHEMA_FILE.test(e.name) ? [relative(ROOT, path)] : [];
    });
  return walk(root).sort();
}

/** The schemas of a file as a reader sees them: `//` lines are comments, an array holds several. */
export function readCorpusFile(file: string): CorpusSchema[] {
  const text = readFileSync(join(ROOT, file), 'utf8').replace(/^\s*\/\/.*$/gm, '');
  const parsed = JSON.parse(text) as Schema | Schema[];
  if (!Array.isArray(parsed)) return [{ file, schema: parsed }];
  return parsed.map((item, index) => {
    const { aps: _aps, ...declared } = item;
    return { file, index, schema: declared };
  });
}

/**
 * The first place where `actual` differs from `expected`, as a JSON path with the reason, or
 * undefined when they are equal with their keys in the same order.
 */
export function firstDifference(
  expected: Json | undefined,
  actual: Json | undefined,
  at = '$',
): { at: string; reason: string } | undefined {
  return difference(expected, actual, at);
}

function difference(
  expected: Json | undefined,
  actual: Json | undefined,
  at: string,
): { at: string; reason: string } | undefined {
  const kind = (v: Json | undefined): string =>
    v === undefined ? 'nothing' : v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
  if (kind(expected) !== kind(actual)) {
    return { at, reason: `expected ${show(expected)}, found ${show(actual)}` };
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    for (let i = 0; i < Math.max(expected.length, actual.length); i += 1) {
      const d = difference(expected[i], actual[i], `${at}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (expected !== null && typeof expected === 'object' && actual !== null && typeof actual === 'object') {
    const e = expected as Schema;
    const a = actual as Schema;
    const missing = Object.keys(e).find((k) => !(k in a));
    if (missing !== undefined)
      return { at: member(at, missing), reason: `expected ${show(e[missing])}, found nothing` };
    const extra = Object.keys(a).find((k) => !(k in e));
    if (extra !== undefined) return { at: member(at, extra), reason: `expected nothing, found ${show(a[extra])}` };
    for (const key of Object.keys(e)) {
      const d = difference(e[key], a[key], member(at, key));
      if (d) return d;
    }
    const ek = Object.keys(e);
    const ak = Object.keys(a);
    const i = ek.findIndex((k, n) => ak[n] !== k);
    if (i >= 0) return { at, reason: `keys in another order: expected ${ek.join(', ')}; found ${ak.join(', ')}` };
    return undefined;
  }
  return expected === actual ? undefined : { at, reason: `expected ${show(expected)}, found ${show(actual)}` };
}

function member(at: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${at}.${key}` : `${at}[${JSON.stringify(key)}]`;
}

function show(v: Json | undefined): string {
  if (v === undefined) return 'nothing';
  const text = JSON.stringify(v);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * Imports `files` into a new folder with `apskit import`, emits them again with `apskit schema`, and
 * compares. `import` names each schema it refuses (`<file>: <JSON path>: error: <reason>`) and writes
 * the others; those are compared. A batch holds one package's files (their type IDs are distinct, as a
 * package's are); when `schema` fails for a batch, each of its files is tried alone, so that a
 * failure names its file.
 */
function roundTripBatch(files: readonly string[]): Failure[] {
  const sources = files.flatMap(readCorpusFile);
  const out = tempFolder('published-');
  try {
    const imported = apskit('import', ...files, '--out', out);
    const refused = refusals(imported.stderr);
    const wrote = readdirSync(out).some((f) => f.endsWith('.ts'));
    const emitted: Run | undefined = wrote ? apskit('schema', out) : undefined;
    if (emitted !== undefined && emitted.code !== 0 && files.length > 1) {
      return files.flatMap((f) => roundTripBatch([f]));
    }
    // Type IDs tell apart the schemas of a controller's dump that share a name (two apps' `tenant`).
    const again = emitted?.code === 0 ? documents<Schema>(emitted.stdout) : [];
    const byId = new Map(again.map((d) => [String(d.id), d]));
    return sources.flatMap((s): Failure[] => {
      const where = s.index === undefined ? s.file : `${s.file}[${s.index}]`;
      const problem = refused.find((r) => r.file === s.file && (s.index === undefined || r.index === s.index));
      if (problem) return [{ file: s.file, index: s.index, at: problem.at, reason: `import: ${problem.reason}` }];
      if (emitted === undefined || emitted.code !== 0) {
        const failed = emitted ?? imported;
        return [{ file: s.file, index: s.index, at: emitted ? 'schema' : 'import', reason: firstLines(failed.stderr) }];
      }
      const back = byId.get(String(s.schema.id));
      if (back === undefined) return [{ file: s.file, index: s.index, at: '$', reason: `${where} was not emitted` }];
      const d = firstDifference(s.schema, back);
      return d === undefined ? [] : [{ file: s.file, index: s.index, ...d }];
    });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** The schemas `import` refused, from its `<file>: <JSON path>: error: <reason>` lines. */
function refusals(stderr: string): Array<{ file: string; index?: number; at: string; reason: string }> {
  return stderr.split('\n').flatMap((line) => {
    const m = /^(.+?): (\$\S*): error: (.*)$/.exec(line);
    if (!m) return [];
    const [, file, at, reason] = m as unknown as [string, string, string, string];
    const item = /^\$\[(\d+)\]/.exec(at);
    return [{ file, index: item ? Number(item[1]) : undefined, at, reason }];
  });
}

/** The first lines of what the command said, its file names shortened to the corpus's. */
function firstLines(text: string, lines = 6): string {
  const all = text.trim().split(`${PUBLISHED}/`).join('').split('\n');
  return all.length <= lines
    ? all.join(' | ')
    : `${all.slice(0, lines).join(' | ')} | … (${all.length - lines} more lines)`;
}

/** Round-trips the whole corpus, package by package (the files of one folder). */
export function roundTripCorpus(files = corpusFiles()): CorpusReport {
  const byFolder = new Map<string, string[]>();
  for (const f of files) byFolder.set(dirname(f), [...(byFolder.get(dirname(f)) ?? []), f]);
  const failures = [...byFolder.values()].flatMap(batchOfDistinctIds).flatMap(roundTripBatch);
  const schemas = files.flatMap(readCorpusFile).length;
  const failedFiles = new Set(failures.map((f) => f.file));
  return { schemas, files: files.length, failures, passedFiles: files.length - failedFiles.size };
}

/**
 * A folder's files in batches whose type IDs are distinct: an import takes one type of an ID (APS
 * tells types by it), and a folder holds versions of a package whose types keep their IDs.
 */
function batchOfDistinctIds(files: readonly string[]): string[][] {
  const batches: Array<{ ids: Set<string>; files: string[] }> = [];
  for (const file of files) {
    const ids = readCorpusFile(file).map((s) => String(s.schema.id));
    const batch = batches.find((b) => ids.every((n) => !b.ids.has(n)));
    if (batch) {
      ids.forEach((n) => batch.ids.add(n));
      batch.files.push(file);
    } else batches.push({ ids: new Set(ids), files: [file] });
  }
  return batches.map((b) => b.files);
}

/** The report as the note shows it: "N of M round-trip", then each failure with its file and JSON path. */
export function reportText(report: CorpusReport): string {
  const lines = [
    `${report.passedFiles} of ${report.files} files round-trip (${report.schemas - report.failures.length} of ${report.schemas} schemas)`,
  ];
  const kinds = new Map<string, number>();
  for (const f of report.failures) kinds.set(kindOf(f), (kinds.get(kindOf(f)) ?? 0) + 1);
  if (kinds.size > 0) lines.push('', 'by kind (schemas, the first difference of each):');
  for (const [kind, n] of [...kinds].sort((a, b) => b[1] - a[1])) lines.push(`${String(n).padStart(4)}  ${kind}`);
  if (kinds.size > 0) lines.push('', 'each:');
  for (const f of report.failures) {
    const file = relative(PUBLISHED, f.file) + (f.index === undefined ? '' : `[${f.index}]`);
    lines.push(`${file}: ${f.at}: ${f.reason.split(`${PUBLISHED}/`).join('')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A failure with its names and values left out: `$.relations.*: keys in another order: …`. */
function kindOf(f: Failure): string {
  const at = f.at.replace(/\["[^"]*"\]|\.[^.[\]]+/g, (m, offset: number) =>
    offset === 0 || /^\.(relations|properties|operations|structures|parameters|response|items)$/.test(m) ? m : '.*',
  );
  const reason = f.reason
    .split(`${PUBLISHED}/`)
    .join('')
    .replace(/"[^"]*"/g, '"…"')
    .replace(/\S+\.schema(\.gen)?|\S+\.json(\[\d+\])?/g, '<file>')
    .replace(/\$\S*/g, '<path>');
  return `${at.replace(/\[\d+\]/g, '[*]')}: ${reason.length > 140 ? `${reason.slice(0, 137)}...` : reason}`;
}

if (require.main === module) {
  const started = Date.now();
  const text = reportText(roundTripCorpus());
  const stamped = `${text}(${new Date().toISOString()}, ${Math.round((Date.now() - started) / 1000)} s)\n`;
  process.stdout.write(stamped);
  const to = process.argv[2];
  const again = `again: npx tsc -b tsconfig.build.json && npx ts-node -T ${relative(ROOT, __filename)} ${to ?? ''}`;
  if (to !== undefined) writeFileSync(to, `${stamped}${again.trim()}\n`);
}
