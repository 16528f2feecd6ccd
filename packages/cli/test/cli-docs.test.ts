/**
 * `apskit docs` as users run it: the built command in a child process, from the repository root
 * (or from a scratch folder, for the default output folder).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { toReferenceMarkdown } from '@apskit/core';
import { PASubscription } from './fixtures/pa-subscription';

const ROOT = resolve(__dirname, '../../..');
const BIN = join(ROOT, 'packages/cli/bin/apskit.js');
const FIXTURES = 'packages/cli/test/fixtures';

function apskit(args: string[], cwd = ROOT): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let out: string;
beforeEach(() => {
  out = mkdtempSync(join(tmpdir(), 'apskit-docs-'));
});
afterEach(() => {
  rmSync(out, { recursive: true, force: true });
});

describe('apskit docs', () => {
  it('writes one <name>.md page per type into --out and prints the paths', () => {
    const r = apskit(['docs', 'examples/async-provisioning', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['globals.md', 'provisionable.md']);
    expect(r.stdout).toBe(`wrote ${join(out, 'globals.md')}\nwrote ${join(out, 'provisionable.md')}\n`);
    const globals = readFileSync(join(out, 'globals.md'), 'utf8');
    expect(globals.startsWith('# globals\n\nThe application instance of the async-provisioning sample.\n')).toBe(true);
    // One model of the module's types: the relation names the other type by its APS name.
    expect(globals).toContain('| provisionables | Collection of provisionable | No | Provisionables of the instance |');
  });

  it('writes the page that toReferenceMarkdown makes', () => {
    const r = apskit(['docs', 'packages/cli/test/fixtures/pa-subscription.ts', '--out', out]);
    expect(r.code).toBe(0);
    expect(readFileSync(join(out, 'PASubscription.md'), 'utf8')).toBe(toReferenceMarkdown(PASubscription));
  });

  it('writes into docs/reference below the working folder by default', () => {
    const r = apskit(['docs', join(ROOT, 'examples/async-provisioning')], out);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      `wrote ${join('docs/reference', 'globals.md')}\nwrote ${join('docs/reference', 'provisionable.md')}\n`,
    );
    expect(existsSync(join(out, 'docs/reference/provisionable.md'))).toBe(true);
  });

  it('writes types of one APS name to <name>.md and <name>-2.md, each page its own type', () => {
    const r = apskit(['docs', `${FIXTURES}/same-name-types.ts`, '--out', out]);
    expect(r.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['globals.md', 'tenant-2.md', 'tenant.md']);
    expect(readFileSync(join(out, 'tenant.md'), 'utf8')).toContain('http://vendor-a.example/tenant/1.0');
    expect(readFileSync(join(out, 'tenant-2.md'), 'utf8')).toContain('http://vendor-b.example/tenant/1.0');
  });

  it('writes only the --type one', () => {
    const r = apskit(['docs', 'examples/async-provisioning', '--out', out, '--type', 'provisionable']);
    expect(r.code).toBe(0);
    expect(readdirSync(out)).toEqual(['provisionable.md']);
  });

  it('fails with a clear message and exit code 1', () => {
    const none = apskit(['docs', `${FIXTURES}/no-types.ts`, '--out', out]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(
      /^apskit: No APS types found in .*no-types\.ts: export classes declared with @ApsType\(\)\n$/,
    );

    const unknown = apskit(['docs', 'examples/async-provisioning', '--out', out, '--type', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No type "nope"');
    expect(unknown.stderr).toContain('it has: globals, provisionable');

    const broken = apskit(['docs', `${FIXTURES}/broken-types.ts`, '--out', out]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('2 declaration mistakes');
    expect(readdirSync(out)).toEqual([]);
  });
});
