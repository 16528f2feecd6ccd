/**
 * Docs readers copy samples, so samples must compile. This extracts every TypeScript block of the
 * docs (a fence whose info string is `ts` or `typescript`) and type-checks it with the project's
 * compiler options:
 *
 * - a plain `ts` block is a whole module;
 * - a `ts fragment` block is a snippet that uses names the page introduced before: it is compiled
 *   after the page's prelude (an HTML comment `<!-- doc-samples prelude … -->`, invisible to
 *   readers), inside an async function, so that top-level `await` and statements read as written;
 * - a `ts excerpt` block is part of an expression (an option's value, say) and is not compiled.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

export interface Sample {
  /** The Markdown file, relative to the repository. */
  readonly doc: string;
  /** The line of the opening fence. */
  readonly line: number;
  readonly code: string;
  /** For a fragment: how many lines of prelude and wrapping come before its own. */
  readonly offset?: number;
}

export interface SampleProblem {
  readonly doc: string;
  /** The line in the Markdown file. */
  readonly line: number;
  readonly message: string;
}

const FENCE = /^```(\S*)(.*)$/;

const PRELUDE = /<!-- doc-samples prelude\n([\s\S]*?)-->/g;

/**
 * A fragment as a module: the page's prelude, the fragment's imports, and the rest of it inside an
 * async function. The returned offset is the line of the module where the fragment's second line is.
 */
function fragmentModule(prelude: string, body: string[]): { code: string; offset: number } {
  const imports = body.filter((l) => /^import\s/.test(l));
  const rest = body.map((l) => (/^import\s/.test(l) ? '' : l.replace(/^export /, '')));
  const head = `${prelude}\n${imports.join('\n')}\nexport async function sample(): Promise<void> {`;
  return { code: `${head}\n${rest.join('\n')}\n}\n`, offset: head.split('\n').length };
}

/** The TypeScript samples of one Markdown text. */
export function samplesOf(doc: string, markdown: string): { samples: Sample[]; fragments: number; excerpts: number } {
  const samples: Sample[] = [];
  let fragments = 0;
  let excerpts = 0;
  const prelude = [...markdown.matchAll(PRELUDE)].map((m) => m[1]).join('\n');
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]);
    if (!open || open[1] === '') continue;
    const end = lines.findIndex((l, j) => j > i && l.startsWith('```'));
    if (end < 0) break;
    const lang = open[1].toLowerCase();
    const body = lines.slice(i + 1, end);
    if (lang === 'ts' || lang === 'typescript') {
      if (/\bexcerpt\b/.test(open[2])) excerpts++;
      else if (/\bfragment\b/.test(open[2])) {
        fragments++;
        const { code, offset } = fragmentModule(prelude, body);
        samples.push({ doc, line: i + 1, code, offset });
      } else samples.push({ doc, line: i + 1, code: body.join('\n') });
    }
    i = end;
  }
  return { samples, fragments, excerpts };
}

/** Every Markdown file of the docs (generated pages aside), and the README. */
export function docFiles(root: string): string[] {
  const out = [join(root, 'README.md')];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (name !== 'reference' && name !== 'api' && name !== 'test') walk(path);
      } else if (name.endsWith('.md')) out.push(path);
    }
  };
  walk(join(root, 'docs'));
  return out.sort();
}

/**
 * Type-checks samples as modules of their own, in a scratch folder inside the repository (so that
 * `@apskit/*` imports resolve as the tsconfig maps them), and says what does not compile, by doc line.
 */
export function checkSamples(
  root: string,
  samples: readonly Sample[],
  scratch = join(root, '.doc-samples'),
): SampleProblem[] {
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  const files = new Map<string, Sample>();
  samples.forEach((s, i) => {
    const file = join(scratch, `${s.doc.replace(/[^A-Za-z0-9]+/g, '_')}_${s.line}_${i}.ts`);
    // `export {}` makes every sample a module, so that samples do not see each other's names.
    writeFileSync(file, `${s.code}\nexport {};\n`);
    files.set(file, s);
  });
  const config = ts.getParsedCommandLineOfConfigFile(
    join(root, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!config) throw new Error('Cannot read tsconfig.json');
  const program = ts.createProgram([...files.keys()], { ...config.options, noEmit: true, noUnusedLocals: false });
  const problems: SampleProblem[] = [];
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const sample = d.file ? files.get(d.file.fileName) : undefined;
    if (!d.file || !sample) continue;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
    // A problem in a fragment's prelude is reported at the fragment (line 0 of it): that is where it shows.
    const own = line - (sample.offset ?? 0);
    problems.push({
      doc: sample.doc,
      line: sample.line + 1 + Math.max(own, -1),
      message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
    });
  }
  return problems;
}

/** All samples of the repository's docs. */
export function allSamples(root: string): { samples: Sample[]; fragments: number; excerpts: number } {
  const samples: Sample[] = [];
  let fragments = 0;
  let excerpts = 0;
  for (const file of docFiles(root)) {
    const found = samplesOf(relative(root, file), readFileSync(file, 'utf8'));
    samples.push(...found.samples);
    fragments += found.fragments;
    excerpts += found.excerpts;
  }
  return { samples, fragments, excerpts };
}
