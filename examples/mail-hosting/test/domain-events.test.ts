/**
 * The mail hosting example's domains and their mailboxes' events, over HTTPS on 127.0.0.1: each
 * domain is subscribed by its declaration (`@OnEvent(Events.changed, { source: () => Mailbox })`) and
 * receives a notification on its handler for each change of a mailbox it may see
 * (docs.cloudblue.com/cbc/sdk/8.2/concepts/events/aps-event/event-processing/); the handler writes the
 * domain's total usage back as the application, with its instance certificate.
 */
import { mailServer, NS, type RunningMailHosting } from '../src';
import {
  clientOf,
  domain,
  eventually,
  mailbox,
  newDir,
  quickMailServer,
  removeDirs,
  start,
  syncUsage,
  type Call,
} from './harness';

jest.setTimeout(60_000);

let running: RunningMailHosting;
let call: Call;
let example: string;
let other: string;
let alice: string;

beforeAll(async () => {
  quickMailServer();
  running = await start('1.0', newDir());
  call = clientOf(running);
  example = await domain(call, '1.0', 'events.example');
  other = await domain(call, '1.0', 'events.example.org');
  alice = await mailbox(call, '1.0', example, 'alice@events.example');
  await mailbox(call, '1.0', example, 'bob@events.example');
  await mailbox(call, '1.0', other, 'carol@events.example.org');
});

afterAll(async () => {
  await running.close();
  removeDirs();
});

const summary = async (id: string): Promise<unknown> =>
  (await call('GET', `/aps/2/resources/${id}`)).body.diskspaceUsed;

it('each domain is subscribed to changed of mailboxes, by its declaration', async () => {
  const subscriptions = await call('GET', `/aps/2/resources/${example}/aps/subscriptions`);
  expect(subscriptions.body).toEqual([
    expect.objectContaining({
      event: 'http://aps-standard.org/core/events/changed',
      source: { type: `${NS}/mailbox/1.0` },
      handler: 'onMailboxChanged',
      declared: true,
    }),
  ]);
});

it("a domain hears of its mailboxes' changes and keeps their total; another domain's mailbox changes nothing", async () => {
  mailServer.deliver('alice@events.example', 120);
  mailServer.deliver('bob@events.example', 30);
  mailServer.deliver('carol@events.example.org', 7);
  await syncUsage(call);
  // The sync's writes raised one `changed` per mailbox; each domain's handler added up its own.
  await eventually(
    () => summary(example),
    (v) => v === 150,
  );
  await eventually(
    () => summary(other),
    (v) => v === 7,
  );
  // Each change was delivered to both domains' handlers (both may see every mailbox), as tasks.
  const deliveries = (await call('GET', '/apskit/tasks?operation=aps.event.deliver')).body as {
    name: string;
    status: string;
  }[];
  expect(deliveries.filter((t) => t.name.includes(`"changed" of ${alice} to ${example}`))).toEqual([
    expect.objectContaining({ status: 'succeeded' }),
  ]);

  // More mail for bob: the next sync's change reaches the domain's handler, which writes 160.
  mailServer.deliver('bob@events.example', 10);
  await syncUsage(call);
  await eventually(
    () => summary(example),
    (v) => v === 160,
  );
  expect(await summary(other)).toBe(7);
});

it("the summary is the app's to write: a client's PUT of it is refused", async () => {
  const put = await call('PUT', `/aps/2/resources/${example}`, { diskspaceUsed: 0 });
  expect(put.status).toBe(400);
  expect(JSON.stringify(put.body)).toContain('diskspaceUsed');
  expect(await summary(example)).toBe(160);
});
