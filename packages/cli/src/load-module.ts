/**
 * Loads a module of declarations, a file or a package folder, as `apskit <command> <module>` names
 * it, and finds the APS types it exports. TypeScript files are compiled on the fly by ts-node with
 * decorator metadata on, so `apskit schema src/types.ts` works without a build.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { AppDefinitionError, DeclarationError, isApsTypeClass, type Class } from '@apskit/core';
import { CliError } from './cli-error';

export interface LoadedModule {
  /** The file that was loaded. */
  readonly file: string;
  /** The @ApsType classes the module exports, in export order. */
  readonly types: readonly Class[];
  /** Everything the module exports (where `apskit package` and `deploy` find its app). */
  readonly exports: unknown;
}

/** Where a package folder keeps its declarations, tried in this order. */
const FOLDER_ENTRIES = ['src/index.ts', 'index.ts', 'src/index.js', 'index.js'];

/** The file a module argument means: the file itself, or a package folder's entry. */
export function resolveModuleFile(spec: string, cwd = process.cwd()): string {
  const path = resolve(cwd, spec);
  if (!existsSync(path)) {
    for (const ext of ['.ts', '.js']) if (existsSync(path + ext)) return path + ext;
    throw new CliError(`Cannot find module "${spec}": no such file or folder (looked in ${cwd})`);
  }
  if (!statSync(path).isDirectory()) return path;

  const pkgFile = join(path, 'package.json');
  const pkg = existsSync(pkgFile) ? readPackageJson(pkgFile) : {};
  // `"apskit": {"module": "src/types.ts"}` in package.json names the entry explicitly.
  const declared = pkg.apskit?.module;
  const candidates = [...(declared ? [declared] : []), ...FOLDER_ENTRIES, ...(pkg.main ? [pkg.main] : [])];
  for (const candidate of candidates) {
    const file = join(path, candidate);
    if (existsSync(file) && statSync(file).isFile()) return file;
  }
  throw new CliError(
    `Cannot find the declarations of "${spec}": none of ${candidates.join(', ')} exists. ` +
      'Name the file, or set "apskit": {"module": "<file>"} in its package.json.',
  );
}

interface PackageJson {
  main?: string;
  apskit?: { module?: string };
}

function readPackageJson(file: string): PackageJson {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PackageJson;
  } catch (e) {
    throw new CliError(`Cannot read ${file}: ${(e as Error).message}`);
  }
}

let tsRegistered = false;

/** Lets `require` load TypeScript, unless something (ts-node, jest) already does. */
function enableTypeScript(fromDir: string): void {
  const extensions = require.extensions as Record<string, unknown>;
  if (tsRegistered || extensions['.ts']) return;
  // Required lazily: plain JavaScript modules never pay for the TypeScript compiler.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tsNode = require('ts-node') as typeof import('ts-node');
  tsNode.register({
    dir: fromDir,
    transpileOnly: true,
    compilerOptions: {
      module: 'commonjs',
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      esModuleInterop: true,
    },
  });
  tsRegistered = true;
}

/** Loads a module and returns the APS types it exports. */
export function loadModule(spec: string, cwd = process.cwd()): LoadedModule {
  const file = resolveModuleFile(spec, cwd);
  if (['.ts', '.mts', '.cts'].includes(extname(file))) enableTypeScript(dirname(file));
  let exports: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    exports = require(file);
  } catch (e) {
    // A module that builds its model while loading (createEndpoint at top level) reports its
    // declaration mistakes as they are.
    if (e instanceof DeclarationError || e instanceof AppDefinitionError) throw e;
    const err = new CliError(`Cannot load ${file}: ${firstLine((e as Error).message ?? String(e))}`);
    err.cause = e;
    throw err;
  }
  const types = typesOf(exports);
  return { file, types, exports };
}

function typesOf(exports: unknown): Class[] {
  if (isApsTypeClass(exports)) return [exports];
  if (typeof exports !== 'object' || exports === null) return [];
  const found = new Set<Class>();
  for (const value of Object.values(exports)) if (isApsTypeClass(value)) found.add(value);
  return [...found];
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim() !== '') ?? text;
}
