/**
 * `apskit init <dir>`: a new APSKit project from the templates in packages/cli/templates/init: a
 * package.json depending on the @apskit packages at this CLI's version (`npm run dev` runs
 * `apskit dev`, `npm test` type-checks and runs node's test runner), a strict tsconfig with the
 * decorator options APSKit needs, one type provisioned asynchronously, a test that provisions it
 * through the embedded controller, a README and a .gitignore.
 *
 * A folder that already has files is refused (nothing written) unless `--force`: then files of the
 * same names are replaced and the others left alone.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { CliError } from '../cli-error';
import { displayPath } from '../display-path';
import type { Output } from './schema';

export interface InitOptions {
  /** Write into a folder that already has files, replacing those the project has too. */
  force?: boolean;
  /** The npm package name; default: the folder's name, made a valid one. */
  name?: string;
}

/** Where the templates are, from src/commands (ts-jest) and dist/commands (the package) alike. */
export const INIT_TEMPLATES = resolve(__dirname, '../../templates/init');

/** Entries a folder may have and still count as empty: a fresh `git init`, and macOS's litter. */
const IGNORED_ENTRIES = new Set(['.git', '.DS_Store']);

/**
 * Template file → project file. npm leaves `.gitignore` out of a package's tarball, and tools
 * would take a template's package.json or .ts for the CLI's own: every template ends in `.tmpl`.
 */
function projectPath(templatePath: string): string {
  const path = templatePath.replace(/\.tmpl$/, '');
  return path === 'gitignore' ? '.gitignore' : path;
}

export function initCommand(dir: string, options: InitOptions, io: Output): void {
  const target = resolve(dir);
  if (existsSync(target)) {
    if (!statSync(target).isDirectory()) throw new CliError(`${displayPath(target)} is a file, not a folder`);
    const present = readdirSync(target).filter((e) => !IGNORED_ENTRIES.has(e));
    if (present.length > 0 && options.force !== true) {
      const shown = present.slice(0, 5).join(', ') + (present.length > 5 ? `, … (${present.length} in all)` : '');
      throw new CliError(
        `${displayPath(target)} is not empty (${shown}): nothing was written. Choose a new folder, or pass ` +
          '--force to write the project into it (replacing files of the same names).',
      );
    }
  }

  const name = options.name ?? packageNameOf(basename(target));
  if (!isPackageName(name)) {
    throw new CliError(`--name "${name}" is not an npm package name (lowercase letters, digits, - . _; at most 214)`);
  }
  const values: Record<string, string> = {
    name,
    apskitVersion: cliVersion(),
    // An APS type ID is a URI the vendor owns; example.com until the developer puts theirs.
    typeIdBase: `http://example.com/${name.replace(/^@[^/]+\//, '')}`,
  };

  const written: string[] = [];
  for (const template of templateFiles(INIT_TEMPLATES)) {
    const file = join(target, projectPath(template));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, fill(readFileSync(join(INIT_TEMPLATES, template), 'utf8'), values, template));
    written.push(relative(target, file).split(sep).join('/'));
  }

  io.out(`Created the APSKit project ${name} in ${displayPath(target)}:\n`);
  for (const file of written) io.out(`  ${file}\n`);
  const cd = resolve(process.cwd()) === target ? '' : `cd ${displayPath(target)} && `;
  io.out(
    '\nNext:\n' +
      `  ${cd}npm install\n` +
      '  npm run dev     # the controller and its console on http://127.0.0.1:3000, reloading on changes\n' +
      '  npm test        # type-check, then provision a server through the embedded controller\n',
  );
}

/** The template files, relative to `root`, '/'-separated, in a stable order. */
function templateFiles(root: string, under = ''): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(join(root, under), { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    const path = under ? `${under}/${entry.name}` : entry.name;
    if (entry.isDirectory()) files.push(...templateFiles(root, path));
    else if (entry.name.endsWith('.tmpl')) files.push(path);
  }
  return files;
}

/** Replaces each `{{key}}`; a key the template names but `values` lacks is the template's bug. */
function fill(text: string, values: Record<string, string>, template: string): string {
  return text.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`template ${template} names {{${key}}}, which init does not fill`);
    return value;
  });
}

/** The folder's name made an npm package name: lowercase, other characters as '-'. */
export function packageNameOf(folder: string): string {
  const name = folder
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+|-+$/g, '')
    .slice(0, 214);
  return name === '' ? 'apskit-app' : name;
}

function isPackageName(name: string): boolean {
  return name.length <= 214 && /^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/.test(name);
}

/** This CLI's version: the @apskit packages a new project depends on (they are released together). */
function cliVersion(): string {
  return (JSON.parse(readFileSync(resolve(__dirname, '../../package.json'), 'utf8')) as { version: string }).version;
}
