/**
 * Issue 18: access rules and `encrypted` properties, enforced by the controller for every caller,
 * over real HTTP on 127.0.0.1 with bearer tokens (an administrator, the owners of two accounts) and
 * the application itself (its in-process endpoint's secret). The app's types carry APS `access`
 * attributes (docs.cloudblue.com/cbc/sdk/21.0/api/types/type-definition/general, "access";
 * docs.cloudblue.com/cbc/sdk/8.2/concepts/security/model, authorization) and an encrypted property,
 * returned only to the application (kb.odin.com/en/118502, kb.odin.com/en/118247: "encrypted
 * properties are not returned by controller" under an account's identity).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, serveController, type RunningController } from '@apskit/controller';
import { appSecretFetch } from '../src/auth/app-secret';
import { api, type Reply } from './fixtures/harness';
import {
  ACCOUNT_TYPE,
  app,
  endpointCalls,
  LEDGER_TYPE,
  NOTICE_TYPE,
  SUBSCRIPTION_TYPE,
  VAULT_TYPE,
} from './fixtures/access-app';

const ADMIN = 'access-admin-token-0123456789abcdef';
const OWNER_A = 'access-owner-a-token-0123456789abcd';
const OWNER_B = 'access-owner-b-token-0123456789abcd';
const PASSWORD = 'pw-4f1c9a7e-never-shown';
const hex = (text: string): string => createHash('sha256').update(text).digest('hex');
const bearer = (token: string): Record<string, string> => ({ Authorization: `Bearer ${token}` });
const admin = bearer(ADMIN);
const ownerA = bearer(OWNER_A);
const ownerB = bearer(OWNER_B);

let running: RunningController;
let controller: Controller;
let dir: string;
let accountA: string;
let accountB: string;
let subscriptionA: string;
/** A's vault (linked to its account), A's vault through A's subscription, B's vault. */
let vaultA: string;
let vaultViaSub: string;
let vaultB: string;
let noticeB: string;
let ledgerA: string;
/** Everything written to the console while the controller ran: the encrypted value must never be in it. */
const logged: string[] = [];
const spies: jest.SpyInstance[] = [];

async function create(body: Record<string, unknown>): Promise<string> {
  const result = await controller.provision(body);
  expect(result.status).toBe(200);
  return (result.resource as { aps: { id: string } }).aps.id;
}

const link = (id: string): { aps: { id: string } } => ({ aps: { id } });
const href = (id: string): string => `/aps/2/resources/${id}`;
const appFetch = (): typeof fetch => appSecretFetch(controller);

/** A read as the application makes it: authenticated by its in-process secret, not by a header. */
async function asApp(path: string): Promise<Reply> {
  const res = await appFetch()(`${running.url}${path}`);
  return { status: res.status, headers: res.headers, body: await res.json() };
}

beforeAll(async () => {
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const)
    spies.push(
      jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        logged.push(args.map((a) => (typeof a === 'string' ? a : (JSON.stringify(a) ?? String(a)))).join(' '));
      }),
    );
  dir = mkdtempSync(join(tmpdir(), 'apskit-access-'));
  const tokensFile = join(dir, 'tokens.json');
  controller = new Controller({ app, dataDir: dir, tokens: tokensFile });
  await controller.start();
  accountA = await create({ aps: { type: ACCOUNT_TYPE }, name: 'A' });
  accountB = await create({ aps: { type: ACCOUNT_TYPE }, name: 'B' });
  subscriptionA = await create({ aps: { type: SUBSCRIPTION_TYPE }, plan: 'gold', account: link(accountA) });
  vaultA = await create({
    aps: { type: VAULT_TYPE },
    name: 'a1',
    note: 'provider says',
    ownerNote: 'owner says',
    password: PASSWORD,
    account: link(accountA),
  });
  vaultViaSub = await create({ aps: { type: VAULT_TYPE }, name: 'a2', subscription: link(subscriptionA) });
  vaultB = await create({ aps: { type: VAULT_TYPE }, name: 'b1', note: 'for b', account: link(accountB) });
  noticeB = await create({ aps: { type: NOTICE_TYPE }, text: 'maintenance', account: link(accountB) });
  ledgerA = await create({ aps: { type: LEDGER_TYPE }, total: 10, account: link(accountA) });
  // The owners' tokens name their accounts, known only now: the file is read when the API is served.
  writeFileSync(
    tokensFile,
    JSON.stringify([
      { 'token-sha256': hex(ADMIN), role: 'admin', subject: 'ops' },
      { 'token-sha256': hex(OWNER_A), role: 'owner', account: accountA, subject: 'a' },
      { 'token-sha256': hex(OWNER_B), role: 'owner', account: accountB, subject: 'b' },
    ]),
  );
  running = await serveController(controller, { port: 0 });
});

