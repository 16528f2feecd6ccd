/**
 * `apskit init` as a new user meets it (issue 22): the packages packed as npm would publish them,
 * a project made in a temporary folder outside the repository, the tarballs installed into it
 * with everything else from the npm registry, and then the project's own `npm test` and
 * `tsc --noEmit` with skipLibCheck false (the packages' declarations name only types their
 * dependencies bring) both pass. The installed CLI's `apskit init` makes the same files: the
 * templates are in the tarball. Its README's `npm run dev` serves the type: a server created
 * through it ends aps:ready.
 *
 * Needs the npm registry (express, typescript, …): without it the test fails at once saying so,
 * instead of waiting on npm. Run `npm run build` first: the tarballs hold dist/.
 */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');
/** Every package a release publishes (the folders of packages/ whose package.json is not private). */
const PACKAGES = readdirSync(join(ROOT, 'packages')).filter((folder) => {
  const file = join(ROOT, 'packages', folder, 'package.json');
  return existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { private?: boolean }).private !== true;
});
const MINUTE = 60_000;

jest.setTimeout(12 * MINUTE);

/** npm settings a CI or a proxy may give through the environment: kept for the project's npm. */
const NPM_SETTINGS = new Set(
  [
    'registry',
    'cafile',
    'ca',
    'proxy',
    'https_proxy',
    'noproxy',
    'strict_ssl',
    'cache',
    'userconfig',
    'globalconfig',
  ].map((key) => `npm_config_${key}`),
);

/**
 * The environment without what `npm test` at the root sets for its own run (the root as the local
 * prefix, the lifecycle, the package's fields), which would steer npm in the new project.
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    const npm = /^npm_/i.test(key) && !NPM_SETTINGS.has(key.toLowerCase());
    if (!npm && key !== 'INIT_CWD' && !key.startsWith('TS_NODE_')) env[key] = value;
  }
  return env;
}

function run(command: string, args: string[], cwd: string, timeoutMs: number): SpawnSyncReturns<string> {
  return spawnSync(command, args, {
    cwd,
    env: cleanEnv(),
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
}

function said(r: SpawnSyncReturns<string>): string {
  const timedOut = r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT' ? ' (timed out)' : '';
  return `exit ${r.status}${timedOut}\n${r.stdout}\n${r.stderr}`.trim();
}

/** The project's files and their text, node_modules and the lock left out. */
function filesOf(dir: string, under = ''): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(join(dir, under), { withFileTypes: true })) {
    const path = under ? `${under}/${entry.name}` : entry.name;
    if (entry.name === 'node_modules' || entry.name === 'package-lock.json') continue;
    if (entry.isDirectory()) Object.assign(files, filesOf(dir, path));
    else files[path] = readFileSync(join(dir, path), 'utf8');
  }
  return files;
}

