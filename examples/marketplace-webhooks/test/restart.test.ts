/**
 * The example's vendor state survives a crash (issue 20): the provisioner runs alone in a child
 * process (`--provisioner-only`) and is killed with SIGKILL, as the webhooks' crash test does.
 *
 * - Killed while `provision()` is under way (the email claimed, the call not answered): the
 *   restarted process makes the call again, finds the claim its own request made, and posts Success,
 *   not a false "already in use".
 * - Killed again after that: a new request with the same administrator email gets a Fail, so there
 *   are never two workspaces for one email.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedMarketplace, type Order } from '../src/marketplace';
import { crash, startChild, stop, type ChildProvisioner } from './child-provisioner';

jest.setTimeout(90_000);

const SECRET = `whsec_${Buffer.from('restart test signing secret').toString('base64')}`;
const CLIENT = { clientId: 'acme-notes', clientSecret: 'restart-test-secret' };
const EMAIL = 'admin@wingtip.example';

let dir: string;
let marketplace: SimulatedMarketplace;
const running: ChildProvisioner[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'apskit-marketplace-restart-'));
  marketplace = await new SimulatedMarketplace({ signingSecret: SECRET, ...CLIENT, deliveryTimeoutMs: 5000 }).start();
});
afterAll(async () => {
  for (const p of running) await stop(p);
  await marketplace.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function start(creationMs: number): Promise<ChildProvisioner> {
  const p = startChild(
    {
      WEBHOOK_SECRET: SECRET,
      MARKETPLACE_URL: marketplace.url,
      MARKETPLACE_CLIENT_ID: CLIENT.clientId,
      MARKETPLACE_CLIENT_SECRET: CLIENT.clientSecret,
      PORT: '0',
      APSKIT_DATA_DIR: dir, // the same SQLite file across the restarts
      APSKIT_TIME_SCALE: '0.01',
      ACCOUNT_CREATION_MS: String(creationMs),
    },
    { script: 'test/fixtures/slow-account-provisioner.ts' },
  );
  running.push(p);
  marketplace.connect(await p.webhookUrl);
  return p;
}

const order = (company: string): Order => ({
  type: 'NetNew',
  companyName: company,
  quantity: 3,
  details: { vendorAdminEmail: EMAIL },
});

async function workspacesWith(p: ChildProvisioner, email: string): Promise<Array<{ companyName: string }>> {
  const all = (await fetch(`${await p.controllerUrl}/aps/2/resources`).then((r) => r.json())) as Array<{
    adminEmail?: string;
    companyName: string;
  }>;
  return all.filter((w) => w.adminEmail === email);
}

it('keeps the claim of an email across crashes: the same request carries on, another is refused', async () => {
  // 1. Killed while provision() is under way: the claim is on disk, the call is not answered.
  const first = await start(60_000);
  const wingtip = await marketplace.send(order('Wingtip'));
  expect(wingtip.attempts.map((a) => a.status)).toEqual(['Acknowledged']);
  await first.line((l) => l === `account ${EMAIL} claimed for provision request ${wingtip.id}`);
  await crash(first);
  expect(marketplace.posts).toEqual([]);

  // 2. The restarted process makes the call again: the claim is its request's, so it stands.
  const second = await start(0);
  const result = await marketplace.waitForResult(wingtip.id, 30_000);
  expect(result).toMatchObject({ provisionAttemptId: wingtip.attempts[0]!.id, status: 'Success', errorMessage: null });
  expect(await workspacesWith(second, EMAIL)).toEqual([expect.objectContaining({ companyName: 'Wingtip' })]);
  // provision() was made again, and found the claim of its own request.
  expect(second.lines.filter((l) => l.startsWith(`account ${EMAIL}`))).toEqual([
    `account ${EMAIL} already claimed by provision request ${wingtip.id}: the claim stands`,
  ]);

  // 3. Killed again once it has recorded the result (a kill before that would post it again, and
  // the marketplace's 409 keep it at one); after the restart another buyer's request is refused.
  await eventually(async () => {
    const tasks = (await fetch(
      `${await second.controllerUrl}/apskit/tasks?resourceId=${encodeURIComponent(`marketplace:request:${wingtip.id}`)}`,
    ).then((r) => r.json())) as Array<{ status: string }>;
    return tasks.length > 0 && tasks.every((t) => t.status === 'succeeded');
  });
  await crash(second);
  const third = await start(0);
  const other = await marketplace.send(order('Tailwind'));
  expect(await marketplace.waitForResult(other.id, 30_000)).toMatchObject({
    status: 'Fail',
    errorMessage: `The administrator email ${EMAIL} is already in use by another Acme Notes account; use another email`,
  });
  expect((await workspacesWith(third, EMAIL)).map((w) => w.companyName)).toEqual(['Wingtip']);
  // One result per request, each taken at once by the marketplace.
  expect(marketplace.posts.map((p) => [p.requestId, p.answered])).toEqual([
    [wingtip.id, 201],
    [other.id, 201],
  ]);
});

async function eventually(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not so within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
