/**
 * The seed's three scenarios end to end over HTTP on 127.0.0.1, and the cases issue 20 adds: the
 * simulated marketplace (src/marketplace: written apart from APSKit, its own signing and result
 * rules) delivers signed notifications to the provisioner, retries failed or late deliveries (up to
 * three times, each a new attempt with the same request id), and takes the results the provisioner
 * posts with an OAuth2 token, one per acknowledged attempt, an errorMessage of at most 500 UTF-16
 * units. Seed: ../shared/seeds/webhook-provisioning-scenarios.txt.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResourceJson } from '@apskit/controller';
import {
  accounts,
  DELIVERIES,
  MAX_ERROR_MESSAGE_UNITS,
  SimulatedMarketplace,
  startProvisioner,
  type Order,
  type Provisioner,
  type RequestRecord,
} from '../src';

const SIGNING_SECRET = `whsec_${Buffer.from('scenario test secret').toString('base64')}`;
const CLIENT = { clientId: 'test-provisioner', clientSecret: 'test-secret' };

let dir: string;
let marketplace: SimulatedMarketplace;
let provisioner: Provisioner;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'apskit-marketplace-test-'));
  marketplace = await new SimulatedMarketplace({
    signingSecret: SIGNING_SECRET,
    ...CLIENT,
    retryDelayMs: 50,
    deliveryTimeoutMs: 500,
  }).start();
  provisioner = await startProvisioner({
    dataDir: dir,
    marketplaceUrl: marketplace.url,
    signingSecret: SIGNING_SECRET,
    ...CLIENT,
    timeScale: 0.01,
    lateMs: 800,
    // 1.5 s at this time scale: longer than a retry takes to come (as the default, 24 h, is for a
    // marketplace that retries within hours), shorter than a test's patience.
    orphanAfterSeconds: 150,
  });
  marketplace.connect(provisioner.webhookUrl);
});
afterAll(async () => {
  await provisioner.close();
  await marketplace.stop();
  rmSync(dir, { recursive: true, force: true });
});

const netNew = (company: string, email: string): Order => ({
  type: 'NetNew',
  companyName: company,
  quantity: 4,
  details: { vendorAdminEmail: email },
});

async function workspaces(): Promise<Array<ResourceJson & { companyName?: string; url?: string }>> {
  return (await fetch(`${provisioner.controllerUrl}/aps/2/resources`).then((r) => r.json())) as Array<
    ResourceJson & { companyName?: string; url?: string }
  >;
}

describe('the seed scenarios', () => {
  it('validation failure: acknowledged, then Fail with the message (the admin email is in use)', async () => {
    const request = await marketplace.send(netNew('Fabrikam', 'it@fabrikam.example'));
    expect(request.attempts.map((a) => a.status)).toEqual(['Acknowledged']);
    const result = await marketplace.waitForResult(request.id, 10_000);
    expect(result).toEqual({
      provisionAttemptId: request.attempts[0]!.id,
      status: 'Fail',
      errorMessage:
        'The administrator email it@fabrikam.example is already in use by another Acme Notes account; use another email',
      externalProvisionerSubscriptionId: null,
    });
    expect((await workspaces()).filter((w) => w.companyName === 'Fabrikam')).toEqual([]);
  });

  it('validation failure: a missing email is the buyer’s to fix, and says so', async () => {
    const request = await marketplace.send({ type: 'NetNew', companyName: 'Tailspin', details: {} });
    const result = await marketplace.waitForResult(request.id, 10_000);
    expect(result).toMatchObject({
      status: 'Fail',
      errorMessage: 'No administrator email was entered: enter the email of the workspace administrator',
    });
  });

  it('success: acknowledged, provisioned asynchronously, then Success for the attempt', async () => {
    const request = await marketplace.send(netNew('Contoso', 'admin@contoso.example'));
    const result = await marketplace.waitForResult(request.id, 10_000);
    expect(result).toMatchObject({
      provisionAttemptId: request.attempts[0]!.id,
      status: 'Success',
      errorMessage: null,
    });
    const workspace = (await workspaces()).find((w) => w.aps.id === result.externalProvisionerSubscriptionId);
    expect(workspace).toMatchObject({
      companyName: 'Contoso',
      seats: 4,
      plan: 'standard',
      url: 'https://notes.example/w/contoso',
      aps: { status: 'aps:ready' },
    });
  });

  it.each([
    ['answered 503', '503'],
    ['dropped', 'drop'],
  ] as const)(
    'transient error: the first delivery is %s, the second acknowledged, the result is for the second',
    async (_label, kind) => {
      provisioner.outage.next(kind);
      const company = `Northwind-${kind}`;
      const request = await marketplace.send(netNew(company, `ops-${kind}@northwind.example`));
      expect(request.attempts.map((a) => a.status)).toEqual(['Failed', 'Acknowledged']);
      expect(request.attempts[0]!.errorDetail).toBe(kind === '503' ? 'HTTP 503' : 'connection dropped');
      const result = await marketplace.waitForResult(request.id, 10_000);
      expect(result).toMatchObject({ provisionAttemptId: request.attempts[1]!.id, status: 'Success' });
      expect(request.results).toHaveLength(1);
      expect((await workspaces()).filter((w) => w.companyName === company)).toHaveLength(1);
    },
  );

  it('transient error: an acknowledgement lost on the way (stored, answered too late) provisions once, answers the retry', async () => {
    provisioner.outage.next('late');
    const request = await marketplace.send(netNew('Litware', 'admin@litware.example'));
    expect(request.attempts.map((a) => a.status)).toEqual(['Failed', 'Acknowledged']);
    expect(request.attempts[0]!.errorDetail).toBe('no answer in time');
    const result = await marketplace.waitForResult(request.id, 10_000);
    expect(result).toMatchObject({ provisionAttemptId: request.attempts[1]!.id, status: 'Success' });
    // The first attempt was stored by the provisioner, but the marketplace takes no result for it.
    await new Promise((r) => setTimeout(r, 300));
    expect(request.results).toHaveLength(1);
    expect((await workspaces()).filter((w) => w.companyName === 'Litware')).toHaveLength(1);
  });

  it('gives up after the first delivery and three retries', async () => {
    for (let i = 0; i < DELIVERIES; i++) provisioner.outage.next('503');
    const request = await marketplace.send(netNew('Adatum', 'admin@adatum.example'));
    expect(request.attempts.map((a) => a.status)).toEqual(['Failed', 'Failed', 'Failed', 'Failed']);
    expect(new Set(request.attempts.map((a) => a.id)).size).toBe(4);
    const tasks = await provisioner.webhooks.tasksOf(request.id);
    expect(tasks).toEqual([]); // nothing reached the intake, nothing was stored
  });
});

/** Every result post the marketplace received for a request, as [HTTP status, result status]. */
const postsFor = (request: RequestRecord): Array<[number, unknown]> =>
  marketplace.posts
    .filter((p) => p.requestId === request.id)
    .map((p) => [p.answered, (p.body as { status?: unknown }).status]);

