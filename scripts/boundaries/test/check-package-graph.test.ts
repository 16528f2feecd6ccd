/**
 * `npm run check:graph` on small workspaces written for each case: a cycle fails the check and is
 * printed once, with why each step is there, whether a package.json or a source file makes the step;
 * a graph without one passes. The script is an ES module, so it runs in a child Node process, as
 * npm runs it.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SCRIPT = resolve(__dirname, '../check-package-graph.mjs');

interface Pkg {
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  /** src file name → its text. */
  readonly src?: Record<string, string>;
}

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'apskit-graph-'));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

/** Writes a workspace of packages/<name> folders, named `@w/<name>`, and checks it. */
function check(packages: Record<string, Pkg>): { code: number | null; stdout: string; stderr: string } {
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({ private: true, workspaces: ['packages/*'] }));
  for (const [name, pkg] of Object.entries(packages)) {
    const dir = join(scratch, 'packages', name);
    mkdirSync(join(dir, 'src'), { recursive: true });
    const { src, ...deps } = pkg;
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `@w/${name}`, version: '1.0.0', ...deps }));
    for (const [file, text] of Object.entries(src ?? {})) writeFileSync(join(dir, 'src', file), text);
  }
  const r = spawnSync(process.execPath, [SCRIPT, scratch], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('check-package-graph', () => {
  it('passes a graph without a cycle, development dependencies and tests aside', () => {
    const r = check({
      core: { devDependencies: { '@w/server': '1.0.0' } },
      server: { dependencies: { '@w/core': '1.0.0' }, src: { 'index.ts': "import { x } from '@w/core';\n" } },
      app: { dependencies: { '@w/server': '1.0.0', '@w/core': '1.0.0', left: '^1.0.0' } },
    });
    expect(r).toEqual({ code: 0, stdout: 'package graph: 3 packages, no cycle\n', stderr: '' });
  });

  it('fails on two packages depending on each other, one by package.json, one by a lazy require', () => {
    const r = check({
      controller: { src: { 'store.ts': "const pg = require('@w/postgres/dist/index');\n" } },
      postgres: { dependencies: { '@w/controller': '1.0.0' } },
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'package graph: a cycle between workspace packages:\n' +
        '  @w/controller → @w/postgres → @w/controller\n' +
        '    @w/controller → @w/postgres  (packages/controller/src/store.ts)\n' +
        '    @w/postgres → @w/controller  (packages/postgres/package.json)\n' +
        'A package may not depend on itself through others: move what both need into a package below them.\n',
    );
  });

  it('prints each cycle once, from its least name, and counts peer dependencies', () => {
    const r = check({
      c: { dependencies: { '@w/a': '1.0.0' } },
      a: { src: { 'index.ts': "export * from '@w/b';\n" } },
      b: { peerDependencies: { '@w/c': '1.0.0' } },
      d: { dependencies: { '@w/d': '1.0.0' } },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('package graph: a cycle between workspace packages:\n  @w/a → @w/b → @w/c → @w/a\n');
    expect(r.stderr.match(/→ @w\/a\n/g)).toHaveLength(1);
  });
});
