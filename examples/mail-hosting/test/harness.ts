/**
 * What the mail hosting tests share: the example served as it runs (controller and endpoint over
 * HTTPS on 127.0.0.1, scaled time, no periodic usage sync), a client of the controller's API over
 * HTTPS trusting its CA, and the steps a client takes (a domain, a mailbox, a usage sync).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mailServer, NS, serveMailHosting, type RunningMailHosting, type Version } from '../src';

export interface Reply {
  readonly status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test bodies are read loosely
  readonly body: any;
}

export type Call = (method: string, path: string, body?: unknown) => Promise<Reply>;

/** A client of the controller's API over HTTPS, trusting its CA, as `curl --cacert` would. */
export function clientOf(running: RunningMailHosting): Call {
  return (method, path, body) =>
    new Promise((resolve, reject) => {
      const text = body === undefined ? undefined : JSON.stringify(body);
      const req = https.request(
        running.url + path,
        {
          method,
          ca: running.ca,
          agent: false,
          headers: text === undefined ? {} : { 'content-type': 'application/json' },
        },
        (res) => {
          let out = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (out += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: out === '' ? undefined : JSON.parse(out) }));
        },
      );
      req.on('error', reject);
      req.end(text);
    });
}

export async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > end) throw new Error(`not reached within ${ms} ms: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const dirs: string[] = [];

export function start(version: Version, dataDir: string, port = 0): Promise<RunningMailHosting> {
  return serveMailHosting({
    version,
    dataDir,
    port,
    timeScale: 0.01,
    pollMs: 20,
    usageSyncSeconds: false,
    logger: false,
  });
}

export function newDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'apskit-mail-hosting-'));
  dirs.push(dir);
  return dir;
}

/** For a test file's beforeAll: the simulated server creates a mailbox in 150 ms. */
export function quickMailServer(): void {
  mailServer.creationMs = 150;
}

/** For a test file's afterAll: removes the data directories `newDir` made. */
export function removeDirs(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export async function domain(call: Call, version: Version, name: string, limit?: number): Promise<string> {
  const made = await call('POST', '/aps/2/resources', {
    aps: { type: `${NS}/domain/${version}` },
    name,
    ...(limit !== undefined && { mailboxLimit: { limit } }),
  });
  expect(made.status).toBe(200);
  return made.body.aps.id as string;
}

/** A mailbox of the domain, created asynchronously: 202, then aps:ready. */
export async function mailbox(call: Call, version: Version, domainId: string, address: string): Promise<string> {
  const made = await call('POST', '/aps/2/resources', {
    aps: { type: `${NS}/mailbox/${version}` },
    address,
    domain: { aps: { id: domainId } },
  });
  expect(made.status).toBe(202);
  expect(made.body.aps.status).toBe('aps:provisioning');
  const id = made.body.aps.id as string;
  await eventually(
    () => call('GET', `/aps/2/resources/${id}`),
    (r) => r.body.aps.status === 'aps:ready',
  );
  return id;
}

/** POST /apskit/usage/sync, and the task once it has ended. */
export async function syncUsage(call: Call): Promise<{ status: string; output: string }> {
  const started = await call('POST', '/apskit/usage/sync');
  expect(started.status).toBe(202);
  expect(started.body.name).toBe('Synchronize resource usage for APS application instance mail-hosting');
  const ended = await eventually(
    () => call('GET', `/apskit/tasks/${started.body.id as string}`),
    (r) => ['succeeded', 'failed'].includes(r.body.status),
  );
  return ended.body;
}
