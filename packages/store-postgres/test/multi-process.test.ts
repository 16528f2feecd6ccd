/**
 * Scale-out: three controller processes on one PostgreSQL database (selected by APSKIT_DATABASE_URL
 * alone), 1,000 async provisionings submitted across them as a load balancer would, and one process
 * killed with SIGKILL midway. The two left finish everything: every provisioning ends once, as
 * succeeded, none is lost, the killed process's tasks are taken over once their leases run out, and no
 * async call is made for a task after it ended.
 *
 * Child processes load '@apskit/*' from the built dist: `npm run build` first (`npm test` does).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { requirePostgres, TEST_DATABASE_URL, uniqueName, withClient } from '@apskit/test-support/postgres';

const APP = join(__dirname, 'fixtures/cluster-app.ts');
const TYPE = 'http://apskit.test/cluster/counted/1.0';
const PROVISIONINGS = 1000;
const LEASE_MS = 4000;

interface Child {
  readonly process: ChildProcess;
  readonly url: Promise<string>;
  readonly owner: Promise<string>;
}

function startChild(databaseUrl: string, log: string): Child {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', APP, log], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      APSKIT_DATABASE_URL: databaseUrl,
      APSKIT_LEASE_MS: String(LEASE_MS),
      TS_NODE_PROJECT: join(__dirname, '../../../tsconfig.json'),
      TS_NODE_FILES: 'false',
    },
  });
  const lines = createInterface({ input: child.stdout! });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) => reject(new Error(`controller process exited early (${code ?? signal})`))),
  );
  exited.catch(() => {});
  const line = (prefix: string) =>
    Promise.race([
      exited,
      new Promise<string>((resolve) =>
        lines.on('line', (l) => {
          if (l.startsWith(prefix)) resolve(l.slice(prefix.length));
        }),
      ),
    ]);
  return { process: child, url: line('port ').then((p) => `http://127.0.0.1:${p}`), owner: line('owner ') };
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

async function until<T>(what: string, fn: () => Promise<T> | T, check: (v: T) => boolean, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (check(v)) return v;
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms (last: ${JSON.stringify(v)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs `fn` on every item, `width` at a time. */
async function pool<T>(items: readonly T[], width: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    }),
  );
}

jest.setTimeout(120_000);

