/**
 * The mail hosting example's upgrade from 1.0 to 1.1 (docs.cloudblue.com/cbc/sdk/21.0/api/rest/
 * application/upgrade), over HTTPS on 127.0.0.1: the controller on a SQLite file started with 1.0,
 * stopped, started with 1.1 on the same data, then `POST /apskit/instance/upgrade`: the app's
 * `upgrade()` runs, every resource moves to its 1.1 type (same major: as it is, the new property from
 * its default), and the instance shows version 1.1.
 */
import { mailServer, NS } from '../src';
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
} from './harness';

jest.setTimeout(60_000);

beforeAll(quickMailServer);
afterAll(removeDirs);

it('upgrades the instance: every resource moves to its 1.1 type, the new property from its default, version 1.1 shown', async () => {
  const dir = newDir();
  const v1 = await start('1.0', dir);
  // The endpoint calls the controller back at the URI recorded when the instance was installed:
  // the controller comes back on the same port, as a deployed one keeps its address.
  const port = Number(new URL(v1.url).port);
  let domainId: string;
  let mailboxIds: string[];
  try {
    const call = clientOf(v1);
    domainId = await domain(call, '1.0', 'upgrade.example', 5);
    mailboxIds = [
      await mailbox(call, '1.0', domainId, 'erin@upgrade.example'),
      await mailbox(call, '1.0', domainId, 'frank@upgrade.example'),
    ];
    mailServer.deliver('erin@upgrade.example', 40);
    await syncUsage(call);
    await eventually(
      async () => (await call('GET', `/aps/2/resources/${domainId}`)).body.diskspaceUsed,
      (v) => v === 40,
    );
  } finally {
    await v1.close();
  }

  // The same data directory, served by version 1.1: the same instance, not upgraded yet.
  const v11 = await start('1.1', dir, port);
  try {
    const call = clientOf(v11);
    const instance = (await call('GET', '/apskit/instance')).body;
    expect(instance).toMatchObject({ application: 'mail-hosting', version: null });
    expect((await call('GET', `/aps/2/resources/${mailboxIds[0]}`)).body.aps.type).toBe(`${NS}/mailbox/1.0`);
    expect(mailServer.spamFilter('erin@upgrade.example')).toBe(false);

    const started = await call('POST', '/apskit/instance/upgrade', { version: '1.1' });
    expect([200, 202]).toContain(started.status);
    const task = await eventually(
      async () => (await call('GET', '/apskit/tasks')).body as { name: string; status: string; output: string }[],
      (tasks) => tasks.some((t) => t.name === 'Upgrading application mail-hosting' && t.status === 'succeeded'),
    );
    expect(task.find((t) => t.name === 'Upgrading application mail-hosting')?.output).toMatch(/^Upgraded to 1\.1/);
    expect((await call('GET', '/apskit/instance')).body.version).toBe('1.1');

    // The root, the domain and the mailboxes are of the 1.1 types; what they held is kept.
    const root = (await call('GET', `/aps/2/resources/${instance.globalsId as string}`)).body;
    expect(root.aps).toMatchObject({ type: `${NS}/globals/1.1`, status: 'aps:ready' });
    const upgradedDomain = (await call('GET', `/aps/2/resources/${domainId}`)).body;
    expect(upgradedDomain).toMatchObject({
      aps: { type: `${NS}/domain/1.1` },
      name: 'upgrade.example',
      mailboxLimit: { limit: 5 },
      diskspaceUsed: 40,
    });
    for (const id of mailboxIds) {
      const m = (await call('GET', `/aps/2/resources/${id}`)).body;
      expect(m.aps).toMatchObject({ type: `${NS}/mailbox/1.1`, status: 'aps:ready' });
      expect(m.spamFilter).toBe(true); // new in 1.1: its default
      expect(m.domain.aps.id).toBe(domainId);
    }
    expect((await call('GET', `/aps/2/resources/${mailboxIds[0]}`)).body.diskspace).toEqual({ usage: 40 });
    // The app's upgrade() turned the filter on at the mail server.
    expect(mailServer.spamFilter('erin@upgrade.example')).toBe(true);

    // Writable as 1.1: the new property reaches the app's configure().
    const put = await call('PUT', `/aps/2/resources/${mailboxIds[1]}`, { spamFilter: false });
    expect(put.status).toBe(200);
    expect(mailServer.spamFilter('frank@upgrade.example')).toBe(false);

    // The domain still hears of its mailboxes' changes: its subscription made at 1.0 names
    // mailbox/1.0, which a mailbox/1.1 still is (a newer minor only adds).
    mailServer.deliver('frank@upgrade.example', 2);
    expect(await syncUsage(call)).toMatchObject({ status: 'succeeded' });
    await eventually(
      async () => (await call('GET', `/aps/2/resources/${domainId}`)).body.diskspaceUsed,
      (v) => v === 42,
    );
  } finally {
    await v11.close();
  }
});