const failedTasksOf = async (request: RequestRecord): Promise<string[]> =>
  (await provisioner.webhooks.tasksOf(request.id))
    .filter((t) => t.status === 'failed')
    .map((t) => `${t.name}: ${t.output}`);

const settle = (ms = 300): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('acknowledged without judging, then one Fail with the reason (issue 20)', () => {
  it('an unknown request type is acknowledged, then answered with one Fail that names it', async () => {
    const request = await marketplace.send({ type: 'PartnerEnrollment', companyName: 'Fourth Coffee' });
    expect(request.attempts.map((a) => a.status)).toEqual(['Acknowledged']);
    const result = await marketplace.waitForResult(request.id, 10_000);
    expect(result).toMatchObject({ provisionAttemptId: request.attempts[0]!.id, status: 'Fail' });
    expect(result.errorMessage).toContain('PartnerEnrollment');
    await settle();
    expect(postsFor(request)).toEqual([[201, 'Fail']]);
  });

  it.each([
    ['an administrator email that is not one', { vendorAdminEmail: 'not an email' }, 4, /adminEmail/],
    ['no seats', { vendorAdminEmail: 'admin@margie.example' }, 0, /seats/],
  ])(
    'invalid content (%s) is acknowledged, then answered with one Fail that says why',
    async (_l, details, quantity, why) => {
      const request = await marketplace.send({ type: 'NetNew', companyName: 'Margie', quantity, details });
      expect(request.attempts.map((a) => a.status)).toEqual(['Acknowledged']);
      const result = await marketplace.waitForResult(request.id, 10_000);
      expect(result.status).toBe('Fail');
      expect(result.errorMessage).toMatch(why);
      await settle();
      expect(postsFor(request)).toEqual([[201, 'Fail']]);
      expect((await workspaces()).filter((w) => w.companyName === 'Margie')).toEqual([]);
    },
  );

  it('a long errorMessage fits the marketplace’s 500 UTF-16 units and keeps its reason', async () => {
    const company = '🦄'.repeat(300); // 600 UTF-16 units, 300 code points
    const request = await marketplace.send({
      type: 'NetNew',
      companyName: company,
      details: { vendorAdminEmail: 'admin@unicorn.example' },
    });
    const result = await marketplace.waitForResult(request.id, 10_000);
    expect(result.status).toBe('Fail');
    expect(result.errorMessage!.length).toBeLessThanOrEqual(MAX_ERROR_MESSAGE_UNITS);
    expect(result.errorMessage).toContain('enter a company name with letters or digits');
    expect(postsFor(request)).toEqual([[201, 'Fail']]);
  });
});

