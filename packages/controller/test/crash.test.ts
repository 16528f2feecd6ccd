/**
 * A crash test: a controller process with 200 provisionings in flight is killed with SIGKILL; a new
 * process on the same SQLite file finishes them all. Every resource becomes ready, every task ends
 * once, and no async phase is called for a task after it was recorded as ended.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { api, eventually } from './fixtures/harness';

const APP = join(__dirname, 'fixtures/crash-app.ts');

function start(
  dataDir: string,
  log: string,
  create: boolean,
): { child: ChildProcess; port: Promise<number>; created: Promise<void> } {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', APP, dataDir, log, ...(create ? ['create'] : [])],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, TS_NODE_PROJECT: join(__dirname, '../../../tsconfig.json'), TS_NODE_FILES: 'false' },
    },
  );
  const lines = createInterface({ input: child.stdout! });
  let onCreated: () => void = () => {};
  const created = new Promise<void>((resolve) => (onCreated = resolve));
  const port = new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`controller process exited early with ${code}`)));
    lines.on('line', (line) => {
      if (line.startsWith('port ')) resolve(Number(line.slice(5)));
      if (line === 'created') onCreated();
    });
  });
  return { child, port, created };
}

function calls(log: string): Array<{ name: string; at: number }> {
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [name, at] = l.split(' ');
      return { name: name as string, at: Number(at) };
    });
}

jest.setTimeout(120_000);

it('finishes all 200 provisionings after a SIGKILL, each task ending exactly once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'apskit-crash-'));
  const log = join(dir, 'calls.log');
  let second: ChildProcess | undefined;
  try {
    const first = start(dir, log, true);
    await first.port;
    await first.created;
    // Kill it mid-flight: some async calls made, far from all 600.
    await eventually(
      async () => calls(log).length,
      (n) => n >= 100,
      60_000,
    );
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));

    const db = new Database(join(dir, 'apskit.sqlite'), { readonly: true });
    const endedAtKill = (
      db.prepare(`SELECT COUNT(*) AS n FROM tasks WHERE status IN ('succeeded', 'failed', 'canceled')`).get() as {
        n: number;
      }
    ).n;
    const inFlight = (
      db.prepare(`SELECT COUNT(*) AS n FROM tasks WHERE status IN ('scheduled', 'running')`).get() as { n: number }
    ).n;
    const runningAtKill = (
      db.prepare(`SELECT COUNT(*) AS n FROM tasks WHERE status = 'running'`).get() as { n: number }
    ).n;
    db.close();
    expect(endedAtKill + inFlight).toBe(200);
    expect(inFlight).toBeGreaterThan(0); // the kill happened with work in flight

    const restarted = start(dir, log, false);
    second = restarted.child;
    const url = `http://127.0.0.1:${await restarted.port}`;
    const tasks = await eventually(
      () => api(url, 'GET', '/apskit/tasks'),
      (r) => r.body.length === 200 && r.body.every((t: { status: string }) => t.status === 'succeeded'),
      60_000,
    );

    const resources = await api(url, 'GET', '/aps/2/resources');
    expect(resources.body).toHaveLength(200);
    expect(
      resources.body.every(
        (r: { aps: { status: string }; polls: number }) => r.aps.status === 'aps:ready' && r.polls === 3,
      ),
    ).toBe(true);

    const names = new Map<string, string>(
      resources.body.map((r: { aps: { id: string }; name: string }) => [r.aps.id, r.name]),
    );
    const byName = new Map<string, number[]>();
    for (const c of calls(log)) byName.set(c.name, [...(byName.get(c.name) ?? []), c.at]);
    let recovered = 0;
    for (const t of tasks.body as Array<{ id: string; resourceId: string; endedAt: string }>) {
      const detail = await api(url, 'GET', `/apskit/tasks/${t.id}`);
      const kinds: string[] = detail.body.history.map((e: { kind: string }) => e.kind);
      expect(kinds.filter((k) => k === 'succeeded')).toHaveLength(1); // ended exactly once
      expect(kinds.filter((k) => k === 'failed' || k === 'canceled')).toHaveLength(0);
      recovered += kinds.filter((k) => k === 'recovered').length;
      // No async call began after the task was recorded as ended.
      const ended = Date.parse(t.endedAt);
      const at = byName.get(names.get(t.resourceId) as string) ?? [];
      expect(at.length).toBeGreaterThanOrEqual(3);
      expect(at.filter((x) => x > ended)).toEqual([]);
    }
    // Each task that was running at the kill was taken over by the new process, once.
    expect(recovered).toBe(runningAtKill);
  } finally {
    second?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
});
