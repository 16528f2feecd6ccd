// @ts-check
/**
 * `npm run release:check`: what a release would publish, checked, without publishing, versioning or
 * tagging anything, and without the network. lerna versions every package together (lerna.json
 * `version`, fixed mode) and `lerna publish from-package` publishes the public ones; this says
 * beforehand:
 *
 * - which packages lerna sees as changed since the last release tag (`lerna changed`);
 * - that every package carries lerna.json's version and pins its workspace dependencies at it (a
 *   peer dependency takes a range instead: lerna version never bumps one);
 * - that no public package depends on a private one (it could not be installed);
 * - for each public package, the tarball `npm pack` would make: name, version, files, size, with
 *   its `main` and `types` in it, and no build output left behind by a source that is gone.
 *
 * It exits 1 when any of that is wrong. Run `npm run build` first: the tarballs hold `dist`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { readWorkspace } from './workspace-packages.mjs';

/** @typedef {import('./workspace-packages.mjs').WorkspacePackage} WorkspacePackage */
/** @typedef {{ name: string, version: string, filename: string, size: number, entryCount: number, files: Array<{ path: string }> }} PackResult */

const root = resolve(import.meta.dirname, '..');
/** nx (under lerna) may start a daemon or ask its cloud; a check needs neither. */
const LERNA_ENV = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };

/** @type {string[]} */
const problems = [];

/**
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} [env]
 */
function run(args, env = process.env) {
  const [command, ...rest] = args;
  return spawnSync(command, rest, { cwd: root, encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
}

/** @returns {string} */
function lernaVersion() {
  const lerna = JSON.parse(readFileSync(join(root, 'lerna.json'), 'utf8'));
  if (typeof lerna.version !== 'string' || !/^\d+\.\d+\.\d+(?:-[\w.]+)?$/.test(lerna.version)) {
    throw new Error(`lerna.json: "version" must be one version for every package (fixed mode), not ${lerna.version}`);
  }
  return lerna.version;
}

/**
 * Packages lerna would version now, by its own reckoning (changes since the last release tag).
 * @returns {string[] | undefined} undefined when lerna could not tell
 */
function changedPackages() {
  const lerna = join(root, 'node_modules/.bin/lerna');
  const r = run([lerna, 'changed', '--all', '--json', '--loglevel', 'error'], LERNA_ENV);
  // lerna exits 1 with empty output when nothing changed since the last tag.
  if (r.status === 1 && r.stdout.trim() === '') return [];
  if (r.status !== 0) {
    problems.push(`lerna changed failed: ${(r.stderr || r.stdout).trim().split('\n').pop()}`);
    return undefined;
  }
  return /** @type {Array<{ name: string }>} */ (JSON.parse(r.stdout)).map((p) => p.name);
}

/**
 * @param {WorkspacePackage[]} packages
 * @param {string} version
 */
function checkVersions(packages, version) {
  const names = new Set(packages.map((p) => p.name));
  const byName = new Map(packages.map((p) => [p.name, p]));
  for (const p of packages) {
    if (p.version !== version) problems.push(`${p.name} is at ${p.version}, lerna.json at ${version}`);
    const kinds = /** @type {const} */ ([
      'dependencies',
      'peerDependencies',
      'optionalDependencies',
      'devDependencies',
    ]);
    for (const kind of kinds) {
      for (const [name, range] of Object.entries(p[kind])) {
        if (!names.has(name)) continue;
        if (kind === 'peerDependencies') {
          // lerna version leaves peer ranges as they are, so an exact one breaks at the next version.
          if (range === version)
            problems.push(
              `${p.name} peerDependencies: ${name} is pinned at "${range}", which lerna version does not bump; give a range (">=${version}")`,
            );
        } else if (range !== version) {
          problems.push(`${p.name} ${kind}: ${name} is "${range}", not the release's "${version}"`);
        }
        if (!p.private && kind !== 'devDependencies' && byName.get(name)?.private)
          problems.push(`${p.name} is public but depends on ${name}, which is private`);
      }
    }
  }
}

/**
 * @param {WorkspacePackage[]} publics
 * @returns {PackResult[]}
 */
function packDryRun(publics) {
  const args = ['npm', 'pack', '--dry-run', '--json', '--ignore-scripts', ...publics.flatMap((p) => ['-w', p.name])];
  const r = run(args);
  if (r.status !== 0) throw new Error(`npm pack --dry-run failed:\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

/**
 * Build output whose source is gone: `tsc -b` never deletes, so a moved module would ship twice.
 * @param {WorkspacePackage} p
 * @param {Set<string>} shipped
 */
function staleOutputs(p, shipped) {
  const src = join(p.dir, 'src');
  if (!existsSync(src)) return [];
  return [...shipped]
    .filter((f) => f.startsWith('dist/') && f.endsWith('.js'))
    .filter((f) => {
      const base = f.slice('dist/'.length, -'.js'.length);
      return !['.ts', '.tsx', '.mts', '.cts', '.js'].some((ext) => existsSync(join(src, base + ext)));
    });
}

/**
 * @param {WorkspacePackage} p
 * @param {PackResult} packed
 */
function checkTarball(p, packed) {
  const manifest = JSON.parse(readFileSync(join(p.dir, 'package.json'), 'utf8'));
  const shipped = new Set(packed.files.map((f) => f.path));
  for (const field of ['main', 'types']) {
    const file = manifest[field];
    if (typeof file === 'string' && !shipped.has(file.replace(/^\.\//, '')))
      problems.push(`${p.name}: its ${field}, ${file}, is not in the tarball (run npm run build first)`);
  }
  for (const file of staleOutputs(p, shipped))
    problems.push(`${p.name}: ${file} has no source any more (delete ${relative(root, p.dir)}/dist and build again)`);
}

/** @param {number} bytes */
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} kB`;

function main() {
  const version = lernaVersion();
  const packages = readWorkspace(root);
  const publics = packages.filter((p) => !p.private);
  const changed = changedPackages();
  checkVersions(packages, version);

  console.log(`release ${version} (lerna, fixed mode: every package at lerna.json's version)`);
  if (changed !== undefined) {
    console.log(
      changed.length === 0
        ? 'lerna changed: nothing changed since the last release tag'
        : `lerna changed: ${changed.length} of ${packages.length} packages since the last release tag`,
    );
  }
  console.log('\nwould publish (npm pack --dry-run):');
  const packed = packDryRun(publics);
  const width = Math.max(...publics.map((p) => p.name.length)) + version.length + 1;
  for (const p of publics) {
    const result = packed.find((r) => r.name === p.name);
    if (!result) {
      problems.push(`${p.name}: npm pack said nothing of it`);
      continue;
    }
    checkTarball(p, result);
    const mark = changed === undefined ? '' : changed.includes(p.name) ? '  changed' : '  unchanged';
    const id = `${p.name}@${result.version}`.padEnd(width);
    console.log(`  ${id}  ${String(result.entryCount).padStart(4)} files  ${kb(result.size).padStart(9)}${mark}`);
  }
  const privates = packages.filter((p) => p.private).map((p) => p.name);
  if (privates.length > 0) console.log(`\nversioned, never published (private): ${privates.join(', ')}`);

  if (problems.length > 0) {
    console.error(`\nrelease check: ${problems.length} problem${problems.length === 1 ? '' : 's'}:`);
    for (const p of problems) console.error(`  - ${p}`);
    process.exitCode = 1;
  } else {
    console.log('\nrelease check: ready. Release with `npx lerna version` then `npx lerna publish from-package`.');
  }
}

main();