afterAll(async () => {
  await running?.close();
  rmSync(dir, { recursive: true, force: true });
  for (const spy of spies) spy.mockRestore();
});

describe('an account owner reaches only its account’s resources', () => {
  it('reads its own (linked to its account, or to its subscription), and gets 404 for another account’s, as for a missing one', async () => {
    expect((await api(running.url, 'GET', href(vaultA), undefined, ownerA)).status).toBe(200);
    expect((await api(running.url, 'GET', href(vaultViaSub), undefined, ownerA)).status).toBe(200);
    expect((await api(running.url, 'GET', href(accountA), undefined, ownerA)).status).toBe(200);
    const other = await api(running.url, 'GET', href(vaultB), undefined, ownerA);
    const missing = await api(running.url, 'GET', href('00000000-0000-4000-8000-000000000000'), undefined, ownerA);
    expect(other.status).toBe(404);
    expect(missing.status).toBe(404);
    // The same answer but for the id: nothing tells an existing resource of another account from none.
    expect(JSON.stringify(other.body).replace(vaultB, 'ID')).toBe(
      JSON.stringify(missing.body).replace('00000000-0000-4000-8000-000000000000', 'ID'),
    );
    expect((await api(running.url, 'GET', href(accountB), undefined, ownerA)).status).toBe(404);
    expect((await api(running.url, 'GET', href(vaultB), undefined, ownerB)).status).toBe(200);
  });

  it('lists and queries only its resources, paged and counted in the store', async () => {
    const list = await api(
      running.url,
      'GET',
      `/aps/2/resources?implementing(${encodeURIComponent(VAULT_TYPE)})`,
      undefined,
      ownerA,
    );
    expect(list.status).toBe(200);
    expect(list.body.map((r: { aps: { id: string } }) => r.aps.id).sort()).toEqual([vaultA, vaultViaSub].sort());
    expect(list.headers.get('content-range')).toBe('items 0-1/2');
    const page = await api(
      running.url,
      'GET',
      `/aps/2/resources?implementing(${encodeURIComponent(VAULT_TYPE)}),sort(+name),limit(1,1)`,
      undefined,
      ownerA,
    );
    expect(page.body.map((r: { name: string }) => r.name)).toEqual(['a2']);
    expect(page.headers.get('content-range')).toBe('items 1-1/2');
    const all = await api(running.url, 'GET', '/aps/2/resources', undefined, ownerA);
    const ids = all.body.map((r: { aps: { id: string } }) => r.aps.id);
    expect(ids).not.toContain(vaultB);
    expect(ids).not.toContain(accountB);
    const adminList = await api(
      running.url,
      'GET',
      `/aps/2/resources?implementing(${encodeURIComponent(VAULT_TYPE)})`,
      undefined,
      admin,
    );
    expect(adminList.body).toHaveLength(3);
  });

  it('reads a global type’s resources of every account, and may not change another account’s (403)', async () => {
    const notices = await api(
      running.url,
      'GET',
      `/aps/2/resources?implementing(${encodeURIComponent(NOTICE_TYPE)})`,
      undefined,
      ownerA,
    );
    expect(notices.body.map((r: { aps: { id: string } }) => r.aps.id)).toEqual([noticeB]);
    const before = endpointCalls.length;
    const put = await api(running.url, 'PUT', href(noticeB), { text: 'mine now' }, ownerA);
    expect(put.status).toBe(403);
    expect(endpointCalls.length).toBe(before);
    expect((await api(running.url, 'GET', href(noticeB), undefined, admin)).body.text).toBe('maintenance');
  });

  it('does not see a type whose access hides it from owners, even linked to its account', async () => {
    expect((await api(running.url, 'GET', href(ledgerA), undefined, ownerA)).status).toBe(404);
    const list = await api(
      running.url,
      'GET',
      `/aps/2/resources?implementing(${encodeURIComponent(LEDGER_TYPE)})`,
      undefined,
      ownerA,
    );
    expect(list.body).toEqual([]);
    expect((await api(running.url, 'GET', href(ledgerA), undefined, admin)).status).toBe(200);
  });

  it('changes only its own: another account’s resource is a 404, and nothing is called or stored', async () => {
    const before = endpointCalls.length;
    expect((await api(running.url, 'PUT', href(vaultB), { name: 'taken' }, ownerA)).status).toBe(404);
    expect((await api(running.url, 'DELETE', href(vaultB), undefined, ownerA)).status).toBe(404);
    expect((await api(running.url, 'GET', `${href(vaultB)}/ping`, undefined, ownerA)).status).toBe(404);
    expect(endpointCalls.length).toBe(before);
    expect((await api(running.url, 'GET', href(vaultB), undefined, admin)).body.name).toBe('b1');
  });

  it('relinks its resource only to resources it reaches: another account is a 404, nothing changed', async () => {
    const before = endpointCalls.length;
    const put = await api(running.url, 'PUT', href(vaultViaSub), { account: link(accountB) }, ownerA);
    expect(put.status).toBe(404);
    expect(put.body.details).toEqual([{ field: 'account.aps.id', message: 'names no existing resource' }]);
    expect(endpointCalls.length).toBe(before);
    expect((await api(running.url, 'GET', href(vaultViaSub), undefined, admin)).body).not.toHaveProperty('account');
  });

  it('creates resources only linked to its account (or subscription), never to another account’s', async () => {
    const before = endpointCalls.length;
    const foreign = await api(
      running.url,
      'POST',
      '/aps/2/resources',
      { aps: { type: VAULT_TYPE }, name: 'x', account: link(accountB) },
      ownerA,
    );
    expect(foreign.status).toBe(404);
    const unlinked = await api(
      running.url,
      'POST',
      '/aps/2/resources',
      { aps: { type: VAULT_TYPE }, name: 'x' },
      ownerA,
    );
    expect(unlinked.status).toBe(403);
    expect(endpointCalls.length).toBe(before);
    const made = await api(
      running.url,
      'POST',
      '/aps/2/resources',
      { aps: { type: VAULT_TYPE }, name: 'a3', password: PASSWORD, subscription: link(subscriptionA) },
      ownerA,
    );
    expect(made.status).toBe(200);
    // Stored as given and sent to the endpoint as given (the app needs it), never shown back to the owner.
    expect(made.body.password).toBeUndefined();
    expect(endpointCalls.at(-1)).toEqual([
      'provision',
      made.body.aps.id,
      expect.objectContaining({ password: PASSWORD }),
    ]);
    expect((await asApp(href(made.body.aps.id))).body.password).toBe(PASSWORD);
    expect((await api(running.url, 'GET', href(made.body.aps.id), undefined, ownerA)).status).toBe(200);
  });
});

