// @ts-check
/**
 * The workspace's packages as their package.json files declare them: what the package-boundaries
 * lint rule, the package graph check and the release check know of the repository. Plain JavaScript
 * (checked by `// @ts-check`), because eslint.config.mjs loads it and ESLint cannot load TypeScript.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';

/**
 * @typedef {object} WorkspacePackage
 * @property {string} name
 * @property {string} dir absolute folder of the package
 * @property {string} path the folder relative to the workspace root, with `/`
 * @property {string | undefined} version
 * @property {boolean} private
 * @property {Readonly<Record<string, string>>} dependencies
 * @property {Readonly<Record<string, string>>} devDependencies
 * @property {Readonly<Record<string, string>>} peerDependencies
 * @property {Readonly<Record<string, string>>} optionalDependencies
 * @property {readonly string[]} exports the subpaths of its `exports` map (`./testing`), if it has one
 */

/**
 * @param {string} file
 * @returns {Record<string, unknown>}
 */
function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/**
 * @param {unknown} value
 * @returns {Record<string, string>}
 */
function dependencyMap(value) {
  return value !== null && typeof value === 'object' ? /** @type {Record<string, string>} */ (value) : {};
}

/**
 * The subpaths an `exports` map opens (`"./testing"`); none for a package without a map, or with a
 * map of conditions only (`{"types": …, "default": …}`), which exports its root alone.
 * @param {unknown} exports
 * @returns {string[]}
 */
function exportedSubpaths(exports) {
  if (exports === null || typeof exports !== 'object') return [];
  return Object.keys(exports).filter((key) => key.startsWith('./') && key !== './');
}

/**
 * The folders the root package.json's `workspaces` name. npm accepts globs there; this repository
 * uses `folder/*` and plain folders only, and anything else is refused rather than misread.
 * @param {string} root
 * @returns {string[]}
 */
function workspaceFolders(root) {
  const manifest = readJson(join(root, 'package.json'));
  const workspaces = manifest.workspaces;
  const patterns = Array.isArray(workspaces)
    ? workspaces
    : workspaces !== null && typeof workspaces === 'object' && 'packages' in workspaces
      ? /** @type {{ packages: unknown }} */ (workspaces).packages
      : [];
  if (!Array.isArray(patterns)) throw new Error(`${root}/package.json: "workspaces" is not a list`);
  /** @type {string[]} */
  const folders = [];
  for (const pattern of patterns) {
    if (typeof pattern !== 'string' || /[*?[{]/.test(pattern.replace(/\/\*$/, ''))) {
      throw new Error(`workspace pattern ${JSON.stringify(pattern)}: only "folder/*" and "folder" are understood`);
    }
    if (!pattern.endsWith('/*')) {
      folders.push(join(root, pattern));
      continue;
    }
    const parent = join(root, pattern.slice(0, -2));
    if (!existsSync(parent)) continue;
    for (const entry of readdirSync(parent, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.isDirectory()) folders.push(join(parent, entry.name));
    }
  }
  return folders.filter((dir) => existsSync(join(dir, 'package.json')));
}

/**
 * Every workspace package under `root` (the folder of the root package.json), in the order the
 * `workspaces` patterns list them.
 * @param {string} root
 * @returns {WorkspacePackage[]}
 */
export function readWorkspace(root) {
  const top = resolve(root);
  return workspaceFolders(top).map((dir) => {
    const manifest = readJson(join(dir, 'package.json'));
    if (typeof manifest.name !== 'string') throw new Error(`${dir}/package.json has no name`);
    return {
      name: manifest.name,
      dir,
      path: dir
        .slice(top.length + 1)
        .split(sep)
        .join('/'),
      version: typeof manifest.version === 'string' ? manifest.version : undefined,
      private: manifest.private === true,
      dependencies: dependencyMap(manifest.dependencies),
      devDependencies: dependencyMap(manifest.devDependencies),
      peerDependencies: dependencyMap(manifest.peerDependencies),
      optionalDependencies: dependencyMap(manifest.optionalDependencies),
      exports: exportedSubpaths(manifest.exports),
    };
  });
}

/**
 * The package whose folder holds `file` (an absolute path), if any.
 * @param {readonly WorkspacePackage[]} packages
 * @param {string} file
 * @returns {WorkspacePackage | undefined}
 */
export function packageOf(packages, file) {
  return packages.find((p) => file === p.dir || file.startsWith(p.dir + sep));
}
