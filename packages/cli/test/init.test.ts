/**
 * `apskit init <dir>` (issue 22): the files of a new project, the versions it depends on, and a
 * folder that already has files refused with nothing written (or written into with --force). That
 * the project installs from the packed packages and passes its own `npm test` is
 * init-project.test.ts.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageNameOf } from '../src/commands/init';
import { apskitAt } from './helpers/init';

const CLI_VERSION = (JSON.parse(readFileSync(join(__dirname, '../package.json'), 'utf8')) as { version: string })
  .version;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'apskit-init-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface ProjectPackage {
  name: string;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  apskit: { module: string };
  allowScripts: Record<string, boolean>;
}

describe('apskit init', () => {
  it('makes a project: package.json, tsconfig, a type provisioned asynchronously, its test, README, .gitignore', async () => {
    const r = await apskitAt(dir, 'init', 'VPS Hosting');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const project = join(dir, 'VPS Hosting');
    expect(r.out).toContain('Created the APSKit project vps-hosting in VPS Hosting:\n');
    expect(r.out).toContain('  cd VPS Hosting && npm install\n');
    for (const file of [
      '.gitignore',
      'package.json',
      'README.md',
      'src/index.ts',
      'src/server.ts',
      'test/server.test.ts',
      'tsconfig.json',
    ]) {
      expect(r.out).toContain(`  ${file}\n`);
      expect(existsSync(join(project, file))).toBe(true);
    }

    const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as ProjectPackage;
    expect(pkg.name).toBe('vps-hosting');
    expect(pkg.scripts.dev).toBe('apskit dev');
    expect(pkg.scripts.test).toContain('node --require ts-node/register/transpile-only --test');
    expect(pkg.apskit.module).toBe('src/index.ts');
    // The @apskit packages at this CLI's version: they are released together.
    expect(pkg.dependencies).toEqual({ '@apskit/controller': CLI_VERSION, '@apskit/core': CLI_VERSION });
    expect(pkg.devDependencies).toMatchObject({ '@apskit/cli': CLI_VERSION, '@apskit/client': CLI_VERSION });
    // npm 11 runs no install script it was not told to: the SQLite store needs better-sqlite3's.
    expect(pkg.allowScripts).toEqual({ 'better-sqlite3': true });

    const tsconfig = JSON.parse(readFileSync(join(project, 'tsconfig.json'), 'utf8')) as {
      compilerOptions: Record<string, unknown>;
    };
    expect(tsconfig.compilerOptions).toMatchObject({
      strict: true,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
    });
    expect(tsconfig.compilerOptions.skipLibCheck).toBeUndefined(); // the packages' declarations are checked too

    const server = readFileSync(join(project, 'src/server.ts'), 'utf8');
    expect(server).toContain("id: 'http://example.com/vps-hosting/server/1.0'");
    expect(server).toContain('throw new Accepted(this');
    expect(server).toContain('provisionAsync(): void');
    expect(readFileSync(join(project, '.gitignore'), 'utf8')).toMatch(/^node_modules\/$/m);
    expect(readFileSync(join(project, '.gitignore'), 'utf8')).toMatch(/^\.apskit\/$/m);
    const readme = readFileSync(join(project, 'README.md'), 'utf8');
    expect(readme).toContain('npm install && npm run dev');
    expect(readme).toContain('npm test');
    // Every placeholder filled.
    for (const file of ['package.json', 'README.md', 'src/index.ts', 'src/server.ts', 'test/server.test.ts']) {
      expect(readFileSync(join(project, file), 'utf8')).not.toContain('{{');
    }
  });

  it('refuses a folder that has files, naming them, and writes nothing', async () => {
    const project = join(dir, 'app');
    mkdirSync(project);
    writeFileSync(join(project, 'notes.txt'), 'mine');
    const r = await apskitAt(dir, 'init', 'app');
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe(
      'apskit: app is not empty (notes.txt): nothing was written. Choose a new folder, or pass --force to ' +
        'write the project into it (replacing files of the same names).\n',
    );
    expect(existsSync(join(project, 'package.json'))).toBe(false);
  });

  it('writes into a folder with files under --force, replacing only the files of the same names', async () => {
    const project = join(dir, 'app');
    mkdirSync(project);
    writeFileSync(join(project, 'notes.txt'), 'mine');
    writeFileSync(join(project, 'README.md'), 'old');
    const r = await apskitAt(dir, 'init', 'app', '--force');
    expect(r.code).toBe(0);
    expect(readFileSync(join(project, 'notes.txt'), 'utf8')).toBe('mine');
    expect(readFileSync(join(project, 'README.md'), 'utf8')).toContain('# app');
  });

  it('takes an empty folder, one that only has .git, and "." with --name', async () => {
    mkdirSync(join(dir, 'empty'));
    expect((await apskitAt(dir, 'init', 'empty')).code).toBe(0);
    mkdirSync(join(dir, 'repo', '.git'), { recursive: true });
    expect((await apskitAt(dir, 'init', 'repo')).code).toBe(0);
    mkdirSync(join(dir, 'here'));
    const here = await apskitAt(join(dir, 'here'), 'init', '.', '--name', '@acme/vps');
    expect(here.code).toBe(0);
    expect(here.out).toContain('  npm install\n'); // no `cd` into the folder one is in
    const pkg = JSON.parse(readFileSync(join(dir, 'here', 'package.json'), 'utf8')) as ProjectPackage;
    expect(pkg.name).toBe('@acme/vps');
    expect(readFileSync(join(dir, 'here', 'src/server.ts'), 'utf8')).toContain('http://example.com/vps/server/1.0');
  });

  it('refuses a --name npm would refuse, and a path that is a file', async () => {
    const bad = await apskitAt(dir, 'init', 'x', '--name', 'My App');
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('--name "My App" is not an npm package name');
    expect(existsSync(join(dir, 'x'))).toBe(false);
    writeFileSync(join(dir, 'file'), '');
    const file = await apskitAt(dir, 'init', 'file');
    expect(file.code).toBe(1);
    expect(file.err).toBe('apskit: file is a file, not a folder\n');
  });

  it('is what docs/getting-started.md shows: its src/server.ts, src/index.ts and test/server.test.ts', async () => {
    expect((await apskitAt(dir, 'init', 'vps-hosting')).code).toBe(0);
    const guide = readFileSync(join(__dirname, '../../../docs/getting-started.md'), 'utf8');
    for (const file of ['src/server.ts', 'src/index.ts', 'test/server.test.ts']) {
      const block = new RegExp(`^\`\`\`ts[^\n]*\n// ${file.replace(/\./g, '\\.')}\n([\\s\\S]*?)^\`\`\`$`, 'm').exec(
        guide,
      );
      expect({ file, shown: block?.[1] }).toEqual({
        file,
        shown: readFileSync(join(dir, 'vps-hosting', file), 'utf8'),
      });
    }
  });

  it('makes a package name of a folder name', () => {
    expect(packageNameOf('My VPS App')).toBe('my-vps-app');
    expect(packageNameOf('.hidden_app')).toBe('hidden_app');
    expect(packageNameOf('***')).toBe('apskit-app');
  });
});