describe('hidden members and encrypted values', () => {
  it('a read shows each role only what its access lets it read; encrypted values only to the app', async () => {
    const owner = (await api(running.url, 'GET', href(vaultA), undefined, ownerA)).body;
    expect(owner).toMatchObject({ name: 'a1', ownerNote: 'owner says' });
    expect(owner).not.toHaveProperty('note');
    expect(owner).not.toHaveProperty('auditor');
    expect(owner).not.toHaveProperty('password');
    const byAdmin = (await api(running.url, 'GET', href(vaultA), undefined, admin)).body;
    expect(byAdmin).toMatchObject({ name: 'a1', note: 'provider says' });
    expect(byAdmin).not.toHaveProperty('ownerNote');
    expect(byAdmin).not.toHaveProperty('password');
    const byApp = (await asApp(href(vaultA))).body;
    expect(byApp).toMatchObject({ name: 'a1', note: 'provider says', ownerNote: 'owner says', password: PASSWORD });
  });

  it('lists and RQL results leave hidden and encrypted members out; a query on them is a 400 naming them', async () => {
    const list = await api(
      running.url,
      'GET',
      `/aps/2/resources?implementing(${encodeURIComponent(VAULT_TYPE)})`,
      undefined,
      ownerA,
    );
    for (const item of list.body) {
      expect(item).not.toHaveProperty('note');
      expect(item).not.toHaveProperty('password');
    }
    const adminList = await api(
      running.url,
      'GET',
      `/aps/2/resources?implementing(${encodeURIComponent(VAULT_TYPE)})`,
      undefined,
      admin,
    );
    for (const item of adminList.body) expect(item).not.toHaveProperty('password');
    const byNote = await api(running.url, 'GET', '/aps/2/resources?eq(note,provider%20says)', undefined, ownerA);
    expect(byNote.status).toBe(400);
    expect(byNote.body.details).toEqual([{ field: 'note', message: expect.stringContaining('an account owner') }]);
    const sorted = await api(running.url, 'GET', '/aps/2/resources?sort(+ownerNote)', undefined, admin);
    expect(sorted.status).toBe(400);
    expect(sorted.body.message).toContain('"ownerNote"');
    const byPassword = await api(running.url, 'GET', `/aps/2/resources?eq(password,${PASSWORD})`, undefined, admin);
    expect(byPassword.status).toBe(400);
    expect(byPassword.body.message).toContain('"password"');
    expect(
      (await api(running.url, 'GET', '/aps/2/resources?eq(note,provider%20says)', undefined, admin)).body,
    ).toHaveLength(1);
  });

  it('a hidden relation is absent from reads, its links and its members refused', async () => {
    expect((await api(running.url, 'GET', `${href(vaultA)}/auditor`, undefined, ownerA)).status).toBe(403);
    const links = await api(running.url, 'GET', `${href(vaultA)}/aps/links`, undefined, ownerA);
    expect(links.status).toBe(200);
    expect(links.body.map((l: { relation: string }) => l.relation)).not.toContain('auditor');
  });
});