describe('late acknowledgements and duplicates (issue 20)', () => {
  it('a late acknowledgement, then a successful retry: one provisioning, one accepted result, no failed task', async () => {
    provisioner.outage.next('late');
    const request = await marketplace.send(netNew('Alpine', 'admin@alpine.example'));
    expect(request.attempts.map((a) => [a.status, a.errorDetail])).toEqual([
      ['Failed', 'no answer in time'],
      ['Acknowledged', undefined],
    ]);
    const result = await marketplace.waitForResult(request.id, 10_000);
    expect(result).toMatchObject({ provisionAttemptId: request.attempts[1]!.id, status: 'Success' });
    await settle(1000); // the late answer (800 ms) and anything it could set off
    // One accepted result. On a busy machine the processing may end before the retry arrives: the
    // result for attempt 1 is then refused (422, the marketplace failed that attempt), as in the next
    // case, and attempt 2 gets it; either way the marketplace takes one result.
    expect(postsFor(request).filter(([status]) => status !== 422)).toEqual([[201, 'Success']]);
    expect(
      marketplace.posts
        .filter((p) => p.requestId === request.id && p.answered === 422)
        .every((p) => (p.body as { provisionAttemptId?: unknown }).provisionAttemptId === request.attempts[0]!.id),
    ).toBe(true);
    expect((await workspaces()).filter((w) => w.companyName === 'Alpine')).toHaveLength(1);
    expect(await failedTasksOf(request)).toEqual([]);
  });

  it('a late acknowledgement, processed before the retry comes: one accepted result, no failed task', async () => {
    // The marketplace fails attempt 1 at 500 ms and retries 800 ms later; the provisioner has
    // provisioned in between, and its result for attempt 1 is refused (422: the attempt failed).
    provisioner.outage.next('late');
    const request = await marketplace.send(netNew('Elecray', 'admin@elecray.example'), { retryDelayMs: 800 });
    expect(request.attempts.map((a) => a.status)).toEqual(['Failed', 'Acknowledged']);
    const result = await marketplace.waitForResult(request.id, 10_000);
    expect(result).toMatchObject({ provisionAttemptId: request.attempts[1]!.id, status: 'Success' });
    await settle(500);
    expect(postsFor(request).filter(([status]) => status === 201)).toEqual([[201, 'Success']]);
    expect((await workspaces()).filter((w) => w.companyName === 'Elecray')).toHaveLength(1);
    // The refusal of attempt 1's result is the marketplace's retry under way, not a failure to show.
    expect(await failedTasksOf(request)).toEqual([]);
  });

  it('a late acknowledgement and three late retries: the marketplace gives up, the orphan is unprovisioned, visibly', async () => {
    const claimed: string[] = [];
    const onClaim = (email: string): number => claimed.push(email);
    accounts.events.on('claimed', onClaim);
    try {
      for (let i = 0; i < DELIVERIES; i++) provisioner.outage.next('late');
      const request = await marketplace.send(netNew('Bellows', 'admin@bellows.example'));
      expect(request.status).toBe('GaveUp');
      expect(request.attempts.map((a) => a.errorDetail)).toEqual(Array(DELIVERIES).fill('no answer in time'));
      // The orphan check finds no attempt the marketplace holds, and unprovisions: a task says so.
      const compensated = async (): Promise<string[]> =>
        (await provisioner.webhooks.tasksOf(request.id))
          .filter((t) => /^Orphan compensated/.test(t.output ?? ''))
          .map((t) => t.status);
      await eventually(async () => (await compensated()).length > 0, 20_000);
      expect(await compensated()).toEqual(['succeeded']);
      expect(request.results).toEqual([]);
      // It was provisioned once (the email claimed), and undone through the lifecycle: the email is free.
      expect(claimed.filter((e) => e === 'admin@bellows.example')).toHaveLength(1);
      expect(await accounts.ownerOf('admin@bellows.example')).toBeUndefined();
      expect((await workspaces()).filter((w) => w.companyName === 'Bellows')).toEqual([]);
      const metrics = await fetch(`${provisioner.controllerUrl}/metrics`).then((r) => r.text());
      expect(metrics).toMatch(/apskit_webhook_orphans_total\{[^}]*outcome="compensated"[^}]*\} 1/);
    } finally {
      accounts.events.off('claimed', onClaim);
    }
  });

  it('the same delivery three times at once: acknowledged, one provisioning, one result', async () => {
    const request = await marketplace.send(netNew('Coho', 'admin@coho.example'), { copies: 3 });
    expect(request.attempts.map((a) => [a.status, a.errorDetail])).toEqual([['Acknowledged', undefined]]);
    expect(await marketplace.waitForResult(request.id, 10_000)).toMatchObject({ status: 'Success' });
    await settle();
    expect(postsFor(request)).toEqual([[201, 'Success']]);
    expect((await workspaces()).filter((w) => w.companyName === 'Coho')).toHaveLength(1);
  });

  it('two buyers with the same administrator email at once: one workspace, the other told the email is in use', async () => {
    const both = await Promise.all(
      ['Datum', 'Datum Two'].map((c) => marketplace.send(netNew(c, 'admin@datum.example'))),
    );
    const results = await Promise.all(both.map((r) => marketplace.waitForResult(r.id, 10_000)));
    expect(results.map((r) => r.status).sort()).toEqual(['Fail', 'Success']);
    expect(results.find((r) => r.status === 'Fail')!.errorMessage).toContain('is already in use');
    expect((await workspaces()).filter((w) => w.companyName?.startsWith('Datum'))).toHaveLength(1);
  });
});

