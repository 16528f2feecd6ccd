/**
 * `apskit openapi` as users run it: the built command in a child process, from the repository root.
 * The documents it prints are checked with the OpenAPI schema validator.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { validateOpenApi } from '@apskit/test-support';

const ROOT = resolve(__dirname, '../../..');
const BIN = join(ROOT, 'packages/cli/bin/apskit.js');
const FIXTURES = 'packages/cli/test/fixtures';

interface Doc {
  info: { title: string; version: string };
  servers?: Array<{ url: string }>;
  paths: Record<string, Record<string, unknown>>;
}

function apskit(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('apskit openapi', () => {
  it('prints the document of a module’s services map, under the service names', () => {
    const r = apskit('openapi', 'examples/async-provisioning');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as Doc;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/globals/', '/globals/{id}', '/provisionables/', '/provisionables/{id}/globals']),
    );
    expect(Object.keys(doc.paths).some((p) => p.startsWith('/apskit/'))).toBe(false);
    expect(validateOpenApi(doc)).toMatchObject({ valid: true, version: '3.1', refs: 'resolved' });
  });

  it('adds the controller’s API with --controller, and the server with --server', () => {
    const r = apskit('openapi', 'examples/async-provisioning', '--controller', '--server', 'http://127.0.0.1:3000');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as Doc;
    expect(doc.paths['/aps/2/resources']).toBeDefined();
    expect(doc.paths['/apskit/tasks/{id}/rerun']).toBeDefined();
    expect(doc.servers).toEqual([{ url: 'http://127.0.0.1:3000' }]);
    expect(validateOpenApi(doc)).toMatchObject({ valid: true, refs: 'resolved' });
  });

  it('names the paths after the types when the module has no services map', () => {
    const r = apskit('openapi', 'packages/cli/test/fixtures/pa-subscription.ts');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as Doc;
    expect(Object.keys(doc.paths)).toContain('/PASubscription/');
    expect(Object.keys(doc.paths)).toContain('/PASubscription/{id}/provisioningState');
  });

  it('serves types of one APS name as tenant and tenant-2 when the module has no services map', () => {
    const r = apskit('openapi', `${FIXTURES}/same-name-types.ts`);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { paths: Record<string, unknown>; components: { schemas: object } };
    expect(Object.keys(doc.paths).filter((p) => p.endsWith('/'))).toEqual(['/tenant/', '/tenant-2/', '/globals/']);
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['tenant', 'tenant_2']));
    expect(validateOpenApi(doc)).toMatchObject({ valid: true, refs: 'resolved' });
  });

  it('takes the services, title and version of an exported app', () => {
    const r = apskit('openapi', 'examples/pa-subscription');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as Doc;
    expect(doc.info).toMatchObject({ title: 'pa-subscription', version: '1.0-0' });
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/subscriptions/', '/websites/']));
  });

  it('writes the file with --out, creating its folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'apskit-openapi-'));
    try {
      const file = join(dir, 'api', 'openapi.json');
      const r = apskit('openapi', 'examples/async-provisioning', '--out', file);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`wrote ${file}\n`);
      expect(readFileSync(file, 'utf8')).toBe(apskit('openapi', 'examples/async-provisioning').stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails with a clear message and exit code 1', () => {
    const none = apskit('openapi', `${FIXTURES}/no-types.ts`);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^apskit: No APS types found in .*no-types\.ts/);
    const missing = apskit('openapi', 'examples/does-not-exist');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Cannot find module "examples/does-not-exist"');
  });
});