describe('forbidden writes and operations: 403 naming the member, nothing stored, the endpoint not called', () => {
  it('refuses a configure that writes a property the role may not write', async () => {
    const before = endpointCalls.length;
    const put = await api(running.url, 'PUT', href(vaultA), { name: 'renamed', note: 'mine' }, ownerA);
    expect(put.status).toBe(403);
    expect(put.body).toMatchObject({ code: 403, error: 'Forbidden' });
    expect(put.body.details).toEqual([{ field: 'note', message: 'may not be written by an account owner' }]);
    expect(endpointCalls.length).toBe(before);
    expect((await api(running.url, 'GET', href(vaultA), undefined, admin)).body).toMatchObject({
      name: 'a1',
      note: 'provider says',
    });
    const ok = await api(running.url, 'PUT', href(vaultA), { ownerNote: 'still mine' }, ownerA);
    expect(ok.status).toBe(200);
    expect(ok.body.ownerNote).toBe('still mine');
    expect(ok.body).not.toHaveProperty('password');
    const adminPut = await api(running.url, 'PUT', href(vaultA), { ownerNote: 'provider writes' }, admin);
    expect(adminPut.status).toBe(403);
    expect(adminPut.body.details).toEqual([
      { field: 'ownerNote', message: 'may not be written by a provider administrator' },
    ]);
  });

  it('refuses linking through a relation the role may not change', async () => {
    const before = endpointCalls.length;
    const post = await api(running.url, 'POST', `${href(vaultA)}/auditor`, link(accountA), ownerA);
    expect(post.status).toBe(403);
    expect(post.body.details).toEqual([{ field: 'auditor', message: expect.any(String) }]);
    const put = await api(running.url, 'PUT', href(vaultA), { auditor: link(accountA) }, ownerA);
    expect(put.status).toBe(403);
    expect(endpointCalls.length).toBe(before);
    expect((await asApp(href(vaultA))).body).not.toHaveProperty('auditor');
  });

  it('refuses an operation the role may not call, and forwards one it may', async () => {
    const before = endpointCalls.length;
    const rotate = await api(running.url, 'POST', `${href(vaultA)}/rotate`, undefined, ownerA);
    expect(rotate.status).toBe(403);
    expect(rotate.body.message).toContain('"rotate"');
    expect(rotate.body.details).toEqual([{ field: 'rotate', message: 'may not be called by an account owner' }]);
    expect(endpointCalls.length).toBe(before);
    const ping = await api(running.url, 'GET', `${href(vaultA)}/ping`, undefined, ownerA);
    expect(ping).toMatchObject({ status: 200, body: { pong: true } });
    const byAdmin = await api(running.url, 'POST', `${href(vaultA)}/rotate`, undefined, admin);
    expect(byAdmin).toMatchObject({ status: 200, body: { rotated: true } });
  });
});

