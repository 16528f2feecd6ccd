// @ts-check
/**
 * `npm run check:graph`: fails when the workspace packages depend on each other in a cycle, and
 * prints each cycle with why each step is there. A package depends on another when its package.json
 * names it in `dependencies`, `peerDependencies` or `optionalDependencies` (what installs with it),
 * or when a file of its `src` imports or requires it (a lazy `require()` is a dependency too, declared
 * or not). `devDependencies` and tests are left out: a test may use a package that uses its own.
 *
 *   node scripts/boundaries/check-package-graph.mjs [workspace root]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readWorkspace } from '../workspace-packages.mjs';

/** @typedef {import('../workspace-packages.mjs').WorkspacePackage} WorkspacePackage */
/** @typedef {Map<string, Map<string, string>>} PackageGraph each package → the packages it depends on → why */

/** `from '…'`, `import('…')`, `require('…')`: the package names in module references of a source file. */
const REFERENCE =
  /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s*)['"]((?:@[\w.-]+\/)?[\w.-]+)(?:\/[^'"]*)?['"]/gm;

/**
 * The source files of a package (absolute paths), in a stable order.
 * @param {WorkspacePackage} pkg
 * @returns {string[]}
 */
function sourceFiles(pkg) {
  /** @type {string[]} */
  const files = [];
  /** @param {string} dir */
  const walk = (dir) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(?:[cm]?ts|[cm]?js)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) files.push(path);
    }
  };
  walk(join(pkg.dir, 'src'));
  return files;
}

/**
 * Each workspace package → the workspace packages it depends on, and why.
 * @param {readonly WorkspacePackage[]} packages
 * @returns {PackageGraph}
 */
export function packageGraph(packages) {
  const names = new Set(packages.map((p) => p.name));
  /** @type {PackageGraph} */
  const graph = new Map();
  for (const p of packages) {
    /** @type {Map<string, string>} */
    const edges = new Map();
    const declared = { ...p.dependencies, ...p.peerDependencies, ...p.optionalDependencies };
    for (const name of Object.keys(declared).sort()) {
      if (names.has(name) && name !== p.name) edges.set(name, `${p.path}/package.json`);
    }
    for (const file of sourceFiles(p)) {
      for (const match of readFileSync(file, 'utf8').matchAll(REFERENCE)) {
        const name = match[1];
        if (names.has(name) && name !== p.name && !edges.has(name))
          edges.set(name, `${p.path}${file.slice(p.dir.length).split('\\').join('/')}`);
      }
    }
    graph.set(p.name, edges);
  }
  return graph;
}

/**
 * The cycles of the graph, each once, as the path that closes it (`a → b → a`), starting at its
 * least name. A depth-first search; the workspace has a handful of packages.
 * @param {PackageGraph} graph
 * @returns {string[][]}
 */
export function findCycles(graph) {
  /** @type {Map<string, string[]>} */
  const found = new Map();
  /** @type {string[]} */
  const path = [];
  /** @param {string} node */
  const visit = (node) => {
    const at = path.indexOf(node);
    if (at >= 0) {
      const loop = path.slice(at);
      // The same loop is reached from each of its packages: keep it once, rotated to its least name.
      const start = loop.indexOf([...loop].sort()[0]);
      const rotated = [...loop.slice(start), ...loop.slice(0, start)];
      found.set(rotated.join('\0'), [...rotated, rotated[0]]);
      return;
    }
    path.push(node);
    for (const next of [...(graph.get(node)?.keys() ?? [])].sort()) visit(next);
    path.pop();
  };
  for (const node of [...graph.keys()].sort()) visit(node);
  return [...found.values()];
}

/**
 * Checks the workspace at `root`; writes what it found and returns the exit code.
 * @param {string} root
 * @param {{ out: (text: string) => void, err: (text: string) => void }} io
 * @returns {number}
 */
export function checkPackageGraph(root, io) {
  const packages = readWorkspace(root);
  const graph = packageGraph(packages);
  const cycles = findCycles(graph);
  if (cycles.length === 0) {
    io.out(`package graph: ${packages.length} packages, no cycle\n`);
    return 0;
  }
  const lines = cycles
    .map((c) => {
      const steps = c.slice(1).map((to, i) => `    ${c[i]} → ${to}  (${graph.get(c[i])?.get(to)})\n`);
      return `  ${c.join(' → ')}\n${steps.join('')}`;
    })
    .join('');
  const count = cycles.length === 1 ? 'a cycle' : `${cycles.length} cycles`;
  io.err(
    `package graph: ${count} between workspace packages:\n${lines}` +
      'A package may not depend on itself through others: move what both need into a package below them.\n',
  );
  return 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const root = resolve(process.argv[2] ?? process.cwd());
  process.exitCode = checkPackageGraph(root, {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  });
}
