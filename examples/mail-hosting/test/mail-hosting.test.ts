/**
 * The mail hosting example end to end, over HTTPS on 127.0.0.1: APSKit's controller (API and
 * console) and the example's endpoint, each on its own server, the instance installed on the
 * endpoint at the controller's first start; the test calls the controller's API as a client does.
 * - Asynchronous provisioning of mailboxes (202, then aps:ready).
 * - Usage: the controller's "Synchronize resource usage" task calls each mailbox's retrieve and
 *   stores its `diskspace` Counter (docs.cloudblue.com/cbc/sdk/8.2/apps/proc/counters/).
 * - Limits: more mailboxes than the domain's `mailboxLimit` is a 403 (KB 119958: "Creation of
 *   resource with type '…' is not allowed").
 * The mail server is the example's simulated one, in this process.
 */
import { mailServer, NS, type RunningMailHosting } from '../src';
import { clientOf, domain, mailbox, newDir, quickMailServer, removeDirs, start, syncUsage, type Call } from './harness';

jest.setTimeout(60_000);

let running: RunningMailHosting;
let call: Call;
let example: string;
let other: string;
let alice: string;
let bob: string;
let carol: string;

beforeAll(async () => {
  quickMailServer();
  running = await start('1.0', newDir());
  call = clientOf(running);
  example = await domain(call, '1.0', 'example.com', 2);
  other = await domain(call, '1.0', 'other.org');
});

afterAll(async () => {
  await running.close();
  removeDirs();
});

it('refuses a domain name that is not one (400 naming the property)', async () => {
  const refused = await call('POST', '/aps/2/resources', { aps: { type: `${NS}/domain/1.0` }, name: 'Not A Domain' });
  expect(refused.status).toBe(400);
  expect(JSON.stringify(refused.body)).toContain('name');
});

it('provisions mailboxes asynchronously: 202, then aps:ready once the mail server has created them', async () => {
  alice = await mailbox(call, '1.0', example, 'alice@example.com');
  bob = await mailbox(call, '1.0', example, 'bob@example.com');
  carol = await mailbox(call, '1.0', other, 'carol@other.org');
  expect(mailServer.isReady('alice@example.com')).toBe(true);
  const tasks = (await call('GET', `/apskit/tasks?resourceId=${alice}`)).body as { name: string; status: string }[];
  expect(tasks).toEqual([
    expect.objectContaining({ name: 'Provisioning "mailbox" for APS application mail-hosting', status: 'succeeded' }),
  ]);
});

it("the usage sync stores each mailbox's disk space as the mail server reports it (POST /apskit/usage/sync)", async () => {
  mailServer.deliver('alice@example.com', 120);
  mailServer.deliver('bob@example.com', 30);
  mailServer.deliver('carol@other.org', 7);
  const task = await syncUsage(call);
  expect(task).toMatchObject({ status: 'succeeded', output: 'Synchronized 3 of 3 resources (3 changed)' });
  expect((await call('GET', `/aps/2/resources/${alice}`)).body.diskspace).toEqual({ usage: 120 });
  expect((await call('GET', `/aps/2/resources/${bob}`)).body.diskspace).toEqual({ usage: 30 });
  expect((await call('GET', `/aps/2/resources/${carol}`)).body.diskspace).toEqual({ usage: 7 });

  // Nothing new on the mail server: a second sync changes nothing.
  expect(await syncUsage(call)).toMatchObject({ output: 'Synchronized 3 of 3 resources (0 changed)' });
});

it("a mailbox beyond the domain's mailboxLimit is refused with 403 naming the limit, and nothing is stored", async () => {
  const count = async () =>
    ((await call('GET', `/aps/2/resources?implementing(${NS}/mailbox/1.0)`)).body as unknown[]).length;
  const before = await count();
  const refused = await call('POST', '/aps/2/resources', {
    aps: { type: `${NS}/mailbox/1.0` },
    address: 'dave@example.com',
    domain: { aps: { id: example } },
  });
  expect(refused.status).toBe(403);
  expect(refused.body.message).toBe(
    `Creation of resource with type '${NS}/mailbox/1.0' is not allowed: ${example} has 2 of 2 mailboxes (mailboxLimit.limit)`,
  );
  expect(await count()).toBe(before);
  expect(mailServer.isReady('dave@example.com')).toBe(false); // the app was not called

  // A domain without a limit takes as many as it is given.
  await mailbox(call, '1.0', other, 'dave@other.org');
});
