/**
 * `apskit dev` as a developer runs it: the built command in a child process (its own process group),
 * on a module in a temporary folder outside the repository, on a free port of 127.0.0.1. The test
 * provisions through the controller's API, edits a type's file and sees the new property served
 * without restarting the command, with the earlier resource kept; then a broken edit prints the
 * declaration error while the last good version keeps serving, and a fixed edit serves again.
 * Every wait is bounded (polls), and the process group is killed at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');
const BIN = join(ROOT, 'packages/cli/bin/apskit.js');
const VPS = 'http://example.com/dev-test/vps/1.0';

jest.setTimeout(120_000);

const vpsSource = (
  members: string,
  id = VPS,
): string => `import { Accepted, ApsType, CoreTypes, Property } from '@apskit/core';

@ApsType({ name: 'vps', id: '${id}', implements: [CoreTypes.resource] })
export class Vps {
  @Property() hostname?: string;
${members}
  provision(): void {
    // Asynchronous provisioning: 202, and provisionAsync() 1 s (scaled) later.
    throw new Accepted(this, 'Creating the VPS', 1);
  }

  provisionAsync(): void {}
}
`;

let project: string;
let dev: ChildProcess | undefined;
let stdout = '';
let stderr = '';

beforeEach(() => {
  project = mkdtempSync(join(tmpdir(), 'apskit-dev-'));
  // The project's dependencies: the monorepo's, as an installed project would have them.
  symlinkSync(join(ROOT, 'node_modules'), join(project, 'node_modules'), 'dir');
  mkdirSync(join(project, 'src'));
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'vps-app', private: true, apskit: { module: 'src/index.ts' } }, null, 2),
  );
  writeFileSync(join(project, 'src/vps.ts'), vpsSource(''));
  writeFileSync(
    join(project, 'src/index.ts'),
    "import { Vps } from './vps';\nexport { Vps };\nexport const services = { vpses: Vps };\n",
  );
  stdout = '';
  stderr = '';
});

afterEach(async () => {
  if (dev?.pid !== undefined && dev.exitCode === null && dev.signalCode === null) {
    const exited = new Promise((r) => dev?.once('exit', r));
    try {
      process.kill(-dev.pid, 'SIGKILL');
    } catch {
      // gone already
    }
    await exited;
  }
  dev = undefined;
  rmSync(project, { recursive: true, force: true });
});

function startDev(args: string[] = []): ChildProcess {
  const child = spawn(process.execPath, [BIN, 'dev', '--port', '0', ...args], {
    cwd: project,
    env: { ...process.env, APSKIT_TIME_SCALE: '0.01', APSKIT_LOG_LEVEL: 'silent', PORT: '', APSKIT_DATA_DIR: '' },
    // Its own process group: the test kills the command and the versions it started, all of them.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.setEncoding('utf8').on('data', (t: string) => (stdout += t));
  child.stderr?.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  dev = child;
  return child;
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`Timed out waiting for ${what}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const countOf = (text: string, part: string): number => text.split(part).length - 1;

async function api(url: string, init?: RequestInit): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

const provision = (url: string, body: object): Promise<{ status: number; body: unknown }> =>
  api(`${url}/aps/2/resources`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ aps: { type: VPS }, ...body }),
  });

async function propertiesOfVps(url: string): Promise<string[]> {
  const { body } = await api(`${url}/aps/2/types/${encodeURIComponent(VPS)}`);
  return Object.keys((body as { properties: Record<string, unknown> }).properties);
}

interface Aps {
  aps: { id: string; status: string };
}

test('apskit dev serves a module, reloads a type whose file changed (resources kept), and survives a broken edit', async () => {
  startDev();
  const url = await until(
    'the banner',
    () => /controller for APS application vps-app at (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1],
  );
  expect(stdout).toContain(`${url}/console`);
  expect(stdout).toContain(`service vpses: ${VPS}`);
  await until('the watcher', () => (stdout.includes('apskit dev: watching') ? true : undefined));
  const console = await fetch(`${url}/console`, { signal: AbortSignal.timeout(10_000) });
  expect(console.status).toBe(200);

  // Provisioned through the controller's API: asynchronous, ready once provisionAsync() ran.
  const created = await provision(url, { hostname: 'web-1' });
  expect(created.status).toBe(202); // Accepted: provisioning goes on as a task
  const id = (created.body as Aps).aps.id;
  await until('the VPS ready', async () => {
    const r = await api(`${url}/aps/2/resources/${id}`);
    return (r.body as Aps).aps.status === 'aps:ready' ? true : undefined;
  });
  expect(await propertiesOfVps(url)).toEqual(['hostname']);

  // A property added to the type's file: served after the reload, the command never restarted.
  writeFileSync(join(project, 'src/vps.ts'), vpsSource('  @Property() cores?: number;\n'));
  await until('the reload', () =>
    stdout.includes('apskit dev: reloaded after a change to src/vps.ts') ? true : undefined,
  );
  expect(await propertiesOfVps(url)).toEqual(['hostname', 'cores']);
  const withCores = await provision(url, { hostname: 'web-2', cores: 4 });
  expect(withCores.status).toBe(202);
  expect(withCores.body).toMatchObject({ cores: 4 });
  const earlier = await api(`${url}/aps/2/resources/${id}`);
  expect(earlier.status).toBe(200);
  expect(earlier.body).toMatchObject({ aps: { id, status: 'aps:ready' }, hostname: 'web-1' });
  expect(dev?.exitCode).toBeNull();

  // A broken edit (an invalid type ID): the mistake printed, the last good version still serving.
  writeFileSync(join(project, 'src/vps.ts'), vpsSource('  @Property() cores?: number;\n', 'vps'));
  await until('the declaration error', () =>
    stderr.includes('still serving the last good version') ? true : undefined,
  );
  expect(stderr).toContain('invalid type ID "vps"');
  expect(stderr).toContain(`still serving the last good version at ${url}`);
  expect(await propertiesOfVps(url)).toEqual(['hostname', 'cores']);

  // Fixed: served again, and both resources are still there.
  writeFileSync(
    join(project, 'src/vps.ts'),
    vpsSource('  @Property() cores?: number;\n  @Property() memory?: number;\n'),
  );
  await until('the second reload', () => (countOf(stdout, 'apskit dev: reloaded') >= 2 ? true : undefined));
  expect(await propertiesOfVps(url)).toEqual(['hostname', 'cores', 'memory']);
  const list = await api(`${url}/aps/2/resources`);
  expect((list.body as Aps[]).map((r) => r.aps.id)).toEqual(
    expect.arrayContaining([id, (withCores.body as Aps).aps.id]),
  );
  // The store is the project's .apskit folder (the default data folder, beside where the command ran).
  expect(readFileSync(join(project, '.apskit/apskit.sqlite')).length).toBeGreaterThan(0);

  // Stopped as Ctrl-C or a service manager stops it: the serving version first, then the command.
  const exited = new Promise<number | null>((r) => dev?.once('exit', (code) => r(code)));
  dev?.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(stdout).toContain('apskit dev: stopped');
});

test('apskit dev started on a broken module serves nothing, says so, and serves once a fix is saved', async () => {
  writeFileSync(join(project, 'src/vps.ts'), `${vpsSource('')}export const half = ;\n`);
  startDev();
  // The TypeScript syntax error, with its file and position.
  await until('the syntax error', () => (/vps\.ts\(\d+,\d+\): error TS1109/.test(stderr) ? true : undefined));
  expect(stderr).toContain('nothing is served until the module loads');
  await until('the watcher', () => (stdout.includes('apskit dev: watching') ? true : undefined));
  expect(dev?.exitCode).toBeNull();

  writeFileSync(join(project, 'src/vps.ts'), vpsSource(''));
  const url = await until(
    'the banner',
    () => /controller for APS application vps-app at (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1],
  );
  expect(await propertiesOfVps(url)).toEqual(['hostname']);
});

// The controller names itself in every request to the app (APS-Controller-URI, "Mandatory in each REST
// request": https://docs.cloudblue.com/cbc/sdk/21.0/api/rest/protocol/headers); the endpoint is a test
// double written from the spec, answering a provisioning POST with the resource (200: done).
test('apskit dev --endpoint-url drives an endpoint running elsewhere: only the controller and console are served', async () => {
  const seen: { method: string; url: string; controllerUri: string | undefined }[] = [];
  const endpoint = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const controllerUri = req.headers['aps-controller-uri'];
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        controllerUri: typeof controllerUri === 'string' ? controllerUri : undefined,
      });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(body || '{}');
    });
  });
  await new Promise<void>((r) => endpoint.listen(0, '127.0.0.1', r));
  try {
    const endpointUrl = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/`;
    startDev(['--endpoint-url', endpointUrl]);
    const url = await until(
      'the banner',
      () => /controller for APS application vps-app at (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1],
    );
    expect(stdout).toContain(`endpoint:         ${endpointUrl} (running elsewhere`);

    const created = await provision(url, { hostname: 'web-1' });
    expect(created.status).toBeLessThan(300);
    const id = (created.body as Aps).aps.id;
    await until('the VPS ready', async () => {
      const r = await api(`${url}/aps/2/resources/${id}`);
      return (r.body as Aps).aps.status === 'aps:ready' ? true : undefined;
    });
    const post = seen.find((s) => s.method === 'POST' && s.url.startsWith('/vpses'));
    expect(post).toMatchObject({ controllerUri: expect.stringContaining(url) as unknown });

    // Ctrl-C in a terminal reaches the whole process group: the command still stops its version in order.
    const exited = new Promise<number | null>((r) => dev?.once('exit', (code) => r(code)));
    process.kill(-(dev?.pid as number), 'SIGINT');
    expect(await exited).toBe(0);
    expect(stdout).toContain('apskit dev: stopped');
  } finally {
    await new Promise((r) => endpoint.close(r));
  }
});