/** Frames of `GET /apskit/events` as one caller receives them. */
async function openEvents(headers: Record<string, string>): Promise<{
  frames: Array<{ event: string; data: { id?: string; resource?: Record<string, unknown> | null } }>;
  close(): void;
}> {
  const abort = new AbortController();
  const res = await fetch(`${running.url}/apskit/events`, { headers, signal: abort.signal });
  expect(res.status).toBe(200);
  const frames: Array<{ event: string; data: { id?: string; resource?: Record<string, unknown> | null } }> = [];
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  void (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event !== undefined && data !== undefined) frames.push({ event, data: JSON.parse(data) });
        }
      }
    } catch {
      // aborted
    }
  })();
  return { frames, close: () => abort.abort() };
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('GET /apskit/events, per caller', () => {
  it('tells an owner only of its resources, without hidden or encrypted members; an admin of all, without encrypted ones', async () => {
    const a = await openEvents(ownerA);
    const byAdmin = await openEvents(admin);
    try {
      await until(() => a.frames.some((f) => f.event === 'ready') && byAdmin.frames.some((f) => f.event === 'ready'));
      expect((await api(running.url, 'PUT', href(vaultB), { name: 'b2' }, admin)).status).toBe(200);
      expect((await api(running.url, 'PUT', href(vaultA), { name: 'a1b' }, admin)).status).toBe(200);
      const resourceFrames = (s: typeof a, id: string): typeof a.frames =>
        s.frames.filter((f) => f.event === 'resource' && f.data.id === id);
      // The stream tells each state the resource goes through (configuring, then the endpoint's
      // answer): wait for the one after the change.
      const told = (s: typeof a): boolean =>
        resourceFrames(s, vaultA).some((f) => (f.data.resource as { name?: string } | null)?.name === 'a1b');
      await until(() => told(a) && told(byAdmin));
      expect(resourceFrames(byAdmin, vaultB).length).toBeGreaterThan(0);
      expect(resourceFrames(a, vaultB)).toEqual([]);
      expect(JSON.stringify(a.frames)).not.toContain(vaultB);
      const seenByA = resourceFrames(a, vaultA).at(-1)?.data.resource as Record<string, unknown>;
      expect(seenByA).toMatchObject({ name: 'a1b' });
      expect(seenByA).not.toHaveProperty('note');
      expect(seenByA).not.toHaveProperty('password');
      const seenByAdmin = resourceFrames(byAdmin, vaultA).at(-1)?.data.resource as Record<string, unknown>;
      expect(seenByAdmin).toMatchObject({ name: 'a1b', note: 'provider says' });
      expect(seenByAdmin).not.toHaveProperty('password');
      // Tasks of another account's resources are not told to an owner either.
      const tasks = a.frames.filter((f) => f.event === 'task') as unknown as Array<{ data: { resourceId: string } }>;
      expect(tasks.every((t) => t.data.resourceId !== vaultB)).toBe(true);
    } finally {
      a.close();
      byAdmin.close();
    }
  });
});

describe('/apskit/tasks, for an account owner', () => {
  it('lists the tasks of one of its resources only, and reads no task of another account’s', async () => {
    const all = await api(running.url, 'GET', '/apskit/tasks', undefined, ownerA);
    expect(all.status).toBe(403);
    expect(all.body.details).toEqual([{ field: 'resourceId', message: expect.any(String) }]);
    expect((await api(running.url, 'GET', `/apskit/tasks?resourceId=${vaultB}`, undefined, ownerA)).status).toBe(404);
    const own = await api(running.url, 'GET', `/apskit/tasks?resourceId=${vaultA}`, undefined, ownerA);
    expect(own.status).toBe(200);
    expect(own.body.length).toBeGreaterThan(0);
    expect(own.body.every((t: { resourceId: string }) => t.resourceId === vaultA)).toBe(true);
    const ofB = await api(running.url, 'GET', `/apskit/tasks?resourceId=${vaultB}`, undefined, admin);
    const taskOfB = ofB.body[0].id as string;
    expect((await api(running.url, 'GET', `/apskit/tasks/${taskOfB}`, undefined, ownerA)).status).toBe(404);
    expect((await api(running.url, 'POST', `/apskit/tasks/${taskOfB}/rerun`, undefined, ownerA)).status).toBe(404);
    expect((await api(running.url, 'GET', `/apskit/tasks/${taskOfB}`, undefined, ownerB)).status).toBe(200);
    expect((await api(running.url, 'GET', `/apskit/tasks/${own.body[0].id}`, undefined, ownerA)).status).toBe(200);
  });
});

describe('the encrypted value is never logged', () => {
  it('appears in nothing the controller wrote to the console', () => {
    expect(logged.join('\n')).not.toContain(PASSWORD);
  });
});
