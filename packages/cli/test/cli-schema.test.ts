/**
 * `apskit schema` as users run it: the real command in a child process, from the repository root.
 * It runs the compiled CLI, which `npm test` builds first.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');
const BIN = join(ROOT, 'packages/cli/bin/apskit.js');
const FIXTURES = 'packages/cli/test/fixtures';
const GOLDEN = resolve(ROOT, '../shared/golden/pa-subscription.schema.json');

function apskit(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Splits a stream of pretty-printed JSON documents, as `apskit schema` prints several types. */
function documents(text: string): Array<{ name: string }> {
  return text
    .split(/\n(?=\{)/)
    .filter((d) => d.trim() !== '')
    .map((d) => JSON.parse(d) as { name: string });
}

describe('apskit schema', () => {
  it('prints the schema of every type a package folder exports', () => {
    const r = apskit('schema', 'examples/async-provisioning');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const docs = documents(r.stdout);
    expect(docs.map((d) => d.name)).toEqual(['globals', 'provisionable']);
    expect(docs[1]).toEqual({
      name: 'provisionable',
      id: 'http://aps-standard.org/samples/async-provisioning/provisionable/1.0',
      apsVersion: '2.0',
      implements: ['http://aps-standard.org/types/core/resource/1.0'],
      relations: {
        globals: { type: 'http://aps-standard.org/samples/async-provisioning/globals/1.0', required: true },
      },
    });
  });

  it('prints exactly one schema document with --type, byte-equal to the golden file', () => {
    const r = apskit('schema', 'packages/cli/test/fixtures/pa-subscription.ts', '--type', 'PASubscription');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(GOLDEN, 'utf8'));
  });

  it('writes one <name>.schema file per type with --out', () => {
    const out = mkdtempSync(join(tmpdir(), 'apskit-schema-'));
    try {
      const r = apskit('schema', 'examples/async-provisioning', '--out', out);
      expect(r.code).toBe(0);
      expect(readdirSync(out).sort()).toEqual(['globals.schema', 'provisionable.schema']);
      const globals = JSON.parse(readFileSync(join(out, 'globals.schema'), 'utf8'));
      expect(globals.relations.provisionables).toEqual({
        type: 'http://aps-standard.org/samples/async-provisioning/provisionable/1.0',
        collection: true,
      });
      expect(r.stdout).toContain(join(out, 'globals.schema'));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('writes types of one APS name to <name>.schema, <name>-2.schema, and says which type ID went where', () => {
    const out = mkdtempSync(join(tmpdir(), 'apskit-schema-'));
    try {
      const r = apskit('schema', `${FIXTURES}/same-name-types.ts`, '--out', out);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(readdirSync(out).sort()).toEqual(['globals.schema', 'tenant-2.schema', 'tenant.schema']);
      const id = (file: string): string => (JSON.parse(readFileSync(join(out, file), 'utf8')) as { id: string }).id;
      expect(id('tenant.schema')).toBe('http://vendor-a.example/tenant/1.0');
      expect(id('tenant-2.schema')).toBe('http://vendor-b.example/tenant/1.0');
      expect(r.stdout).toContain(
        'tenant-2.schema (the type http://vendor-b.example/tenant/1.0: another type is named "tenant" too)\n',
      );
      expect(r.stdout).not.toMatch(/tenant\.schema \(/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('refuses --type with an APS name two types have, naming their IDs; takes a type ID', () => {
    const r = apskit('schema', `${FIXTURES}/same-name-types.ts`, '--type', 'tenant');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'The APS name "tenant" is ambiguous: 2 types have it (http://vendor-a.example/tenant/1.0, http://vendor-b.example/tenant/1.0)',
    );
    const byId = apskit('schema', `${FIXTURES}/same-name-types.ts`, '--type', 'http://vendor-b.example/tenant/1.0');
    expect(byId.code).toBe(0);
    expect(documents(byId.stdout)).toEqual([
      { name: 'tenant', id: 'http://vendor-b.example/tenant/1.0', apsVersion: '2.0' },
    ]);
  });

  it('fails with a clear message and exit code 1 for an unknown module', () => {
    const r = apskit('schema', 'examples/does-not-exist');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `apskit: Cannot find module "examples/does-not-exist": no such file or folder (looked in ${ROOT})\n`,
    );
    expect(r.stdout).toBe('');
  });

  it('fails when the module exports no types', () => {
    const r = apskit('schema', `${FIXTURES}/no-types.ts`);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^apskit: No APS types found in .*no-types\.ts: export classes declared with @ApsType\(\)\n$/,
    );
  });

  it('fails when --type names no type, listing the types there are', () => {
    const r = apskit('schema', 'examples/async-provisioning', '--type', 'nope');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('No type "nope"');
    expect(r.stderr).toContain('it has: globals, provisionable');
  });

  it('reports every declaration mistake with class and member, without a stack trace', () => {
    const r = apskit('schema', `${FIXTURES}/broken-types.ts`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('2 declaration mistakes');
    expect(r.stderr).toContain('Broken.other: relation target: NotDeclared is used as a type but is not declared');
    expect(r.stderr).toContain(
      'Broken.stateAgain: duplicate operation path: GET /state is already declared by state()',
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('reports a module that throws while loading in one line, and the stack with --verbose', () => {
    const quiet = apskit('schema', `${FIXTURES}/throws-on-load.ts`);
    expect(quiet.code).toBe(1);
    expect(quiet.stderr).toMatch(/^apskit: Cannot load .*throws-on-load\.ts: database is not reachable\n$/);

    const verbose = apskit('schema', `${FIXTURES}/throws-on-load.ts`, '--verbose');
    expect(verbose.code).toBe(1);
    expect(verbose.stderr).toContain('Caused by: Error: database is not reachable');
    expect(verbose.stderr).toMatch(/\n\s+at /);
  });

  it('exits 1 with usage help when the module argument is missing', () => {
    const r = apskit('schema');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("missing required argument 'module'");
  });
});