async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not so within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the rest of a subscription’s life', () => {
  it('updates, renews and deprovisions the subscription a NetNew created', async () => {
    const created = await marketplace.send(netNew('Proseware', 'admin@proseware.example'));
    const first = await marketplace.waitForResult(created.id, 10_000);
    const id = first.externalProvisionerSubscriptionId as string;
    const subscriptionId = created.subscriptionId;
    const step = async (order: Omit<Order, 'companyName'>) => {
      const request = await marketplace.send({ companyName: 'Proseware', subscriptionId, ...order });
      return marketplace.waitForResult(request.id, 10_000);
    };
    expect(await step({ type: 'Update', quantity: 12 })).toMatchObject({ status: 'Success' });
    const after = (await fetch(`${provisioner.controllerUrl}/aps/2/resources/${id}`).then((r) => r.json())) as {
      seats: number;
    };
    expect(after.seats).toBe(12);
    expect(await step({ type: 'Renewal', commitmentTermEndDate: '2031-01-01T00:00:00Z' })).toMatchObject({
      status: 'Success',
    });
    expect(await accounts.termEndOf('admin@proseware.example')).toBe('2031-01-01T00:00:00Z');
    expect(await step({ type: 'Deprovision' })).toMatchObject({ status: 'Success' });
    expect((await fetch(`${provisioner.controllerUrl}/aps/2/resources/${id}`)).status).toBe(404);
    // The email is free again for a new account.
    const again = await marketplace.send(netNew('Proseware', 'admin@proseware.example'));
    expect(await marketplace.waitForResult(again.id, 10_000)).toMatchObject({ status: 'Success' });
  });
});

describe('the ports (issue 15 #7)', () => {
  it('the marketplace-facing port serves the intake only; the controller API is on its own port', async () => {
    for (const path of ['/aps/2/resources', '/apskit/tasks']) {
      const onWebhookPort = await fetch(`${provisioner.url}${path}`);
      expect(onWebhookPort.status).toBe(404);
      expect(await onWebhookPort.json()).toMatchObject({ code: 404, error: 'NotFound' });
      expect((await fetch(`${provisioner.controllerUrl}${path}`)).status).toBe(200);
    }
  });
});