let work: string;
/** The project the first test makes, and the tarballs by package name, for the second. */
let project: string;
const local: Record<string, string> = {};
/** Set once the first test has installed the project: without it the second fails at once. */
let projectInstalled = false;
beforeAll(() => {
  for (const p of PACKAGES) {
    if (!existsSync(join(ROOT, 'packages', p, 'dist/index.js'))) {
      throw new Error(`packages/${p}/dist is missing: run \`npm run build\` first (the tarballs hold dist/)`);
    }
  }
  // os.tmpdir(): outside the repository, so nothing resolves through the monorepo's node_modules.
  work = mkdtempSync(join(tmpdir(), 'apskit-init-project-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

it('a project made by `apskit init` installs from the packed packages, passes its npm test and compiles with skipLibCheck false', () => {
  // npm pack, as a release would publish each package.
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  const pack = run(
    'npm',
    ['pack', '--ignore-scripts', '--json', '--pack-destination', tarballs, ...PACKAGES.map((p) => `-w=packages/${p}`)],
    ROOT,
    2 * MINUTE,
  );
  if (pack.status !== 0) throw new Error(`npm pack failed: ${said(pack)}`);
  const packed = JSON.parse(pack.stdout) as { name: string; filename: string; files: { path: string }[] }[];
  const cli = packed.find((p) => p.name === '@apskit/cli');
  expect(cli?.files.map((f) => f.path)).toEqual(
    expect.arrayContaining(['templates/init/package.json.tmpl', 'templates/init/gitignore.tmpl']),
  );

  // apskit init, then the dependencies pointed at the tarballs: a direct dependency by its spec,
  // the ones the packages have on each other by `overrides` (which must then match the direct spec;
  // the overrides of packages the project does not use are never applied).
  project = join(work, 'vps-hosting');
  const init = run(process.execPath, [join(ROOT, 'packages/cli/bin/apskit.js'), 'init', project], work, MINUTE);
  expect(said(init)).toContain('Created the APSKit project vps-hosting');
  const pkgFile = join(project, 'package.json');
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as Record<string, Record<string, string>>;
  for (const p of packed) local[p.name] = `file:${join(tarballs, p.filename)}`;
  for (const deps of [pkg.dependencies, pkg.devDependencies]) {
    for (const name of Object.keys(deps)) if (local[name]) deps[name] = local[name];
  }
  pkg.overrides = local;
  writeFileSync(pkgFile, JSON.stringify(pkg, null, 2));

  const ping = run('npm', ['ping', '--fetch-retries=0', '--fetch-timeout=20000'], project, 30_000);
  if (ping.status !== 0) {
    throw new Error(
      `This test needs the npm registry (express, typescript, … are installed from it), and \`npm ping\` ` +
        `failed: ${said(ping)}`,
    );
  }
  // --ignore-scripts: better-sqlite3's install script downloads a binary or compiles SQLite (minutes on
  // a busy machine); the project's test keeps its resources in memory and never loads it.
  const install = run(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'],
    project,
    8 * MINUTE,
  );
  if (install.status !== 0) throw new Error(`npm install failed in the new project: ${said(install)}`);
  projectInstalled = true;

  const test = run('npm', ['test'], project, 3 * MINUTE);
  if (test.status !== 0) throw new Error(`the new project's npm test failed: ${said(test)}`);
  expect(test.stdout).toMatch(/^# pass 2$/m);
  expect(test.stdout).toMatch(/^# fail 0$/m);
  expect(test.stdout).toContain('ok 1 - a server is set up asynchronously, through the embedded controller');

  const tsc = run(
    process.execPath,
    [join(project, 'node_modules/typescript/bin/tsc'), '--noEmit', '--skipLibCheck', 'false'],
    project,
    2 * MINUTE,
  );
  expect(said(tsc)).toBe('exit 0');

  // The installed CLI's init: the templates went into the tarball, and make the same project.
  const again = join(work, 'again');
  const installed = run(
    process.execPath,
    [join(project, 'node_modules/@apskit/cli/bin/apskit.js'), 'init', again, '--name', 'vps-hosting'],
    work,
    MINUTE,
  );
  expect(said(installed)).toContain('Created the APSKit project vps-hosting');
  const made = filesOf(again);
  const first = filesOf(project);
  delete first['package.json']; // pointed at the tarballs above
  delete made['package.json'];
  expect(made).toEqual(first);
});

it("the README's `npm run dev` serves the type: a server created through it ends aps:ready", async () => {
  if (!projectInstalled) throw new Error('the project made by the test before was not installed: see its error');
  // The SQLite store needs better-sqlite3's native binary, which the install above did not build
  // (--ignore-scripts): the repository's own build of the same version is copied in.
  const version = (dir: string): string =>
    (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  const ours = join(ROOT, 'node_modules/better-sqlite3');
  const theirs = join(project, 'node_modules/better-sqlite3');
  expect(version(theirs)).toBe(version(ours));
  mkdirSync(join(theirs, 'build/Release'), { recursive: true });
  copyFileSync(join(ours, 'build/Release/better_sqlite3.node'), join(theirs, 'build/Release/better_sqlite3.node'));

  const dev = spawn('npm', ['run', 'dev'], {
    cwd: project,
    env: { ...cleanEnv(), PORT: '0', APSKIT_DATA_DIR: join(work, 'dev-data'), APSKIT_TIME_SCALE: '0.01' },
    detached: true, // its own process group: npm, its shell, apskit dev and the child serving the module
  });
  let output = '';
  dev.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  dev.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((done) => dev.once('exit', () => done()));
  try {
    const url = await until(
      MINUTE,
      () => /APSKit controller for APS application vps-hosting at (\S+)/.exec(output)?.[1],
    );
    if (!url) throw new Error(`npm run dev printed no URL within a minute:\n${output}`);
    expect(output).toContain('service servers: http://example.com/vps-hosting/server/1.0');

    const created = await fetch(`${url}/aps/2/resources`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ aps: { type: 'http://example.com/vps-hosting/server/1.0' }, hostname: 'web-1' }),
    });
    expect(created.status).toBe(202);
    const { aps } = (await created.json()) as { aps: { id: string } };
    const ready = await until(30_000, async () => {
      const server = (await (await fetch(`${url}/aps/2/resources/${aps.id}`)).json()) as {
        aps: { status: string };
        ipAddress?: string;
      };
      return server.aps.status === 'aps:ready' ? server : undefined;
    });
    expect(ready).toMatchObject({ hostname: 'web-1', memoryGb: 2, ipAddress: '192.0.2.10' });
  } finally {
    if (dev.exitCode === null && dev.pid !== undefined) process.kill(-dev.pid, 'SIGTERM');
    await exited;
  }
});

/** Polls `check` every 100 ms until it gives a value, or `ms` have passed (then undefined). */
async function until<T>(ms: number, check: () => T | undefined | Promise<T | undefined>): Promise<T | undefined> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined || Date.now() > end) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

it("every published package's declarations compile with skipLibCheck false in that project", () => {
  if (!projectInstalled) throw new Error('the project made by the test before was not installed: see its error');
  // What the project does not depend on yet (webhooks, store-postgres, …), added; then one module
  // that imports every package (and @apskit/store/testing), type-checked with the packages' own.
  const pkgFile = join(project, 'package.json');
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as Record<string, Record<string, string>>;
  for (const name of Object.keys(local)) {
    if (!pkg.dependencies[name] && !pkg.devDependencies[name]) pkg.dependencies[name] = local[name];
  }
  writeFileSync(pkgFile, JSON.stringify(pkg, null, 2));
  const install = run(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'],
    project,
    8 * MINUTE,
  );
  if (install.status !== 0) throw new Error(`npm install failed in the new project: ${said(install)}`);

  const modules = [...Object.keys(local), '@apskit/store/testing'].sort();
  writeFileSync(
    join(project, 'src/every-package.ts'),
    modules.map((m, i) => `export * as package${i} from '${m}';\n`).join(''),
  );
  expect(modules).toEqual(expect.arrayContaining(['@apskit/controller', '@apskit/store-postgres', '@apskit/webhooks']));
  const tsc = run(
    process.execPath,
    [join(project, 'node_modules/typescript/bin/tsc'), '--noEmit', '--skipLibCheck', 'false'],
    project,
    2 * MINUTE,
  );
  expect(said(tsc)).toBe('exit 0');
});
