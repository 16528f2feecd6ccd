/**
 * A provisioner killed with SIGKILL between the acknowledgement and the result loses nothing: a new
 * process on the same SQLite file finishes the work, and each attempt gets its result exactly once,
 * with no provisioning made twice. The provisioner runs in a child process (its '@apskit/*' imports
 * are the built packages: `npm run build` first, as `npm test` does).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { eventually, FakeMarketplace, notification } from './fixtures/marketplace';

const PROVISIONER = join(__dirname, 'fixtures/crash-provisioner.ts');

interface Started {
  readonly child: ChildProcess;
  /** Where to deliver webhooks. */
  readonly url: Promise<string>;
  /** The controller's API, on its own listener. */
  readonly apiUrl: Promise<string>;
}

function start(dataDir: string, log: string, resultsUrl: string): Started {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', PROVISIONER, dataDir, log, resultsUrl],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, TS_NODE_PROJECT: join(__dirname, '../../../tsconfig.json'), TS_NODE_FILES: 'false' },
    },
  );
  const lines = createInterface({ input: child.stdout! });
  const urls = new Promise<[string, string]>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`provisioner process exited early with ${code}`)));
    lines.on('line', (line) => {
      if (line.startsWith('url ')) resolve(line.slice(4).split(' ') as [string, string]);
    });
  });
  return { child, url: urls.then(([url]) => url), apiUrl: urls.then(([, api]) => api) };
}

const calls = (log: string): string[] => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : []);

async function deliver(url: string, body: unknown): Promise<number> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-webhook-secret': 'crash-test-shared-secret' },
    body: JSON.stringify(body),
  });
  await res.text();
  return res.status;
}

jest.setTimeout(60_000);

it('posts every result exactly once after a SIGKILL between acknowledgement and result', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'apskit-webhooks-crash-'));
  const log = join(dir, 'calls.log');
  const marketplace = await new FakeMarketplace().start();
  let second: ChildProcess | undefined;
  try {
    const first = start(dir, log, marketplace.resultsUrl);
    const url = await first.url;
    const a = notification({ details: { owner: 'ada' } });
    const b = notification({ details: { owner: 'bob' } });
    expect(await deliver(url, a)).toBe(202);
    // Ada's box is being provisioned: its 202 is recorded (the first re-poll came), the result is not posted.
    await eventually(
      async () => calls(log),
      (c) => c.includes('async ada 1'),
    );
    expect(await deliver(url, b)).toBe(202); // Bob's is acknowledged, and the process dies right away
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    expect(marketplace.posts).toEqual([]);

    const db = new Database(join(dir, 'apskit.sqlite'), { readonly: true });
    // Both acknowledgements were on disk before their 202: as attempt tasks, or still in the intake task
    // that stored them together.
    const rows = db
      .prepare(`SELECT operation, request FROM tasks WHERE operation IN ('marketplace.attempt', 'marketplace.intake')`)
      .all() as Array<{ operation: string; request: string }>;
    db.close();
    const stored = new Set(
      rows.flatMap((r) => {
        const body = (JSON.parse(r.request) as { body: unknown }).body as {
          notification?: { provisionAttempt: { id: string } };
          notifications?: Array<{ notification: { provisionAttempt: { id: string } } }>;
        };
        return r.operation === 'marketplace.attempt'
          ? [body.notification!.provisionAttempt.id]
          : body.notifications!.map((x) => x.notification.provisionAttempt.id);
      }),
    );
    expect([...stored].sort()).toEqual([a.provisionAttempt.id, b.provisionAttempt.id].sort());

    const restarted = start(dir, log, marketplace.resultsUrl);
    second = restarted.child;
    const apiUrl = await restarted.apiUrl;
    for (const n of [a, b])
      await eventually(
        async () => marketplace.acceptedFor(n.provisionAttempt.id),
        (r) => r.length === 1,
        30_000,
      );
    // Give a duplicate the time it would need to show up.
    await new Promise((r) => setTimeout(r, 500));
    for (const n of [a, b]) {
      const posted = marketplace.posts.filter((p) => p.body.provisionAttemptId === n.provisionAttempt.id);
      expect(posted.map((p) => [p.answered, p.body.status])).toEqual([[201, 'Success']]);
    }
    // Ada's provision() ran once: its call had been recorded before the kill, and is never made again.
    expect(calls(log).filter((c) => c === 'provision ada')).toHaveLength(1);
    const resources = (await fetch(`${apiUrl}/aps/2/resources`).then((r) => r.json())) as Array<{
      owner: string;
      aps: { status: string };
    }>;
    expect(resources.map((r) => [r.owner, r.aps.status]).sort()).toEqual([
      ['ada', 'aps:ready'],
      ['bob', 'aps:ready'],
    ]);
  } finally {
    second?.kill('SIGTERM');
    await marketplace.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