if (requirePostgres('the multi-process test')) {
  it('finishes 1,000 provisionings on three processes with one killed midway, each ending exactly once', async () => {
    const database = uniqueName('apskit_cluster');
    const adminUrl = TEST_DATABASE_URL as string;
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    const databaseUrl = url.toString();
    const dir = mkdtempSync(join(tmpdir(), 'apskit-cluster-'));
    const log = join(dir, 'calls.log');
    const children: Child[] = [];
    const db = <R>(sql: string, values: unknown[] = []) =>
      withClient(databaseUrl, async (c) => (await c.query(sql, values)).rows as R[]);
    await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${database}`));
    try {
      // Three processes start at once on the new database: the migrations' advisory lock serializes them.
      for (let i = 0; i < 3; i++) children.push(startChild(databaseUrl, log));
      const urls = await Promise.all(children.map((c) => c.url));

      // Submitted round-robin, as a load balancer would; each answers 202 after its first call.
      await pool(
        Array.from({ length: PROVISIONINGS }, (_, i) => i),
        24,
        async (i) => {
          const res = await fetch(`${urls[i % 3]}/aps/2/resources`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ aps: { type: TYPE }, name: `r${i}` }),
          });
          expect(res.status).toBe(202);
          await res.arrayBuffer();
        },
      );

      // Midway through the 3,000 async calls, the first process dies without a word.
      await until(
        'a third of the async calls',
        () => calls(log).length,
        (n) => n >= PROVISIONINGS,
        60_000,
      );
      const victim = children[0];
      const victimOwner = await victim.owner;
      // At a moment it holds attempts under way (each takes 20 ms), so that it dies holding tasks.
      await until(
        'the victim running tasks',
        () =>
          db<{ n: number }>(
            `SELECT count(*)::int AS n FROM apskit.tasks WHERE status = 'running' AND lease_owner = $1`,
            [victimOwner],
          ),
        ([{ n }]) => n >= 6,
        30_000,
      );
      victim.process.kill('SIGKILL');
      await new Promise((resolve) => victim.process.once('exit', resolve));
      const callsAtKill = calls(log).length;
      // A statement the process sent before it died still runs to its end, and may commit outcomes of
      // tasks it held: what it holds is counted once those have ended (well within the 4 s lease). With
      // fewer held tasks at the kill (3), all of them were sometimes in such a last statement.
      await new Promise((resolve) => setTimeout(resolve, 250));

      const [{ inflight }] = await db<{ inflight: number }>(
        `SELECT count(*)::int AS inflight FROM apskit.tasks WHERE status IN ('scheduled', 'running')`,
      );
      const orphans = (
        await db<{ id: string }>(`SELECT id FROM apskit.tasks WHERE status = 'running' AND lease_owner = $1`, [
          victimOwner,
        ])
      ).map((r) => r.id);
      expect(callsAtKill).toBeLessThan(3 * PROVISIONINGS); // killed midway: work was left
      expect(inflight).toBeGreaterThan(0);
      expect(orphans.length).toBeGreaterThan(0); // it died holding tasks

      await until(
        'every provisioning ended',
        () => db<{ n: number }>(`SELECT count(*)::int AS n FROM apskit.tasks WHERE status = 'succeeded'`),
        ([{ n }]) => n === PROVISIONINGS,
        90_000,
      );

      const tasks = await db<{ id: string; status: string; resource_id: string; ended_at: number }>(
        `SELECT id, status, resource_id, ended_at::float8 AS ended_at FROM apskit.tasks`,
      );
      expect(tasks).toHaveLength(PROVISIONINGS); // none lost, none made twice
      expect(tasks.every((t) => t.status === 'succeeded')).toBe(true);

      const events = await db<{ task_id: string; kind: string; n: number }>(
        `SELECT task_id, kind, count(*)::int AS n FROM apskit.task_events GROUP BY task_id, kind`,
      );
      const count = (kind: string) => new Map(events.filter((e) => e.kind === kind).map((e) => [e.task_id, e.n]));
      const succeeded = count('succeeded');
      expect(tasks.filter((t) => succeeded.get(t.id) !== 1)).toEqual([]); // each ended exactly once
      expect(events.filter((e) => e.kind === 'failed' || e.kind === 'canceled')).toEqual([]);
      // The killed process's tasks, and only those, were taken over: once each, after their leases ran out.
      const recovered = count('recovered');
      expect([...recovered.keys()].sort()).toEqual([...orphans].sort());
      expect([...recovered.values()].every((n) => n === 1)).toBe(true);

      const resources = await db<{ id: string; status: string; properties: { name: string; polls: number } }>(
        `SELECT id, status, properties FROM apskit.resources`,
      );
      expect(resources).toHaveLength(PROVISIONINGS);
      expect(resources.filter((r) => r.status !== 'aps:ready' || r.properties.polls !== 3)).toEqual([]);

      // No async call began after its task was recorded as ended (one clock: one machine).
      const nameOf = new Map(resources.map((r) => [r.id, r.properties.name]));
      const callsOf = new Map<string, number[]>();
      for (const c of calls(log)) callsOf.set(c.name, [...(callsOf.get(c.name) ?? []), c.at]);
      const late = tasks.filter((t) =>
        (callsOf.get(nameOf.get(t.resource_id) as string) ?? []).some((at) => at > t.ended_at),
      );
      expect(late).toEqual([]);
      // Repeated calls are those the killed process had under way: at most one per task it held.
      expect(calls(log).length - 3 * PROVISIONINGS).toBeLessThanOrEqual(orphans.length);
    } finally {
      for (const c of children)
        if (c.process.exitCode === null && c.process.signalCode === null) c.process.kill('SIGTERM');
      await Promise.all(
        children.map((c) =>
          c.process.exitCode === null && c.process.signalCode === null
            ? new Promise((resolve) => c.process.once('exit', resolve))
            : undefined,
        ),
      );
      await withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
