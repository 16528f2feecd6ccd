/**
 * Issue 19: events survive a crash. A change and its notification's delivery task are stored in one
 * step (the task table is the outbox), so a controller killed with SIGKILL between a change and the
 * end of its delivery delivers it after a restart on the same SQLite file, at least once, and each
 * change's notification is acknowledged (answered 200) once. Delivery rules:
 * docs.cloudblue.com/cbc/sdk/8.2/concepts/events/aps-event/event-processing. The controller is a child
 * process; the handler is the HTTP double of ./fixtures/event-endpoint, in this process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { api, eventually } from './fixtures/harness';
import { DOMAIN, MAILBOX } from './fixtures/event-app';
import { startEventEndpoint, type EventEndpoint, type Received } from './fixtures/event-endpoint';

const PROCESS = join(__dirname, 'fixtures/event-controller-process.ts');
const CHANGED = 'http://aps-standard.org/core/events/changed';

function start(dataDir: string, endpointUrl: string): { child: ChildProcess; url: Promise<string> } {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', PROCESS, dataDir, endpointUrl], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, TS_NODE_PROJECT: join(__dirname, '../../../tsconfig.json'), TS_NODE_FILES: 'false' },
  });
  const lines = createInterface({ input: child.stdout! });
  const url = new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`controller process exited early with ${code}`)));
    lines.on('line', (line) => {
      if (line.startsWith('port ')) resolve(`http://127.0.0.1:${line.slice(5)}`);
    });
  });
  return { child, url };
}

jest.setTimeout(120_000);

let endpoint: EventEndpoint;
let dir: string;
let second: ChildProcess | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'apskit-events-crash-'));
  endpoint = await startEventEndpoint();
});

afterAll(async () => {
  second?.kill('SIGTERM');
  await endpoint?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('delivers after a SIGKILL between a change and its delivery, each change acknowledged once, in order', async () => {
  const first = start(dir, endpoint.url);
  let url = await first.url;
  const create = async (body: Record<string, unknown>): Promise<string> => {
    const reply = await api(url, 'POST', '/aps/2/resources', body);
    expect(reply.status).toBe(200);
    return reply.body.aps.id as string;
  };
  const domain = await create({ aps: { type: DOMAIN }, name: 'd' });
  const mailbox = await create({ aps: { type: MAILBOX }, name: 'm' });
  const sub = await api(url, 'POST', `/aps/2/resources/${domain}/aps/subscriptions`, {
    event: CHANGED,
    source: { id: mailbox },
    handler: 'onEvent',
  });
  expect(sub.status).toBe(200);

  // The first delivery is held unanswered; a second change is made meanwhile.
  endpoint.answer = () => 'hold';
  expect((await api(url, 'PUT', `/aps/2/resources/${mailbox}`, { size: 1 })).status).toBe(200);
  await eventually(
    async () => endpoint.notifications(domain),
    (n) => n.length === 1,
  );
  expect((await api(url, 'PUT', `/aps/2/resources/${mailbox}`, { size: 2 })).status).toBe(200);
  first.child.kill('SIGKILL');
  await new Promise((resolve) => first.child.once('exit', resolve));
  endpoint.release(500); // the killed process never reads it

  // Acknowledged from now on: each call answered 200 is counted per serial.
  const acknowledged: Received[] = [];
  endpoint.answer = (call) => {
    acknowledged.push(call);
    return { status: 200 };
  };
  const restarted = start(dir, endpoint.url);
  second = restarted.child;
  url = await restarted.url;
  const key = encodeURIComponent(`event-delivery:${domain}:${mailbox}`);
  const tasks = await eventually(
    () => api(url, 'GET', `/apskit/tasks?resourceId=${key}`),
    (r) => r.body.length === 2 && r.body.every((t: { status: string }) => t.status === 'succeeded'),
    60_000,
  );
  expect(tasks.body).toHaveLength(2);
  const serials = acknowledged.map((c) => c.body.serial as number);
  expect(serials).toHaveLength(2); // each change's notification acknowledged once
  expect(serials[1]).toBeGreaterThan(serials[0]!); // in order: the first change's first
  // The held one was the first change's: the restarted process delivered it again.
  expect(endpoint.notifications(domain)[0]!.body.serial).toBe(serials[0]);
});
